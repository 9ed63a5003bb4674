/**
 * The account's database snapshot at the server, against the real Worker and UserLog in workerd:
 * stored and returned byte for byte across chunks, every refusal with its status and words, kept
 * per user and behind the same device checks as the rest of /api, and dropped whenever the log
 * it was made from is reset or its key rotated.
 */
import { env, exports } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { encode, tags, type Change } from "@vlcn.io/ws-common";
import { hc } from "hono/client";
import { describe, expect, expectTypeOf, it } from "vitest";
import { SNAPSHOT_SCHEMA_HEADER, SNAPSHOT_SEQ_HEADER, type ApiApp, type ApiKeyRotation, type ApiLogStats, type ApiSnapshotStored } from "../shared/api";
import { SNAPSHOT_MAGIC, SNAPSHOT_MAX_BYTES } from "../shared/constants";
import { Device, envelopeShaped, noteChange, token } from "../testing/workerd/device";
import { AccountKeyStore } from "./accountKey";
import { ChangeLogStore } from "./changeLogStore";
import { SNAPSHOT_CHUNK_BYTES, SnapshotStore } from "./snapshotStore";
import { receiveSnapshot } from "./snapshotUpload";

const K0 = "0".repeat(32);
const K1 = "1".repeat(32);
const MiB = 1024 * 1024;
const freshUser = () => `snap-${crypto.randomUUID().slice(0, 8)}`;
const stub = (userId: string) => env.USER_LOG.get(env.USER_LOG.idFromName(userId));

const call = (bearer: string, path: string, init: RequestInit = {}) =>
  exports.default.fetch(new Request(`http://cobrain.test${path}`, { ...init, headers: { Authorization: `Bearer ${bearer}`, ...(init.headers as Record<string, string>) } }));

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

/** `size` bytes that open with the magic, the rest random (as sealed bytes look). */
function snapshotBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)));
  bytes.set(new TextEncoder().encode(SNAPSHOT_MAGIC).subarray(0, size));
  return bytes;
}

const put = (bearer: string, body: BodyInit | null, headers: Record<string, string> = { [SNAPSHOT_SEQ_HEADER]: "0", [SNAPSHOT_SCHEMA_HEADER]: "1" }) =>
  call(bearer, "/api/snapshot", { method: "PUT", body, headers: { "content-type": "application/octet-stream", ...headers } });
const putAt = (bearer: string, body: BodyInit, seq: number, schema = 1) => put(bearer, body, { [SNAPSHOT_SEQ_HEADER]: String(seq), [SNAPSHOT_SCHEMA_HEADER]: String(schema) });
const get = (bearer: string) => call(bearer, "/api/snapshot");
const stats = async (bearer: string) => (await (await call(bearer, "/api/log/stats")).json()) as ApiLogStats;
const storedChunks = (user: string) => runInDurableObject(stub(user), (_i, state) => Number(state.storage.sql.exec("SELECT count(*) AS n FROM snapshot_chunks").toArray()[0]!.n));

/** A device without a key (from before encryption) pushes one plaintext note to `user`'s log. */
async function pushPlaintext(user: string): Promise<void> {
  const old = await Device.connect(user, { deviceId: "phone" });
  old.announce();
  await old.waitFor(tags.StartStreaming);
  old.push([noteChange("n1", "title", "plain words")]);
  old.ping();
  await old.waitFor(tags.Pong);
}

/** The user's log keeps no snapshot: none in its stats, no chunk left behind. */
async function expectNoSnapshot(bearer: string, user: string): Promise<void> {
  expect((await stats(bearer)).snapshotSeq).toBeNull();
  expect(await storedChunks(user)).toBe(0);
}

