/**
 * Rotating the account key after a revoke, on a remaining device (worker thread):
 *
 * 1. sync stops here, so nothing this device writes meanwhile reaches the old log unseen;
 * 2. the next generation's secret is made; the idKey is carried (ids must not change);
 * 3. the whole live state (every row of crsql_changes: this device has everything the server
 *    has, or the compare-and-set refuses) is sealed under the new key;
 * 4. the new secret is sealed for every remaining device's ECDH key (the revoked one is not
 *    listed by the server, so it gets nothing);
 * 5. the server swaps log and key in one transaction (worker/keyRotation.ts) and tells every
 *    open socket KeyRotated; a device offline now fetches its sealed key when it reconnects;
 * 6. only then this device keeps the new key, and syncs again (its writes from step 1 on go out
 *    under the new key).
 */
import { encode, tags, type Change } from "@vlcn.io/ws-common";
import type { ApiKeyRotation } from "../../../shared/api";
import { changeColumns, rowToChange } from "../db-worker/changes";
import type { SyncClient } from "../sync/syncClient";
import { toBase64Url } from "./bytes";
import { CellCipher } from "./cellCipher";
import { newSecret } from "./keyDerivation";
import { PHRASE_TO_SHOW_SETTING, writeSetting } from "./keyDistribution";
import { accountKeyFrom, DeviceKeyring } from "./keyStore";
import { wrapIdKey, wrapSecretForDevice } from "./keyWrap";

const LIVE_STATE = `SELECT ${changeColumns("NULL")} FROM crsql_changes ORDER BY db_version, seq`;

/** Attempts when another device's change reached the server first (step 3 must see everything). */
const ROTATION_ATTEMPTS = 4;
/** How long to let sync catch up before the next attempt. */
const CATCH_UP_WAIT_MS = 10_000;

/** A compare-and-set the server refused because it holds changes this device has not received. */
class BehindServer extends Error {}

export async function rotateAccountKey(sync: SyncClient, keyring: DeviceKeyring): Promise<{ generation: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rotateOnce(sync, keyring);
    } catch (error) {
      if (!(error instanceof BehindServer) || attempt >= ROTATION_ATTEMPTS) throw error;
      await caughtUp(sync);
    }
  }
}

/** Waits (bounded) until sync says everything is received and acknowledged. */
async function caughtUp(sync: SyncClient): Promise<void> {
  const deadline = Date.now() + CATCH_UP_WAIT_MS;
  await new Promise((resolve) => setTimeout(resolve, 200)); // a fresh connection's first pages
  while (Date.now() < deadline && sync.status.state !== "synced" && sync.status.state !== "held") {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function rotateOnce(sync: SyncClient, keyring: DeviceKeyring): Promise<{ generation: number }> {
  const session = sync.sessionApi();
  if (!session) throw new Error("sign in first: a rotation replaces the key on the server");
  const current = keyring.current();
  if (!current) throw new Error("this device does not hold the account key, so it cannot change it");
  const { api } = session;

  sync.stop();
  try {
    const next = accountKeyFrom(newSecret(), current.generation + 1, current.idKey);
    const { siteId, expectedHead, state } = await sync.exclusive(async (db) => ({
      siteId: (await db.exec("SELECT crsql_site_id()")).rows[0]![0] as Uint8Array,
      // Devices track only the server: its last sequence number this device received.
      expectedHead: Number((await db.exec("SELECT max(version) FROM crsql_tracked_peers")).rows[0]![0] ?? 0),
      state: (await db.exec(LIVE_STATE)).rows.map(rowToChange),
    }));
    const cipher = await CellCipher.create(new DeviceKeyring([next], next.generation));
    const sealed: Change[] = state.map((change) => cipher.seal(change));

    const devices = await api.api.keys.devices.$get();
    if (devices.status !== 200) throw new Error(`the server could not list the devices (${devices.status})`);
    const wraps: Record<string, string> = {};
    for (const { deviceId, publicKey } of await devices.json()) {
      wraps[deviceId] = await wrapSecretForDevice(next.secret, next.generation, deviceId, JSON.parse(publicKey) as JsonWebKey);
    }
    const rotation: ApiKeyRotation = {
      expectedHead,
      expectedKeyId: current.keyId,
      generation: next.generation,
      keyId: next.keyId,
      wrappedIdKey: await wrapIdKey(next.secret, next.idKey),
      wraps,
      changes: toBase64Url(encode({ _tag: tags.Changes, sender: siteId, since: [0n, 0], changes: sealed })),
    };
    const response = await api.api.keys.rotate.$post({ json: rotation });
    if (response.status !== 200) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      const message = `the key was not changed: ${body.error ?? `the server answered ${response.status}`}`;
      throw response.status === 409 && /has not seen/.test(body.error ?? "") ? new BehindServer(message) : new Error(message);
    }
    await sync.exclusive(async (db) => {
      await keyring.adopt(db, next);
      await writeSetting(db, PHRASE_TO_SHOW_SETTING, String(next.generation)); // the phrase changed
    });
    return { generation: next.generation };
  } finally {
    await sync.resume();
  }
}
