/**
 * Convergence under faults, as a property: 2–5 devices (real cr-sqlite replicas, the stock
 * ws-client streams, CoBrain's adapter) make random inserts, updates, deletes and re-inserts of
 * notes, entities and links against the real UserLog in workerd, while frames are duplicated and
 * held back, devices drop off and come back, and the Durable Object is evicted mid-stream.
 * At the end every device holds the same data, and so does a new device syncing from zero.
 * Encryption is on, as in the app (issue 14): every case's account has its own key, the server
 * sees only envelopes, ties are settled by the devices on plaintext, and no device refuses anything.
 *
 * Quick mode runs in `npm test`; `npm run soak` runs SOAK_RUNS cases and writes the counts this
 * test reports in its task meta to bench/results/soak.{json,md}; `npm run soak -- --mutant` runs it
 * against a deliberately broken compaction (see testing/workerd/brokenCompaction.ts) to show it fails.
 * A failure prints its seed and path: replay with FC_SEED=<seed> FC_PATH=<path>.
 */
import { env } from "cloudflare:workers";
import { evictDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { seededRandom } from "../testing/random";
import { breakCompaction } from "../testing/workerd/brokenCompaction";
import { SimDevice, type Faults } from "../testing/workerd/simDevice";
import { createAccountKey } from "../web/src/crypto/keyStore";

const RUNS = inject("soakRuns");
const SEED = inject("fcSeed") === "" ? undefined : Number(inject("fcSeed"));
const PATH = inject("fcPath") || undefined;
if (inject("soakMutant")) breakCompaction();
/** Rows the devices fight over: few, so edits collide often. */
const NOTE_IDS = ["n1", "n2", "n3"];
const TAGS = ["travel", "work"];

type Command =
  | { kind: "title" | "body"; device: number; note: number; text: string }
  | { kind: "pin"; device: number; note: number }
  | { kind: "delete"; device: number; note: number }
  | { kind: "tag"; device: number; note: number; tag: number }
  | { kind: "untag"; device: number; note: number; tag: number }
  | { kind: "disconnect"; device: number }
  | { kind: "reconnect"; device: number }
  | { kind: "evict" }
  | { kind: "pause"; ms: number };

const command = (devices: number): fc.Arbitrary<Command> => {
  const device = fc.integer({ min: 0, max: devices - 1 });
  const note = fc.integer({ min: 0, max: NOTE_IDS.length - 1 });
  const tag = fc.integer({ min: 0, max: TAGS.length - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom("title" as const, "body" as const), device, note, text: fc.string({ maxLength: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("pin" as const), device, note }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), device, note }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("tag" as const), device, note, tag }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("untag" as const), device, note, tag }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("disconnect" as const, "reconnect" as const), device }) as fc.Arbitrary<Command> },
    { weight: 1, arbitrary: fc.constant({ kind: "evict" as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 30 }) }) },
  );
};

const scenario = fc.integer({ min: 2, max: 5 }).chain((devices) =>
  fc.record({
    devices: fc.constant(devices),
    commands: fc.array(command(devices), { minLength: 5, maxLength: 40 }),
    duplicate: fc.double({ min: 0, max: 0.3, noNaN: true }),
    hold: fc.double({ min: 0, max: 0.3, noNaN: true }),
    seed: fc.integer(),
  }),
);


async function apply(cmd: Command, devices: SimDevice[], user: string, step: number): Promise<void> {
  if (cmd.kind === "evict") {
    // Evicting an object that is not running (nothing connected yet) is a no-op for this test.
    return evictDurableObject(env.USER_LOG.get(env.USER_LOG.idFromName(user))).catch((e: Error) => {
      if (!/not currently running/.test(e.message)) throw e;
    });
  }
  if (cmd.kind === "pause") return new Promise((r) => setTimeout(r, cmd.ms));
  const d = devices[cmd.device]!;
  if (cmd.kind === "disconnect") return d.disconnect();
  if (cmd.kind === "reconnect") return d.connected ? undefined : d.connect();
  const id = NOTE_IDS[cmd.note]!;
  switch (cmd.kind) {
    case "title":
    case "body":
      // An upsert: after a delete this re-inserts the row (a new causal length).
      return d.write(`INSERT INTO notes (id, ${cmd.kind}, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET ${cmd.kind} = excluded.${cmd.kind}, updated_at = excluded.updated_at`, [
        id,
        cmd.text,
        1_764_000_000_000 + step,
      ]);
    case "pin":
      return d.write("UPDATE notes SET pinned = 1 - pinned WHERE id = ?", [id]);
    case "delete":
      return d.write("DELETE FROM notes WHERE id = ?", [id]);
    case "tag": {
      const entity = `e_${TAGS[cmd.tag]}`;
      await d.write("INSERT INTO entities (id, kind, name) VALUES (?, 'tag', ?) ON CONFLICT (id) DO NOTHING", [entity, TAGS[cmd.tag]!]);
      return d.write("INSERT INTO note_entities (note_id, entity_id) VALUES (?, ?) ON CONFLICT DO NOTHING", [id, entity]);
    }
    case "untag":
      return d.write("DELETE FROM note_entities WHERE note_id = ? AND entity_id = ?", [id, `e_${TAGS[cmd.tag]}`]);
  }
}

async function converged(devices: SimDevice[], timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshots = await Promise.all(devices.map((d) => d.snapshot()));
    if (snapshots.every((s) => s === snapshots[0])) return snapshots[0]!;
    if (Date.now() > deadline) throw new Error(`devices differ:\n${snapshots.join("\n---\n")}`);
    devices.forEach((d) => d.nudge());
    await new Promise((r) => setTimeout(r, 50));
  }
}

let cases = 0;
let convergedCases = 0;

describe("convergence under faults (property)", () => {
  it(`every device, and a new one, ends identical (${RUNS} random cases)`, async ({ task }) => {
    const started = Date.now();
    // Read by `npm run soak` from Vitest's JSON report; kept current so a timeout still reports.
    const report = () => (task.meta.soak = { property: "convergence", cases, converged: convergedCases, seed: SEED ?? null, ms: Date.now() - started });
    try {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ devices: count, commands, duplicate, hold, seed }) => {
          cases++;
          const user = `prop-${cases}-${crypto.randomUUID().slice(0, 6)}`;
          const faults: Faults = { duplicate, hold, random: seededRandom(seed) };
          const key = createAccountKey();
          const devices = await Promise.all(Array.from({ length: count }, (_, i) => SimDevice.create(user, `d${i}`, faults, key)));
          try {
            for (const d of devices) await d.connect();
            for (const [step, cmd] of commands.entries()) await apply(cmd, devices, user, step);
            for (const d of devices) if (!d.connected) await d.connect();
            const state = await converged(devices);
            const fresh = await SimDevice.create(user, "fresh", { duplicate: 0, hold: 0, random: Math.random }, key);
            devices.push(fresh);
            await fresh.connect();
            expect(await converged([devices[0]!, fresh])).toBe(state);
            expect(devices.flatMap((d) => d.refused)).toEqual([]);
            convergedCases++;
          report();
          } finally {
            await Promise.all(devices.map((d) => d.close()));
          }
        }),
        { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: true },
      );
    } finally {
      report();
    }
    console.log(`convergence property: ${cases} cases run, all converged`);
  }, Math.max(600_000, RUNS * 1_000)); // a soak of 2,000 cases takes longer than ten minutes here
});