/** Stores `bytes` as the snapshot at `seq` straight through the store, as an upload that passed its checks would. */
function storeDirectly(snapshots: SnapshotStore, bytes: Uint8Array, seq: number): void {
  const upload = snapshots.begin();
  for (let i = 0; i * SNAPSHOT_CHUNK_BYTES < bytes.length; i++) snapshots.stage(upload, i, bytes.subarray(i * SNAPSHOT_CHUNK_BYTES, (i + 1) * SNAPSHOT_CHUNK_BYTES));
  snapshots.commit(upload, { seq, schemaVersion: 1, size: bytes.length, device: "phone" }, () => undefined);
}

const note = (id: string, generation: number, dbVersion: bigint) => noteChange(id, "title", envelopeShaped(generation, id), { dbVersion });

/** An account with key K0 whose phone pushed `notes` notes: the log's head is `notes`. */
async function account(notes = 3) {
  const user = freshUser();
  const phone = await token(user, "phone");
  const device = await Device.connect(user, { deviceId: "phone", key: K0 }); // registers K0 (empty log)
  device.announce();
  await device.waitFor(tags.StartStreaming);
  device.push(Array.from({ length: notes }, (_, i) => note(`n${i}`, 0, BigInt(i + 1))));
  device.ping();
  await device.waitFor(tags.Pong);
  expect((await stats(phone)).head).toBe(notes);
  return { user, phone, device };
}

describe("the account's snapshot: stored and returned", () => {
  it("round-trips a snapshot of several chunks byte for byte, with its headers, and stats report it", async () => {
    const { user, phone } = await account(3);
    expect(await stats(phone)).toMatchObject({ head: 3, snapshotSeq: null });
    expect(await json(await get(phone))).toEqual({ status: 404, body: { error: expect.stringMatching(/no snapshot/) } });

    const bytes = snapshotBytes(3 * MiB + 12_345);
    expect(await json(await putAt(phone, bytes, 2, 7))).toEqual({ status: 200, body: { seq: 2, size: bytes.length } });
    expect(await storedChunks(user)).toBe(4); // 1 MiB chunks: three full and a partial one

    const fetched = await get(phone);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get(SNAPSHOT_SEQ_HEADER)).toBe("2");
    expect(fetched.headers.get(SNAPSHOT_SCHEMA_HEADER)).toBe("7");
    expect(fetched.headers.get("content-length")).toBe(String(bytes.length));
    expect(fetched.headers.get("content-type")).toBe("application/octet-stream");
    const back = new Uint8Array(await fetched.arrayBuffer());
    expect(back.length).toBe(bytes.length);
    expect(back.every((b, i) => b === bytes[i])).toBe(true);
    expect(await stats(phone)).toMatchObject({ head: 3, snapshotSeq: 2 });

    // A newer one (or one at the same seq) replaces it whole; the old chunks go with it.
    const newer = snapshotBytes(MiB / 2);
    expect(await json(await putAt(phone, newer, 3))).toEqual({ status: 200, body: { seq: 3, size: newer.length } });
    expect(new Uint8Array(await (await get(phone)).arrayBuffer())).toEqual(newer);
    expect(await storedChunks(user)).toBe(1);
    expect((await putAt(phone, snapshotBytes(100), 3)).status).toBe(200);
    expect(await stats(phone)).toMatchObject({ head: 3, snapshotSeq: 3 });
  });

  it("answers the app's typed client with the declared statuses and shapes", async () => {
    const { phone } = await account(2);
    const api = hc<ApiApp>("http://cobrain.test", {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => exports.default.fetch(new Request(input, init)),
      headers: { Authorization: `Bearer ${phone}` },
    });
    const bytes = snapshotBytes(10_000);
    const stored = await api.api.snapshot.$put({ header: { [SNAPSHOT_SEQ_HEADER]: "2", [SNAPSHOT_SCHEMA_HEADER]: "3" } }, { init: { body: bytes } });
    expect(stored.status).toBe(200);
    if (stored.status !== 200) throw new Error("unreachable");
    const answer = await stored.json();
    expectTypeOf(answer).toEqualTypeOf<ApiSnapshotStored>();
    expect(answer).toEqual({ seq: 2, size: bytes.length });
    const fetched = await api.api.snapshot.$get();
    expect(fetched.status).toBe(200);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(bytes);
  });

  it("stores a snapshot that streams in without a Content-Length", async () => {
    const { phone } = await account(1);
    const bytes = snapshotBytes(2 * MiB + 1);
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writing = (async () => {
      const writer = writable.getWriter();
      for (let at = 0; at < bytes.length; at += 300_000) await writer.write(bytes.slice(at, at + 300_000));
      await writer.close();
    })();
    const stored = put(phone, readable, { [SNAPSHOT_SEQ_HEADER]: "1", [SNAPSHOT_SCHEMA_HEADER]: "1" });
    await writing;
    expect(await json(await stored)).toEqual({ status: 200, body: { seq: 1, size: bytes.length } });
    expect(new Uint8Array(await (await get(phone)).arrayBuffer())).toEqual(bytes);
  });
});

