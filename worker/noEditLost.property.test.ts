/**
 * No edit is ever lost, as a property: 2–5 devices (real cr-sqlite replicas, the stock ws-client
 * streams, CoBrain's adapter, the real UserLog in workerd) insert unique marker words into the same
 * few notes' titles and bodies while going offline and online at random. After quiescence every
 * device is identical, and every marker ever written is in its note's text or in that note's
 * revisions (markers are only ever added, so none was deleted on purpose).
 * A failure prints its seed and path: replay with FC_SEED=<seed> FC_PATH=<path>.
 */
import fc from "fast-check";
import { describe, expect, inject, it } from "vitest";
import { seededRandom } from "../testing/random";
import { SimDevice, type Faults } from "../testing/workerd/simDevice";
import { createAccountKey } from "../web/src/crypto/keyStore";

const RUNS = inject("soakRuns");
const SEED = inject("fcSeed") === "" ? undefined : Number(inject("fcSeed"));
const PATH = inject("fcPath") || undefined;
const NOTE_IDS = ["n1", "n2"];
const MAX_DEVICES = 5;

type Command =
  | { kind: "mark"; device: number; note: number; field: "title" | "body"; at: number; newLine: boolean }
  | { kind: "disconnect" | "reconnect"; device: number }
  | { kind: "pause"; ms: number };

const command = (devices: number): fc.Arbitrary<Command> => {
  const device = fc.integer({ min: 0, max: devices - 1 });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant("mark" as const),
        device,
        note: fc.integer({ min: 0, max: NOTE_IDS.length - 1 }),
        field: fc.constantFrom("title" as const, "body" as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        newLine: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("disconnect" as const, "reconnect" as const), device }) as fc.Arbitrary<Command> },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 30 }) }) },
  );
};

const scenario = fc.integer({ min: 2, max: MAX_DEVICES }).chain((devices) =>
  fc.record({
    devices: fc.constant(devices),
    commands: fc.array(command(devices), { minLength: 5, maxLength: 40 }),
    duplicate: fc.double({ min: 0, max: 0.2, noNaN: true }),
    hold: fc.double({ min: 0, max: 0.2, noNaN: true }),
    seed: fc.integer(),
  }),
);

/** Inserts `marker` between words of `text`, at a relative position, on a new line or not. */
function insertMarker(text: string, marker: string, at: number, newLine: boolean): string {
  const words = text.split(" ").filter((w) => w !== "");
  const i = Math.round(at * words.length);
  words.splice(i, 0, newLine ? `\n${marker}` : marker);
  return words.join(" ");
}

async function converged(devices: SimDevice[], timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshots = await Promise.all(devices.map((d) => d.snapshot()));
    if (snapshots.every((s) => s === snapshots[0])) return snapshots[0]!;
    if (Date.now() > deadline) throw new Error(`devices differ:\n${snapshots.join("\n---\n")}`);
    devices.forEach((d) => d.nudge());
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("no edit is ever lost (property)", () => {
  it(`every marker word survives in the note or its revisions (${RUNS} random cases)`, async () => {
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ devices: count, commands, duplicate, hold, seed }) => {
        cases++;
        const user = `marks-${cases}-${crypto.randomUUID().slice(0, 6)}`;
        const faults: Faults = { duplicate, hold, random: seededRandom(seed) };
        const key = createAccountKey(); // encrypted end to end, as in the app
        const devices = await Promise.all(Array.from({ length: count }, (_, i) => SimDevice.create(user, `d${i}`, faults, key)));
        const written = new Map<string, string>(); // marker -> note id
        try {
          await devices[0]!.write("INSERT INTO notes (id, title, body) VALUES (?, 'start', 'start'), (?, 'start', 'start')", NOTE_IDS);
          for (const d of devices) await d.connect();
          await converged(devices);
          for (const [step, cmd] of commands.entries()) {
            if (cmd.kind === "pause") await new Promise((r) => setTimeout(r, cmd.ms));
            else if (cmd.kind === "disconnect") devices[cmd.device]!.disconnect();
            else if (cmd.kind === "reconnect") {
              if (!devices[cmd.device]!.connected) await devices[cmd.device]!.connect();
            } else if (cmd.kind === "mark") {
              const d = devices[cmd.device]!;
              const id = NOTE_IDS[cmd.note]!;
              const marker = `m${step}d${cmd.device}`;
              written.set(marker, id);
              await d.edit(id, cmd.field, (text) => insertMarker(text, marker, cmd.at, cmd.newLine && cmd.field === "body"));
            }
          }
          for (const d of devices) if (!d.connected) await d.connect();
          await converged(devices);
          const texts = await devices[0]!.rows(
            `SELECT n.id, n.title || ' ' || n.body || ' ' || coalesce((SELECT group_concat(r.title || ' ' || r.body, ' ') FROM note_revisions r WHERE r.note_id = n.id), '') FROM notes n`,
          ).catch(() => devices[0]!.rows("SELECT id, title || ' ' || body FROM notes"));
          const textOf = new Map(texts.map(([id, text]) => [id as string, ` ${String(text).replace(/\s+/g, " ")} `]));
          const lost = [...written].filter(([marker, id]) => !textOf.get(id)!.includes(` ${marker} `));
          expect(lost, `lost markers; texts: ${JSON.stringify([...textOf])}`).toEqual([]);
        } finally {
          await Promise.all(devices.map((d) => d.close()));
        }
      }),
      { numRuns: RUNS, seed: SEED, path: PATH, endOnFailure: true },
    );
  }, Math.max(600_000, RUNS * 1_500));
});
