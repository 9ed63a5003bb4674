/**
 * Cell encryption against real cr-sqlite replicas (issue 14): values leave sealed and arrive
 * opened with their exact types, and a hostile server's tricks are refused by the receiving
 * device with a clear message while nothing of them is applied and the rest of the batch is.
 */
import type { Change } from "@vlcn.io/ws-common";
import { describe, expect, it } from "vitest";
import { openMemoryReplica } from "../../../testing/nodeReplica";
import { serialised } from "../../../testing/replicaTools";
import { envelopeProblem, ENVELOPE_VERSION } from "../../../shared/envelope";
import { SyncDb } from "../sync/syncDb";
import { CellCipher, CellRefusal } from "./cellCipher";
import { accountKeyFrom, createAccountKey, DeviceKeyring } from "./keyStore";
import type { RefusedChange } from "./receivedCells";

const SERVER = new Uint8Array(16).fill(9);
const key = createAccountKey();
const ring = () => new DeviceKeyring([key], 0);

/** As the server relays: its own db_version, no site id, seq 0; everything else as sent. */
const relayed = (changes: readonly Change[], from = 1n): Change[] => changes.map((c, i): Change => [c[0], c[1], c[2], c[3], c[4], from + BigInt(i), null, c[7], 0]);

async function device() {
  const db = await openMemoryReplica();
  const refused: RefusedChange[] = [];
  // The app's cipher (libsodium); the tests below that build their own use @noble/ciphers.
  const syncDb = await SyncDb.open(serialised(db), { onRefused: (r) => refused.push(...r) }, await CellCipher.create(ring()));
  return { db, syncDb, refused };
}

const rowsOf = async (db: Awaited<ReturnType<typeof openMemoryReplica>>, sql: string) => (await db.exec(sql)).rows;

