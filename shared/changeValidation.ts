/**
 * Checks a change against the app schema before the sync server stores it. One unappliable
 * change in the log would fail the whole batch on every other device, forever, so anything the
 * devices' cr-sqlite could not merge exactly is refused here with a reason.
 * The rules come from the Drizzle schema itself, so they cannot drift from it.
 */
import type { Change } from "@vlcn.io/ws-common";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { envelopeProblem } from "./envelope";
import { PackedPkError, PK_TYPE, unpackPk } from "./packedPk";
import { crrTables } from "./schema";

type ColumnKind = "integer" | "text";

interface ColumnRule {
  kind: ColumnKind;
  notNull: boolean;
}

interface TableRule {
  pk: ColumnKind[];
  /** Primary key columns by name, for checking whole rows (backup restore). */
  pkColumns: Map<string, ColumnRule>;
  columns: Map<string, ColumnRule>;
}

/** cr-sqlite's row sentinel column id. */
export const SENTINEL_CID = "-1";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

function kindOf(sqlType: string): ColumnKind {
  const type = sqlType.toLowerCase();
  if (type === "integer") return "integer";
  if (type === "text") return "text";
  throw new Error(`column type ${sqlType} has no sync rule`);
}

function buildRules(): Map<string, TableRule> {
  const rules = new Map<string, TableRule>();
  for (const table of Object.values(crrTables)) {
    const config = getTableConfig(table);
    const pkNames = new Set([
      ...config.columns.filter((c) => c.primary).map((c) => c.name),
      ...config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
    ]);
    const pk: ColumnKind[] = [];
    const pkColumns = new Map<string, ColumnRule>();
    const columns = new Map<string, ColumnRule>();
    for (const column of config.columns) {
      const kind = kindOf(column.getSQLType());
      if (pkNames.has(column.name)) {
        pk.push(kind);
        pkColumns.set(column.name, { kind, notNull: true });
      } else columns.set(column.name, { kind, notNull: column.notNull });
    }
    rules.set(config.name, { pk, pkColumns, columns });
  }
  return rules;
}

const RULES = buildRules();

/** Quotes untrusted names in messages without letting them grow the message. */
const show = (value: unknown) => JSON.stringify(String(value).slice(0, 64));

function checkValue(value: unknown, rule: ColumnRule, where: string): string | undefined {
  if (value === null || value === undefined) return rule.notNull ? `${where} is NOT NULL but got NULL` : undefined;
  if (typeof value === "boolean") return `${where}: BOOL values cannot be applied by devices; send 0/1`;
  if (rule.kind === "text") return typeof value === "string" ? undefined : `${where} is TEXT but got ${typeof value}`;
  if (typeof value === "bigint") return undefined; // the wire's int64 range is SQLite's
  if (typeof value === "number") {
    // A NUMBER outside int32 is bound as REAL by devices, so replicas would disagree on ties.
    return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX
      ? undefined
      : `${where} is INTEGER; send ${value} as BIGINT`;
  }
  return `${where} is INTEGER but got ${value instanceof Uint8Array ? "a BLOB" : typeof value}`;
}

/**
 * Returns why the change cannot be stored, or undefined when it is fine. `encrypted`: the account
 * uses end-to-end encryption (issue 14), so every value, sentinels included, must be an envelope
 * (shared/envelope.ts: its version byte and length bounds are all the server can check); value
 * types are then checked by the receiving device after decryption (web/src/crypto/receivedCells.ts).
 */
export function invalidReason(change: Change, { encrypted = false }: { encrypted?: boolean } = {}): string | undefined {
  const [table, pk, cid, value, colVersion, dbVersion, , cl, seq] = change;
  const rule = RULES.get(table);
  if (!rule) return `unknown table ${show(table)}`;
  let columns;
  try {
    columns = unpackPk(pk);
  } catch (error) {
    return `${table}: ${error instanceof PackedPkError ? error.message : "unreadable primary key"}`;
  }
  if (columns.length !== rule.pk.length) return `${table}: primary key has ${columns.length} columns, expected ${rule.pk.length}`;
  for (let i = 0; i < columns.length; i++) {
    const expected = rule.pk[i] === "text" ? PK_TYPE.text : PK_TYPE.integer;
    if (columns[i]!.type !== expected) return `${table}: primary key column ${i + 1} should be ${rule.pk[i]}`;
  }
  if (typeof colVersion !== "bigint" || colVersion < 0n || colVersion > MAX_EXACT) return `${table}: col_version out of range`;
  if (typeof cl !== "bigint" || cl < 1n || cl > MAX_EXACT) return `${table}: causal length out of range`;
  if (typeof dbVersion !== "bigint" || dbVersion < 1n || dbVersion > MAX_EXACT) return `${table}: db_version out of range`;
  if (!Number.isInteger(seq) || seq < 0) return `${table}: seq out of range`;
  if (encrypted) {
    if (cid !== SENTINEL_CID && !rule.columns.has(cid)) return `${table}: unknown column ${show(cid)}`;
    const problem = envelopeProblem(value);
    return problem ? `${table}.${cid}: ${problem}` : undefined;
  }
  if (cid === SENTINEL_CID) return value === null ? undefined : `${table}: a row sentinel carries no value`;
  const column = rule.columns.get(cid);
  if (!column) return `${table}: unknown column ${show(cid)}`;
  return checkValue(value, column, `${table}.${cid}`);
}

/**
 * Why a row's value cannot be written to `table.column` as a change the server would accept, or
 * undefined. For whole rows from outside the sync protocol (a backup being restored): JSON has
 * no BigInt, so an exact integer number stands for an INTEGER of any size here.
 */
export function invalidCellReason(table: string, column: string, value: unknown): string | undefined {
  const rule = RULES.get(table);
  if (!rule) return `unknown table ${show(table)}`;
  const columnRule = rule.pkColumns.get(column) ?? rule.columns.get(column);
  if (!columnRule) return `${table}: unknown column ${show(column)}`;
  const exact = typeof value === "number" && Number.isSafeInteger(value) && columnRule.kind === "integer" ? BigInt(value) : value;
  return checkValue(exact, columnRule, `${table}.${column}`);
}
