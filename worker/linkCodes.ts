/**
 * LinkCodes: one Durable Object for the deployment (`idFromName("link-codes")`) holding the short
 * one-time codes a signed-in device shows so a new device can join the same user. A code is
 * looked up before anyone knows whose it is, hence one shared store rather than the user's own.
 * Codes expire, work once, and failed claims are limited per address and globally.
 */
import { DurableObject } from "cloudflare:workers";
import {
  LINK_ATTEMPT_WINDOW_MS,
  LINK_ATTEMPTS_GLOBAL,
  LINK_ATTEMPTS_PER_ADDRESS,
  LINK_CODE_ALPHABET,
  LINK_CODE_LENGTH,
  LINK_CODE_TTL_MS,
} from "../shared/constants";

export type ClaimResult = { ok: true; userId: string } | { ok: false; status: 400 | 410 | 429; error: string };

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

  create(userId: string, createdBy: string, now = Date.now()): { code: string; expiresAt: number } {
    this.#sql.exec("DELETE FROM codes WHERE expires_at < ?", now - LINK_CODE_TTL_MS);
    this.#sql.exec("DELETE FROM failed_claims WHERE at < ?", now - LINK_ATTEMPT_WINDOW_MS);
    for (;;) {
      const bytes = crypto.getRandomValues(new Uint8Array(LINK_CODE_LENGTH));
      const code = Array.from(bytes, (b) => LINK_CODE_ALPHABET[b % LINK_CODE_ALPHABET.length]).join("");
      if (this.#sql.exec("SELECT 1 FROM codes WHERE code = ?", code).toArray().length > 0) continue;
      const expiresAt = now + LINK_CODE_TTL_MS;
      this.#sql.exec("INSERT INTO codes (code, user_id, created_by, expires_at) VALUES (?, ?, ?, ?)", code, userId, createdBy, expiresAt);
      return { code, expiresAt };
    }
  }

  /** Spends a code. Every failure counts against the caller's address and against everyone. */
  claim(input: string, address: string, now = Date.now()): ClaimResult {
    const since = now - LINK_ATTEMPT_WINDOW_MS;
    this.#sql.exec("DELETE FROM failed_claims WHERE at < ?", since);
    const failures = (where: string, ...args: unknown[]) =>
      Number(this.#sql.exec(`SELECT count(*) AS n FROM failed_claims WHERE at > ? ${where}`, since, ...args).toArray()[0]!.n);
    if (failures("AND address = ?", address) >= LINK_ATTEMPTS_PER_ADDRESS || failures("") >= LINK_ATTEMPTS_GLOBAL) {
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
    this.#sql.exec("UPDATE codes SET used_at = ? WHERE code = ?", now, code);
    return { ok: true, userId: String(row.user_id) };
  }
}