describe("the account's snapshot: refusals", () => {
  it("refuses missing or garbled headers with 400 and says which", async () => {
    const { phone } = await account(1);
    const body = snapshotBytes(64);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ [SNAPSHOT_SCHEMA_HEADER]: "1" }, /send x-snapshot-seq/],
      [{ [SNAPSHOT_SEQ_HEADER]: "one", [SNAPSHOT_SCHEMA_HEADER]: "1" }, /send x-snapshot-seq/],
      [{ [SNAPSHOT_SEQ_HEADER]: "-1", [SNAPSHOT_SCHEMA_HEADER]: "1" }, /send x-snapshot-seq/],
      [{ [SNAPSHOT_SEQ_HEADER]: "1.5", [SNAPSHOT_SCHEMA_HEADER]: "1" }, /send x-snapshot-seq/],
      [{ [SNAPSHOT_SEQ_HEADER]: "99999999999999999999", [SNAPSHOT_SCHEMA_HEADER]: "1" }, /send x-snapshot-seq/],
      [{ [SNAPSHOT_SEQ_HEADER]: "1" }, /send x-snapshot-schema/],
      [{ [SNAPSHOT_SEQ_HEADER]: "1", [SNAPSHOT_SCHEMA_HEADER]: "0" }, /send x-snapshot-schema/],
      [{ [SNAPSHOT_SEQ_HEADER]: "1", [SNAPSHOT_SCHEMA_HEADER]: "1e3" }, /send x-snapshot-schema/],
    ];
    for (const [headers, error] of cases) {
      expect(await json(await put(phone, body, headers))).toEqual({ status: 400, body: { error: expect.stringMatching(error) } });
    }
    expect((await get(phone)).status).toBe(404);
  });

  it("refuses a seq beyond the log's head: a snapshot cannot cover changes the server does not have", async () => {
    const { phone } = await account(3);
    expect(await json(await putAt(phone, snapshotBytes(64), 4))).toEqual({ status: 400, body: { error: expect.stringMatching(/covers the log up to 4.*ends at 3/) } });
    expect((await get(phone)).status).toBe(404);
    expect((await putAt(phone, snapshotBytes(64), 3)).status).toBe(200);
  });

  it("refuses an empty body and one that does not start with the magic bytes", async () => {
    const { user, phone } = await account(1);
    expect(await json(await putAt(phone, new Uint8Array(0), 1))).toEqual({ status: 400, body: { error: expect.stringMatching(/empty/) } });
    expect(await json(await put(phone, null, { [SNAPSHOT_SEQ_HEADER]: "1", [SNAPSHOT_SCHEMA_HEADER]: "1" }))).toEqual({ status: 400, body: { error: expect.stringMatching(/empty/) } });
    const wrong = snapshotBytes(2 * MiB);
    wrong[7] = "2".charCodeAt(0); // CBSNAP02: another format
    expect(await json(await putAt(phone, wrong, 1))).toEqual({ status: 400, body: { error: expect.stringMatching(/not a CoBrain snapshot.*CBSNAP01/) } });
    expect(await json(await putAt(phone, new TextEncoder().encode("CBSNAP"), 1))).toEqual({ status: 400, body: { error: expect.stringMatching(/not a CoBrain snapshot/) } });
    expect((await get(phone)).status).toBe(404);
    expect(await storedChunks(user)).toBe(0); // nothing staged is left behind
  });

  it("refuses a body over the limit with 413: by its Content-Length without reading it, and by counting when there is none", async () => {
    const { user, phone } = await account(1);
    // Declared too large: refused before a byte is read (the body never ends, so reading it would hang).
    const declared = new FixedLengthStream(SNAPSHOT_MAX_BYTES + 1);
    void declared.writable.getWriter().write(snapshotBytes(16));
    expect(await json(await putAt(phone, declared.readable as unknown as BodyInit, 1))).toEqual({ status: 413, body: { error: expect.stringMatching(/larger than 64 MiB/) } });

    // No Content-Length: counted while it streams, refused once past the limit.
    const piece = snapshotBytes(MiB);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = Math.min(piece.length, SNAPSHOT_MAX_BYTES + 1 - sent);
        if (next === 0) return controller.close();
        controller.enqueue(piece.slice(0, next));
        sent += next;
      },
    });
    const counted = await putAt(phone, endless, 1);
    expect(await json(counted)).toEqual({ status: 413, body: { error: expect.stringMatching(/larger than 64 MiB/) } });
    expect(sent).toBe(SNAPSHOT_MAX_BYTES + 1);
    expect((await get(phone)).status).toBe(404);
    expect(await storedChunks(user)).toBe(0);
  }, 60_000);

  it("refuses an account without an account key (409): its devices may be writing plaintext", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    expect(await json(await putAt(phone, snapshotBytes(64), 0))).toEqual({ status: 409, body: { error: expect.stringMatching(/no encryption key/) } });
    // A log from before encryption: plaintext from a device without a key.
    await pushPlaintext(user);
    expect((await stats(phone)).head).toBe(1);
    expect(await json(await putAt(phone, snapshotBytes(64), 1))).toEqual({ status: 409, body: { error: expect.stringMatching(/no encryption key/) } });
    expect((await get(phone)).status).toBe(404);
  });

  it("refuses a snapshot older than the stored one (409); the newer one stays", async () => {
    const { phone } = await account(3);
    const newer = snapshotBytes(1000);
    expect((await putAt(phone, newer, 3)).status).toBe(200);
    expect(await json(await putAt(phone, snapshotBytes(1000), 2))).toEqual({ status: 409, body: { error: expect.stringMatching(/newer snapshot \(up to 3\)/) } });
    expect(new Uint8Array(await (await get(phone)).arrayBuffer())).toEqual(newer);
  });
});

