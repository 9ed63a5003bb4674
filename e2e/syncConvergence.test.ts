/**
 * Real cr-sqlite replicas, the stock ws-client and the real UserLog in workerd: random concurrent
 * edits, a device that falls behind, a device that starts from zero. Everyone must end identical
 * to a device that was online for the whole history, although the server compacts its log.
 */
import { afterEach, describe, expect, inject, it } from "vitest";
import { seededRandom } from "../testing/random";
import { converge, logStats, NodeDevice } from "./nodeDevice";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");


async function randomEdit(device: NodeDevice, next: () => number, step: number) {
  const id = `n${Math.floor(next() * 8)}`;
  const roll = next();
  if (roll < 0.35) {
    await device.write("INSERT INTO notes (id, title, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET title = excluded.title", [id, `${device.deviceId}-${step}`, 1_764_000_000_000 + step]);
  } else if (roll < 0.6) {
    await device.write("UPDATE notes SET body = ?, updated_at = ? WHERE id = ?", [`body ${device.deviceId} ${step}`, 1_764_000_000_000 + step, id]);
  } else if (roll < 0.75) {
    await device.write("UPDATE notes SET pinned = 1 - pinned WHERE id = ?", [id]);
  } else if (roll < 0.85) {
    await device.write("DELETE FROM notes WHERE id = ?", [id]);
  } else {
    await device.writeMany([
      ["INSERT OR IGNORE INTO entities (id, kind, name) VALUES (?, 'tag', ?)", [`e${step % 3}`, `tag${step % 3}`]],
      ["INSERT OR IGNORE INTO note_entities (note_id, entity_id) VALUES (?, ?)", [id, `e${step % 3}`]],
    ]);
  }
}

describe("sync convergence through the compacted log", () => {
  const devices: NodeDevice[] = [];
  afterEach(() => devices.splice(0).forEach((d) => d.disconnect()));

  it.each([11, 29, 47, 83])("seed %i: online, lagging and fresh devices all end identical", async (seed) => {
    const next = seededRandom(seed);
    const user = `conv-${seed}-${Date.now()}`;
    const witness = await NodeDevice.create(user, "witness"); // online for the whole history
    const a = await NodeDevice.create(user, "a");
    const b = await NodeDevice.create(user, "b");
    devices.push(witness, a, b);
    for (const d of devices) await d.connect(baseUrl, authSecret);

    for (let step = 0; step < 200; step++) {
      if (step === 60) b.disconnect(); // b falls behind...
      if (step === 150) await b.connect(baseUrl, authSecret); // ...and catches up from the compacted log
      await randomEdit(next() < 0.5 ? a : b, next, step);
      if (step % 10 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const state = await converge([witness, a, b]);

    const fresh = await NodeDevice.create(user, "fresh");
    devices.push(fresh);
    await fresh.connect(baseUrl, authSecret);
    expect(await converge([witness, fresh])).toBe(state);

    const stats = await logStats(baseUrl, authSecret, user);
    expect(stats.rows).toBeLessThan(stats.head); // compaction dropped superseded entries
  });

  it("a transaction larger than a frame is split, sent and applied whole", async () => {
    const user = `big-${Date.now()}`;
    const a = await NodeDevice.create(user, "a");
    const b = await NodeDevice.create(user, "b");
    devices.push(a, b);
    const body = "lorem ipsum ".repeat(100);
    const statements: Array<[string, (string | number)[]]> = Array.from({ length: 2_000 }, (_, i) => [
      "INSERT INTO notes (id, title, body) VALUES (?, ?, ?)",
      [`big-${i}`, `note ${i}`, body],
    ]);
    await a.writeMany(statements); // ~2.5 MB in one db_version
    await a.connect(baseUrl, authSecret);
    await b.connect(baseUrl, authSecret);
    await converge([a, b], 60_000);
    expect(await b.count("notes")).toBe(2_000);
  });
});