describe("cell encryption", () => {
  it("seals every value, sentinels included, and the other device applies them with their exact types", async () => {
    const a = await device();
    await a.db.exec("INSERT INTO notes (id, title, body, updated_at, pinned) VALUES ('n1', 'Trip to Lisbon', '', ?, 1)", [2n ** 53n + 1n]);
    await a.db.exec("INSERT INTO notes (id, title) VALUES ('n2', 'gone')");
    await a.db.exec("DELETE FROM notes WHERE id = 'n2'");
    const sent = await a.syncDb.pullChangeset([0n, 0], [SERVER]);
    expect(sent.length).toBeGreaterThan(5);
    for (const change of sent) expect(envelopeProblem(change[3])).toBeUndefined();
    const wire = new TextDecoder().decode(new Uint8Array(sent.flatMap((c) => [...(c[3] as Uint8Array)])));
    expect(wire).not.toContain("Lisbon");

    const b = await device();
    await b.syncDb.applyChangesetAndSetLastSeen(relayed(sent), SERVER, [BigInt(sent.length), 0]);
    expect(b.refused).toEqual([]);
    expect(await rowsOf(b.db, "SELECT id, title, updated_at, typeof(updated_at), pinned FROM notes")).toEqual([["n1", "Trip to Lisbon", 2n ** 53n + 1n, "integer", 1]]);
  });

  it("keeps NULL, BLOB, REAL, empty text and a leading BOM exact through seal and open", () => {
    const cipher = new CellCipher(ring());
    const pk = new Uint8Array([1, 11, 2, 0x6e, 0x31]);
    for (const value of [null, new Uint8Array([0, 255, 7]), 1.5, "", "\uFEFFbom", -(2n ** 63n)]) {
      const change: Change = ["notes", pk, "title", value, 3n, 9n, null, 1n, 0];
      const opened = cipher.open(cipher.seal(change));
      expect(opened[3]).toEqual(value);
    }
  });

  it("opens envelopes sealed before the buffers were reused (same format, same associated data)", () => {
    // Sealed by the cipher as it was before cellBytes.ts (commit b1d1b77), with this key and these cells.
    const old = new CellCipher(new DeviceKeyring([accountKeyFrom(new Uint8Array(32).map((_, i) => i), 2)], 2));
    const pk = new Uint8Array([1, 11, 2, 0x6e, 0x31]);
    const vectors: [string, Change[3], string][] = [
      ["title", "Trip to Lisbon \u2708", "010000000211455a631f713ba785b7e6dbbe4cade35f63f919a0a13d11c5508474a25f941f4ddad447684b91ed26bd4a890086ce03aed4c28c9593e0bb9c014c"],
      ["updated_at", 1764000000000n, "0100000002a564be5a6e5781a25cef0178ee0dde38b5d73651492ba6c6e219e795b3512da7e35491b5c56651ec9bca3006e298313327"],
      ["-1", null, "0100000002de3eb63532a5d3fff3201c7456a0bcebe8f6b70a297e323f7268e7868ceeeec575ba845fba98e69bda"],
    ];
    for (const [cid, value, hex] of vectors) {
      const envelope = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
      expect(old.open(["notes", pk, cid, envelope, 3n, 9n, null, 1n, 0])[3]).toEqual(value);
      // Bound to its cell as before: another column or newer clocks do not open.
      expect(() => old.open(["notes", pk, cid === "title" ? "body" : "title", envelope, 3n, 9n, null, 1n, 0])).toThrow(CellRefusal);
      expect(() => old.open(["notes", pk, cid, envelope, 4n, 9n, null, 1n, 0])).toThrow(CellRefusal);
    }
  });

  it("seals and opens many cells of every type in a row with its reused buffers (each value exact, each nonce fresh)", () => {
    const cipher = new CellCipher(ring());
    const values: Change[3][] = [];
    for (let i = 0; i < 6_000; i++) values.push(i % 5 === 0 ? null : i % 5 === 1 ? BigInt(i) * 1_000_003n : i % 5 === 2 ? i / 7 : i % 5 === 3 ? "é".repeat(i % 700) + i : new Uint8Array(i % 90).fill(i % 256));
    const sealed = values.map((value, i) => cipher.seal(["notes", new Uint8Array([1, 11, 2, i % 256, i >> 8]), "body", value, BigInt(i), 1n, null, 1n, 0]));
    const nonces = new Set(sealed.map((c) => Buffer.from((c[3] as Uint8Array).subarray(5, 29)).toString("hex")));
    expect(nonces.size).toBe(values.length);
    expect(sealed.map((c) => cipher.open(c)[3])).toEqual(values);
  });

  it("a device without the right key generation, or with another key of the same generation, refuses with a clear message", () => {
    const change: Change = ["notes", new Uint8Array([1, 11, 2, 0x6e, 0x31]), "title", "secret", 1n, 1n, null, 1n, 0];
    const sealed = new CellCipher(ring()).seal(change);
    expect(() => new CellCipher(new DeviceKeyring()).open(sealed)).toThrow(/generation 0, which this device does not have/);
    const other = new CellCipher(new DeviceKeyring([accountKeyFrom(createAccountKey().secret, 0, key.idKey)], 0));
    expect(() => other.open(sealed)).toThrow(CellRefusal);
  });
});

