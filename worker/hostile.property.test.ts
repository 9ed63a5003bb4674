/**
 * Hostile input against the real Worker and UserLog in workerd: random and crafted frames from a
 * connected socket, and random handshakes. Each gets a clear refusal (never an internal error),
 * the log is unchanged, and the user's other devices keep syncing. `npm run soak` runs more cases.
 */
import { exports } from "cloudflare:workers";
import { encode, tags, type Change } from "@vlcn.io/ws-common";
import fc from "fast-check";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_FRAME_BYTES } from "../shared/constants";
import { CloseCode, encodeSyncProtocol } from "../shared/syncProtocol";
import { Device, noteChange, settle, textPk, token, upgrade } from "../testing/workerd/device";

const RUNS = inject("soakRuns") * 5;
// The same seed as the convergence half, so the command `npm run soak` records replays both.
const SEED = inject("fcSeed") === "" ? undefined : Number(inject("fcSeed"));
const victim = `victim-${crypto.randomUUID().slice(0, 8)}`;
let tried = 0;
let handshakes = 0;

async function stats() {
  const response = await exports.default.fetch("http://cobrain.test/api/log/stats", { headers: { Authorization: `Bearer ${await token(victim)}` } });
  const { head, rows } = (await response.json()) as { head: number; rows: number };
  return { head, rows }; // the log itself; peers grow with each attacker's announced site id

}

/** Refusals a hostile frame may get; 1011 (internal error) is never acceptable. */
const ACCEPTABLE = new Set<number>([CloseCode.UnsupportedData, CloseCode.FrameTooLarge, CloseCode.ProtocolError, CloseCode.InvalidChange]);

/** Sends `frames` on a fresh socket of the victim user (a compromised device) and waits. */
async function attack(frames: Array<Uint8Array | string>, announce: boolean): Promise<{ code?: number }> {
  tried++;
  // One device id per attack: one device reconnecting this often would be refused with
  // TooManyReconnects before its frames were read (userLogLimits.test.ts tests that bound).
  const attacker = await Device.connect(victim, { deviceId: `attacker${tried}` });
  if (announce) {
    attacker.announce();
    await attacker.waitFor(tags.StartStreaming);
  }
  for (const frame of frames) attacker.sendRaw(frame);
  const closed = await Promise.race([attacker.closed, settle(150).then(() => undefined)]);
  if (!closed) attacker.close();
  return { code: closed?.code };
}

const evilName = fc.oneof(
  fc.constantFrom("notes; DROP TABLE log; --", "sqlite_master", "crsql_changes", "notes__crsql_clock", "../../etc", "\u0000", "users'", ""),
  fc.string({ maxLength: 40 }),
);
const evilValue = fc.oneof(fc.boolean(), fc.double(), fc.uint8Array({ maxLength: 20 }), fc.bigInt(), fc.string({ maxLength: 20 }), fc.constant(null));

/** A Changes frame whose structure is valid but whose content is not. */
const craftedChanges = fc
  .record({ table: fc.oneof(fc.constant("notes"), evilName), cid: fc.oneof(fc.constantFrom("title", "-1", "pinned"), evilName), value: evilValue, pk: fc.oneof(fc.constant(textPk("x")), fc.uint8Array({ maxLength: 12 })) })
  .filter(({ table, cid, value, pk }) => !(table === "notes" && ((cid === "title" && typeof value === "string") || (cid === "-1" && value === null) || (cid === "pinned" && typeof value === "bigint")) && pk.length === 4))
  .map(({ table, cid, value, pk }) => {
    const change = [table, pk, cid, value, 1n, 1n, null, 1n, 0] as unknown as Change;
    return encode({ _tag: tags.Changes, sender: new Uint8Array(16).fill(7), since: [0n, 0], changes: [change] });
  });

const validChanges = encode({ _tag: tags.Changes, sender: new Uint8Array(16).fill(7), since: [0n, 0], changes: [noteChange("ok", "title", "fine")] });