describe("the account's snapshot: whose it is", () => {
  it("another user's token never sees or replaces this user's snapshot", async () => {
    const a = await account(2);
    const mine = snapshotBytes(5000);
    expect((await putAt(a.phone, mine, 2)).status).toBe(200);

    const b = await account(5);
    expect((await get(b.phone)).status).toBe(404);
    expect((await stats(b.phone)).snapshotSeq).toBeNull();
    expect((await putAt(b.phone, snapshotBytes(70), 5)).status).toBe(200); // into B's own account
    expect(new Uint8Array(await (await get(a.phone)).arrayBuffer())).toEqual(mine);
    expect(await stats(a.phone)).toMatchObject({ head: 2, snapshotSeq: 2 });
  });

  it("a revoked device's token is refused, for reading and for writing", async () => {
    const { phone, user } = await account(1);
    const laptop = await token(user, "laptop");
    expect((await putAt(laptop, snapshotBytes(64), 1)).status).toBe(200); // the laptop is seen and may
    expect((await call(phone, "/api/devices/laptop", { method: "DELETE" })).status).toBe(200);
    expect(await json(await get(laptop))).toEqual({ status: 401, body: { error: expect.stringMatching(/revoked device/) } });
    expect((await putAt(laptop, snapshotBytes(64), 1)).status).toBe(401);
    expect((await get(phone)).status).toBe(200);
    expect((await get("not-a-token")).status).toBe(401);
  });
});