describe("a hostile server's tricks are refused by the device, and nothing of them is applied", () => {
  /** A's notes sealed for the wire, then tampered with by `trick`, then applied on B. */
  async function tryTrick(trick: (sent: Change[]) => Change[]) {
    const a = await device();
    await a.db.exec("INSERT INTO notes (id, title, body) VALUES ('n1', 'public title', 'secret body')");
    await a.db.exec("INSERT INTO notes (id, title, body) VALUES ('n2', 'other note', 'untouched')");
    const sent = await a.syncDb.pullChangeset([0n, 0], [SERVER]);
    const b = await device();
    const batch = relayed(trick(sent));
    await b.syncDb.applyChangesetAndSetLastSeen(batch, SERVER, [BigInt(batch.length), 0]);
    const stored = await rowsOf(b.db, "SELECT tbl, cid, reason FROM sync_refused ORDER BY cid");
    return { a, b, sent, refused: b.refused, stored };
  }
  const isCell = (c: Change, note: string, cid: string) => new TextDecoder().decode(c[1]).endsWith(note) && c[2] === cid;
  const pkOf = (sent: Change[], note: string) => sent.find((c) => new TextDecoder().decode(c[1]).endsWith(note))![1];

  it("a ciphertext moved to another cell (another column, another row)", async () => {
    const { b, refused, stored } = await tryTrick((sent) => {
      const body = sent.find((c) => isCell(c, "n1", "body"))!;
      return sent.map((c): Change => {
        if (isCell(c, "n1", "title")) return [c[0], c[1], c[2], body[3], c[4], c[5], c[6], c[7], c[8]]; // body's value into title
        if (isCell(c, "n2", "body")) return [c[0], pkOf(sent, "n1"), c[2], c[3], c[4], c[5], c[6], c[7], c[8]]; // n2's body onto n1
        return c;
      });
    });
    expect(refused.map((r) => r.reason)).toEqual([expect.stringMatching(/does not decrypt for this cell/), expect.stringMatching(/does not decrypt for this cell/)]);
    expect(stored).toHaveLength(2);
    // n1's title never arrived (refused), its body did; n2 has its title; no moved value anywhere.
    expect(await rowsOf(b.db, "SELECT id, title, body FROM notes ORDER BY id")).toEqual([
      ["n1", "", "secret body"],
      ["n2", "other note", ""],
    ]);
  });

  it("a value replayed under newer clocks (a higher col_version or causal length, so it would win)", async () => {
    const { b, refused } = await tryTrick((sent) =>
      sent.map((c): Change => {
        if (isCell(c, "n1", "title")) return [c[0], c[1], c[2], c[3], c[4] + 5n, c[5], c[6], c[7], c[8]];
        if (isCell(c, "n2", "title")) return [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7] + 2n, c[8]];
        return c;
      }),
    );
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.reason).toMatch(/replayed under other clocks/);
    expect(await rowsOf(b.db, "SELECT id, title FROM notes ORDER BY id")).toEqual([
      ["n1", ""],
      ["n2", ""],
    ]);
    expect(await rowsOf(b.db, "SELECT count(*) FROM crsql_changes WHERE cid = 'title' AND col_version > 1")).toEqual([[0]]);
  });

  it("a truncated envelope", async () => {
    const { b, refused } = await tryTrick((sent) =>
      sent.map((c): Change => (isCell(c, "n1", "title") ? [c[0], c[1], c[2], (c[3] as Uint8Array).subarray(0, 40), c[4], c[5], c[6], c[7], c[8]] : isCell(c, "n1", "body") ? [c[0], c[1], c[2], (c[3] as Uint8Array).subarray(0, (c[3] as Uint8Array).length - 1), c[4], c[5], c[6], c[7], c[8]] : c)),
    );
    expect(refused.map((r) => r.reason)).toEqual([expect.stringMatching(/not a valid encrypted value \(encrypted value of 40 bytes is shorter/), expect.stringMatching(/does not decrypt/)]);
    expect(await rowsOf(b.db, "SELECT title, body FROM notes WHERE id = 'n1'")).toEqual([["", ""]]);
  });

  it("a wrong key generation, and an unknown envelope format", async () => {
    const { b, refused } = await tryTrick((sent) =>
      sent.map((c): Change => {
        const bytes = (c[3] as Uint8Array).slice();
        if (isCell(c, "n1", "title")) bytes[4] = 1; // generation 0 → 1
        else if (isCell(c, "n1", "body")) bytes[0] = ENVELOPE_VERSION + 1;
        else return c;
        return [c[0], c[1], c[2], bytes, c[4], c[5], c[6], c[7], c[8]];
      }),
    );
    expect(refused.map((r) => r.reason).sort()).toEqual([expect.stringMatching(/not a valid encrypted value \(unknown envelope format 2/), expect.stringMatching(/key generation 1, which this device does not have/)]);
    expect(await rowsOf(b.db, "SELECT id, title, body FROM notes ORDER BY id")).toEqual([
      ["n1", "", ""],
      ["n2", "other note", "untouched"],
    ]);
  });

  it("a value of the wrong type for its column, sealed with the right key (a buggy or old device)", async () => {
    const cipher = new CellCipher(ring());
    const { b, refused } = await tryTrick((sent) =>
      sent.map((c): Change => (isCell(c, "n1", "pinned") ? cipher.seal([c[0], c[1], c[2], "yes", c[4], c[5], c[6], c[7], c[8]]) : c)),
    );
    expect(refused.map((r) => r.reason)).toEqual([expect.stringMatching(/wrong value after decryption: notes.pinned is INTEGER but got string/)]);
    expect(await rowsOf(b.db, "SELECT title, pinned FROM notes WHERE id = 'n1'")).toEqual([["public title", 0]]);
  });
});
