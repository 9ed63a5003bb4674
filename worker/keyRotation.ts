/**
 * The server's side of rotating the account key (after a revoke): checks what it can of the
 * rotation, then in ONE transaction compares-and-sets (the rotating device has seen every entry,
 * the key is still the one it rotates from, every remaining device gets a wrap), records the new
 * generation, replaces the log with the re-encrypted live state and drops the stored snapshot
 * (sealed under the old key, new devices could not open it). Either all of it happens or none: no
 * device ever sees a log half under the old key and half under the new.
 */
import { tags } from "@vlcn.io/ws-common";
import type { ApiKeyRotation } from "../shared/api";
import { invalidReason } from "../shared/changeValidation";
import { envelopeGeneration } from "../shared/envelope";
import { errorMessage } from "../shared/errorMessage";
import { KEY_ID_PATTERN } from "./accountKey";
import { MAX_KEY_TEXT_CHARS, type AccountKeys } from "./accountKeys";
import type { ChangeLogStore } from "./changeLogStore";
import type { SnapshotStore } from "./snapshotStore";
import { decodeDeviceFrame } from "./frames";

/**
 * The largest live state one rotation may carry, as base64 text: under the Workers request body
 * limit (100 MB) with room for the JSON around it.
 */
export const MAX_ROTATION_CHARS = 90 * 1024 * 1024;

export type RotationResult = { ok: true; appended: number } | { ok: false; status: 400 | 409; error: string };

const text = (value: unknown, max = MAX_KEY_TEXT_CHARS) => typeof value === "string" && value.length > 0 && value.length <= max;

function base64UrlBytes(value: string): Uint8Array {
  const binary = atob(value.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (value.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Why the rotation is malformed, or undefined; checked before any storage is touched. */
export function malformedRotation(rotation: ApiKeyRotation): string | undefined {
  if (!Number.isSafeInteger(rotation.expectedHead) || rotation.expectedHead < 0) return "expectedHead must be a sequence number";
  if (!Number.isSafeInteger(rotation.generation) || rotation.generation < 1) return "generation must be a positive integer";
  if (!text(rotation.expectedKeyId) || !text(rotation.wrappedIdKey)) return "send expectedKeyId and wrappedIdKey";
  if (typeof rotation.keyId !== "string" || !KEY_ID_PATTERN.test(rotation.keyId)) return "keyId must be a key id (32 hex digits)";
  if (typeof rotation.wraps !== "object" || rotation.wraps === null) return "send wraps as { deviceId: wrapped }";
  for (const wrapped of Object.values(rotation.wraps)) if (!text(wrapped)) return "every wrap must be a short string";
  if (!text(rotation.changes, MAX_ROTATION_CHARS) || !/^[A-Za-z0-9_-]+$/.test(rotation.changes)) return "send changes as one base64url ws-common Changes frame";
  return undefined;
}

export function rotateAccountKey(store: ChangeLogStore, keys: AccountKeys, snapshots: Pick<SnapshotStore, "delete">, deviceId: string, rotation: ApiKeyRotation): RotationResult {
  const malformed = malformedRotation(rotation);
  if (malformed) return { ok: false, status: 400, error: malformed };
  let msg;
  try {
    msg = decodeDeviceFrame(base64UrlBytes(rotation.changes));
  } catch (error) {
    return { ok: false, status: 400, error: `the live state could not be read: ${errorMessage(error)}` };
  }
  if (msg._tag !== tags.Changes) return { ok: false, status: 400, error: "the live state must be one Changes frame" };
  if (!store.siteOf(msg.sender, deviceId)) return { ok: false, status: 400, error: "the live state's site id is not this device's; sync once first" };
  for (const change of msg.changes) {
    // A rotation happens only on an encrypted account: every value is an envelope of the new generation.
    const reason = invalidReason(change, { encrypted: true });
    if (reason) return { ok: false, status: 400, error: `invalid change refused, nothing replaced: ${reason}` };
    const generation = envelopeGeneration(change[3] as Uint8Array);
    if (generation !== rotation.generation) {
      return { ok: false, status: 400, error: `a value of the new state is sealed with key generation ${generation}, not ${rotation.generation}; nothing replaced` };
    }
  }
  const replaced = store.replaceLog(msg.sender, msg.changes, rotation.expectedHead, () => {
    const problem = keys.rotationProblem(rotation.expectedKeyId, rotation.generation, rotation.keyId, rotation.wraps);
    if (problem) return problem;
    keys.rotate(rotation.generation, rotation.keyId, rotation.wrappedIdKey, rotation.wraps);
    snapshots.delete();
    return undefined;
  });
  return replaced.ok ? replaced : { ok: false, status: 409, error: replaced.error };
}