describe("the account's snapshot never outlives what it was made for", () => {
  const b64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const frame = (sender: Uint8Array, changes: Change[]) => b64url(encode({ _tag: tags.Changes, sender, since: [0n, 0], changes }));
  const post = (bearer: string, path: string, body: unknown) => call(bearer, path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

  it("is dropped when the account key is rotated, and kept when the rotation is refused", async () => {
    const { user, phone, device } = await account(2);
    expect((await post(phone, "/api/keys/id-key", { keyId: K0, wrappedIdKey: "id-under-k0" })).status).toBe(200);
    expect((await post(phone, "/api/keys/device", { publicKey: "pk-phone" })).status).toBe(200);
    expect((await putAt(phone, snapshotBytes(3 * MiB), 2)).status).toBe(200);
    const rotation = (over: Partial<ApiKeyRotation> = {}): ApiKeyRotation => ({
      expectedHead: 2,
      expectedKeyId: K0,
      generation: 1,
      keyId: K1,
      wrappedIdKey: "id-under-k1",
      wraps: { phone: "for-phone" },
      changes: frame(device.site, [note("n0", 1, 1n), note("n1", 1, 2n)]),
      ...over,
    });

    expect((await post(phone, "/api/keys/rotate", rotation({ expectedKeyId: "k-old" }))).status).toBe(409);
    expect((await stats(phone)).snapshotSeq).toBe(2); // nothing changed, the snapshot neither

    expect((await post(phone, "/api/keys/rotate", rotation())).status).toBe(200);
    expect(await json(await get(phone))).toEqual({ status: 404, body: { error: expect.stringMatching(/no snapshot/) } });
    await expectNoSnapshot(phone, user);
  });

  it("is refused when the key is rotated while it uploads (it was sealed under the old key)", async () => {
    const { user } = await account(2);
    const result = await runInDurableObject(stub(user), async (_i, state) => {
      const snapshots = new SnapshotStore(state.storage);
      const accountKey = new AccountKeyStore(state.storage.sql);
      const store = new ChangeLogStore(state.storage);
      const log = { head: () => store.head, accountKey: () => accountKey.current(), snapshots };
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      const receiving = receiveSnapshot(log, { seq: 2, schemaVersion: 1, device: "phone" }, readable);
      await writer.write(snapshotBytes(SNAPSHOT_CHUNK_BYTES + 10));
      // A rotation commits while the bytes are still arriving.
      state.storage.sql.exec("UPDATE account_key SET key_id = ?, generation = 1 WHERE one = 1", K1);
      await writer.write(snapshotBytes(10));
      await writer.close();
      return { received: await receiving, current: snapshots.current() ?? null };
    });
    expect(result).toEqual({ received: { ok: false, status: 409, error: expect.stringMatching(/rotated while the snapshot was uploading/) }, current: null });
    expect(await storedChunks(user)).toBe(0);
  });

  it("is dropped when a plaintext log is replaced for encryption", async () => {
    const user = freshUser();
    const phone = await token(user, "phone");
    await pushPlaintext(user);
    // No route stores a snapshot without a key; one left from before must still go with the log.
    await runInDurableObject(stub(user), (_i, state) => {
      storeDirectly(new SnapshotStore(state.storage), snapshotBytes(100), 1);
    });
    expect((await stats(phone)).snapshotSeq).toBe(1);

    expect((await post(phone, "/api/keys/init", { keyId: K0, generation: 0, seen: 0 })).status).toBe(200);
    await expectNoSnapshot(phone, user);
  });

  it("a reader never sees a mix: a snapshot replaced while it is read fails the read", async () => {
    const { user } = await account(2);
    const outcome = await runInDurableObject(stub(user), async (_i, state) => {
      const snapshots = new SnapshotStore(state.storage);
      const store = (bytes: Uint8Array, seq: number) => storeDirectly(snapshots, bytes, seq);
      store(snapshotBytes(2 * SNAPSHOT_CHUNK_BYTES), 1);
      const reader = snapshots.read(snapshots.current()!).getReader();
      const first = await reader.read();
      store(snapshotBytes(2 * SNAPSHOT_CHUNK_BYTES), 2);
      const second = await reader.read().then(
        () => "read on",
        (error: Error) => error.message,
      );
      return { first: first.value?.length, second };
    });
    expect(outcome).toEqual({ first: SNAPSHOT_CHUNK_BYTES, second: expect.stringMatching(/replaced while it was being read/) });
  });
});

describe("the account's snapshot: how far it covers the log", () => {
  const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const putCovering = (bearer: string, seq: number, site: string, until: number) =>
    put(bearer, snapshotBytes(1000), { [SNAPSHOT_SEQ_HEADER]: String(seq), [SNAPSHOT_SCHEMA_HEADER]: "1", "x-snapshot-site": site, "x-snapshot-until": String(until) });

  it("extends the maker's cursor over its own pushes, up to the first another device pushed, never past the head it read", async () => {
    // The phone pushed n0–n2 (seqs 1–3); the tablet then pushes t0 (seq 4); the phone n3, n4 (seqs 5–6).
    const { user, phone, device } = await account(3);
    const tablet = await Device.connect(user, { deviceId: "tablet", key: K0 });
    tablet.announce();
    await tablet.waitFor(tags.StartStreaming);
    tablet.push([note("t0", 0, 1n)]);
    tablet.ping();
    await tablet.waitFor(tags.Pong);
    device.push([note("n3", 0, 4n), note("n4", 0, 5n)]);
    device.ping();
    await device.waitFor(tags.Pong);
    expect((await stats(phone)).head).toBe(6);
    // Its cursor 0: seqs 1–3 are its own, 4 is the tablet's.
    expect(await json(await putCovering(phone, 0, hex(device.site), 6))).toEqual({ status: 200, body: { seq: 3, size: 1000 } });
    // Its cursor 4 (it received t0): 5–6 are its own; the head it read bounds it.
    expect(await json(await putCovering(phone, 4, hex(device.site), 5))).toEqual({ status: 200, body: { seq: 5, size: 1000 } });
    expect(await json(await putCovering(phone, 4, hex(device.site), 6))).toEqual({ status: 200, body: { seq: 6, size: 1000 } });
    expect((await stats(phone)).snapshotSeq).toBe(6);
    // Another device's site, a head beyond the log's, a head before the cursor: refused.
    const tabletToken = await token(user, "tablet");
    expect(await json(await putCovering(tabletToken, 6, hex(device.site), 6))).toEqual({ status: 400, body: { error: expect.stringMatching(/not this device's/) } });
    expect(await json(await putCovering(phone, 6, hex(device.site), 7))).toEqual({ status: 400, body: { error: expect.stringMatching(/log ends at 6/) } });
    expect((await putCovering(phone, 6, hex(device.site), 5)).status).toBe(400);
    expect((await putCovering(phone, 6, "xyz", 6)).status).toBe(400);
  });

  it("stats name the server's site, and a snapshot can be removed", async () => {
    const { user, phone } = await account(2);
    const site = await runInDurableObject(stub(user), (_i, state) => state.storage.sql.exec("SELECT value FROM meta WHERE key = 'server_site_id'").toArray()[0]?.value);
    expect(site).toBeInstanceOf(ArrayBuffer);
    expect((await stats(phone)).serverSite).toBe(hex(new Uint8Array(site as ArrayBuffer)));
    expect((await putAt(phone, snapshotBytes(100), 2)).status).toBe(200);
    expect(await json(await call(phone, "/api/snapshot", { method: "DELETE" }))).toEqual({ status: 200, body: { deleted: true } });
    expect((await get(phone)).status).toBe(404);
    expect((await stats(phone)).snapshotSeq).toBeNull();
    expect(await json(await call(phone, "/api/snapshot", { method: "DELETE" }))).toEqual({ status: 200, body: { deleted: false } });
  });
});
