/**
 * What each refusal means to the person using the app: every close code and HTTP refusal of the
 * sync server has its own problem and action, so a refusal never reads as "Offline" (DESIGN §9).
 * Offline is only for a network or server that cannot be reached.
 */
import { CloseCode } from "./syncProtocol";

export interface Refusal {
  /** The problem, in the app's words. */
  problem: string;
  /** What the person can do about it. */
  action: string;
  /** Reconnecting cannot help until something changes on the device (sign in, update). */
  final: boolean;
}

const REFUSALS: Record<number, Refusal> = {
  [CloseCode.Unauthorized]: { problem: "This device's sign-in is no longer valid", action: "Sign in again", final: true },
  [CloseCode.Forbidden]: { problem: "This device is not allowed into these notes", action: "Sign in again", final: true },
  [CloseCode.SchemaMismatch]: { problem: "This version of the app does not match the server", action: "Update the app", final: true },
  [CloseCode.InvalidChange]: {
    problem: "The server refused a change from this device",
    action: "Update the app; if that does not help, export a backup and report the problem",
    final: true,
  },
  [CloseCode.WrongAccountKey]: {
    problem: "This device has an old or wrong key for these notes",
    action: "Get the current key from another of your devices (recovery phrase or QR link)",
    final: true,
  },
  [CloseCode.NeedsAccountKey]: {
    problem: "This device needs the account key to sync",
    action: "Enter your recovery phrase, or open the QR link shown on one of your devices",
    final: true,
  },
  [CloseCode.FrameTooLarge]: { problem: "This note is too large to sync", action: "Shorten or split the note", final: false },
  [CloseCode.ServerError]: { problem: "The server had a problem, retrying", action: "Nothing to do: your changes are kept on this device", final: false },
  [CloseCode.TooManyConnections]: {
    problem: "Too many windows or devices are syncing at once",
    action: "Close other windows of the app; retrying",
    final: false,
  },
  [CloseCode.TooManyReconnects]: { problem: "The server asked this device to wait", action: "Nothing to do: retrying shortly", final: false },
  [CloseCode.StorageQuota]: { problem: "The server is full for your account", action: "Delete or empty the trash of notes you do not need", final: false },
  [CloseCode.KeyRotated]: { problem: "The account key was changed after a device was revoked", action: "Nothing to do: this device is moving to the new key", final: false },
  [CloseCode.ProtocolError]: { problem: "The server could not read what this device sent", action: "Update the app", final: false },
  [CloseCode.UnsupportedData]: { problem: "The server could not read what this device sent", action: "Update the app", final: false },
};

/** The refusal behind a close code, or undefined for an ordinary disconnect (1000, 1001, 1006…). */
export function refusalOfClose(code: number): Refusal | undefined {
  return REFUSALS[code];
}

/** The close code an HTTP refusal of `/api` stands for, or undefined when it is not a refusal. */
export function closeCodeOfHttp(status: number): number | undefined {
  if (status === 401) return CloseCode.Unauthorized;
  if (status === 403) return CloseCode.Forbidden;
  if (status === 429) return CloseCode.TooManyReconnects;
  if (status === 507) return CloseCode.StorageQuota;
  if (status >= 500) return CloseCode.ServerError;
  return undefined;
}
