/**
 * LinkCodes: one Durable Object for the deployment (`idFromName("link-codes")`) holding the short
 * one-time codes a signed-in device shows so a new device can join the same user. A code is
 * looked up before anyone knows whose it is, hence one shared store rather than the user's own.
 * Codes expire, work once, are capped per user, end with the device that opened them, and
 * failed claims are limited per address (an IPv6 /64 counts as one) and globally.
 */
import { DurableObject } from "cloudflare:workers";
import {
  LINK_ATTEMPT_WINDOW_MS,
  LINK_ATTEMPTS_GLOBAL,
  LINK_ATTEMPTS_PER_ADDRESS,
  LINK_CODE_ALPHABET,
  LINK_CODE_LENGTH,
  LINK_CODE_TTL_MS,
  LINK_CODES_OPEN_PER_USER,
} from "../shared/constants";

export type ClaimResult = { ok: true; userId: string } | { ok: false; status: 400 | 410 | 429; error: string };
export type CreateResult = { ok: true; code: string; expiresAt: number } | { ok: false; status: 429; error: string };

/**
 * The unit the per-address limit counts: an IPv4 address as it is, an IPv6 address as its /64
 * (one subscriber or server usually holds a whole /64 and can rotate through it at will).
 */
export function addressGroup(address: string): string {
  if (!address.includes(":")) return address;
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail === undefined ? [] : tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(":")}::/64`;
}

/** What a person may type for a code: case, spaces, dashes and look-alike letters forgiven. */
export function normaliseCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

export class LinkCodes extends DurableObject {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_by TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER);
      CREATE TABLE IF NOT EXISTS failed_claims (address TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS failed_claims_by_address ON failed_claims (address, at);
    `);
  }

  create(userId: string, createdBy: string, now = Date.now()): CreateResult {
    this.#sql.exec("DELETE FROM codes WHERE expires_at < ?", now - LINK_CODE_TTL_MS);
    this.#sql.exec("DELETE FROM failed_claims WHERE at < ?", now - LINK_ATTEMPT_WINDOW_MS);
    const open = Number(this.#sql.exec("SELECT count(*) AS n FROM codes WHERE user_id = ? AND used_at IS NULL AND expires_at >= ?", userId, now).toArray()[0]!.n);
    if (open >= LINK_CODES_OPEN_PER_USER) {
      return { ok: false, status: 429, error: `you already have ${open} open link codes; use one or wait ten minutes for them to expire` };
    }
    for (;;) {
      const bytes = crypto.getRandomValues(new Uint8Array(LINK_CODE_LENGTH));
      const code = Array.from(bytes, (b) => LINK_CODE_ALPHABET[b % LINK_CODE_ALPHABET.length]).join("");
      if (this.#sql.exec("SELECT 1 FROM codes WHERE code = ?", code).toArray().length > 0) continue;
      const expiresAt = now + LINK_CODE_TTL_MS;
      this.#sql.exec("INSERT INTO codes (code, user_id, created_by, expires_at) VALUES (?, ?, ?, ?)", code, userId, createdBy, expiresAt);
      return { ok: true, code, expiresAt };
    }
  }

  /** A revoked device's open codes end with it. */
  revokeCodesBy(userId: string, deviceId: string): number {
    return this.#sql.exec("DELETE FROM codes WHERE user_id = ? AND created_by = ? AND used_at IS NULL", userId, deviceId).rowsWritten;
  }

  /** Whose account a code opens, without spending it (so a device can ask its user first). */
  peek(input: string, address: string, now = Date.now()): ClaimResult {
    return this.#check(input, address, now);
  }

  /** Spends a code. Every failure counts against the caller's address and against everyone. */
  claim(input: string, address: string, now = Date.now()): ClaimResult {
    const checked = this.#check(input, address, now);
    if (checked.ok) this.#sql.exec("UPDATE codes SET used_at = ? WHERE code = ?", now, normaliseCode(input));
    return checked;
  }

  #check(input: string, rawAddress: string, now: number): ClaimResult {
    const address = addressGroup(rawAddress);
    const since = now - LINK_ATTEMPT_WINDOW_MS;
    this.#sql.exec("DELETE FROM failed_claims WHERE at < ?", since);
    const failures = (where: string, ...args: unknown[]) =>
      Number(this.#sql.exec(`SELECT count(*) AS n FROM failed_claims WHERE at > ? ${where}`, since, ...args).toArray()[0]!.n);
    const mine = failures("AND address = ?", address);
    // The global cap only holds back addresses that have already guessed wrong: a client that
    // floods from many addresses cannot stop someone else's first, correct claim.
    if (mine >= LINK_ATTEMPTS_PER_ADDRESS || (mine > 0 && failures("") >= LINK_ATTEMPTS_GLOBAL)) {
      return { ok: false, status: 429, error: "too many wrong codes; wait ten minutes and try again" };
    }
    const fail = (status: 400 | 410, error: string): ClaimResult => {
      this.#sql.exec("INSERT INTO failed_claims (address, at) VALUES (?, ?)", address, now);
      return { ok: false, status, error };
    };
    const code = normaliseCode(input);
    if (code.length !== LINK_CODE_LENGTH) return fail(400, `a link code has ${LINK_CODE_LENGTH} characters`);
    const row = this.#sql.exec("SELECT user_id, expires_at, used_at FROM codes WHERE code = ?", code).toArray()[0];
    if (!row) return fail(400, "unknown link code");
    if (row.used_at !== null) return fail(410, "this link code was already used; ask for a new one");
    if (Number(row.expires_at) < now) return fail(410, "this link code has expired; ask for a new one");
    return { ok: true, userId: String(row.user_id) };
  }
}