const hostileFrame = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ minLength: 0, maxLength: 300 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: validChanges.length - 1 }).map((n) => validChanges.slice(0, n)) },
  { weight: 2, arbitrary: fc.constantFrom(0, 5, 6, 9, 10, 11, 12, 99, 255).map((tag) => new Uint8Array([tag, 1, 2, 3])) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40 }).map((shift) => new Uint8Array([2, ...new Uint8Array(16), 0, 0, 0, 0, 0, 0, 0, 0, 0, ...varuint(2 ** shift)])) },
  { weight: 4, arbitrary: craftedChanges },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
);

function varuint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

describe("hostile input (property)", () => {
  let a: Device;
  let b: Device;
  beforeAll(async () => {
    a = await Device.connect(victim, { deviceId: "a" });
    b = await Device.connect(victim, { deviceId: "b" });
    a.announce();
    b.announce();
    await a.waitFor(tags.StartStreaming);
    await b.waitFor(tags.StartStreaming);
    a.push([noteChange("n1", "title", "before the attack")]);
    await b.waitFor(tags.Changes);
  });

  it(`random and crafted frames are refused with a clear code and change nothing (${RUNS} cases)`, async ({ task }) => {
    const started = Date.now();
    const before = await stats();
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrame, { minLength: 1, maxLength: 3 }), fc.boolean(), async (frames, announce) => {
        const { code } = await attack(frames, announce);
        if (code !== undefined) expect(ACCEPTABLE.has(code), `close code ${code}`).toBe(true);
        expect(await stats()).toEqual(before);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // Oversized frames and a flood, then the honest devices still sync.
    expect((await attack([new Uint8Array(MAX_FRAME_BYTES + 1).fill(2)], true)).code).toBe(CloseCode.FrameTooLarge);
    // A flood of 2,000 frames on one socket: answered, nothing stored, nobody else disturbed.
    expect((await attack(Array.from({ length: 2_000 }, () => encode({ _tag: tags.Ping })), true)).code).toBeUndefined();
    expect(await stats()).toEqual(before);
    a.push([noteChange("n2", "title", "after the attack", { dbVersion: 2n })], 1n);
    await b.waitFor(tags.Changes, 2);
    expect(b.changes().map((c) => c[3])).toEqual(["before the attack", "after the attack"]);
    console.log(`hostile frames: ${tried} attacks tried, log unchanged, honest devices still syncing`);
    // Read by `npm run soak` from Vitest's JSON report; reached only when every check above passed.
    task.meta.soak = { property: "hostile frames", connections: tried, logUnchanged: true, ms: Date.now() - started };
  }, 600_000);

  it(`random handshakes are refused before the upgrade, never with a server error (${RUNS} cases)`, async ({ task }) => {
    const started = Date.now();
    const mine = await token(victim);
    const protocol = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.base64String({ maxLength: 80 }).map((s) => s.replaceAll("=", "")),
      fc.record({ auth: fc.oneof(fc.string({ maxLength: 60 }), fc.constant(mine.slice(0, -3) + "abc")), room: fc.string({ maxLength: 20 }) }).map((p) => {
        try {
          return encodeSyncProtocol(p);
        } catch {
          return "x";
        }
      }),
      fc.constant(encodeSyncProtocol({ auth: mine, room: "somebody-else" })),
    );
    await fc.assert(
      fc.asyncProperty(protocol, async (p) => {
        handshakes++;
        let response: Response;
        try {
          response = await upgrade(p);
        } catch {
          return; // the runtime refused to send an invalid header at all
        }
        expect([400, 401, 403]).toContain(response.status);
        expect(response.webSocket).toBeNull();
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect((await exports.default.fetch("http://cobrain.test/health")).status).toBe(200);
    task.meta.soak = { property: "hostile handshakes", handshakes, ms: Date.now() - started };
  }, 600_000);
});
