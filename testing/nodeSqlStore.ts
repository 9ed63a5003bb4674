/**
 * `SqlDatabase` on Node's built-in SQLite, so the server's stores and relay run in plain Node
 * tests. Never imported by the deployed Worker. It follows the DO's conventions (blobs as
 * ArrayBuffer, nested transactions as savepoints); sqlStoreContract.ts holds it to them.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { SqlDatabase, SqlExec, SqlRows, SqlValue } from "../worker/sqlStore";

const toInput = (value: SqlValue): SQLInputValue => (value instanceof ArrayBuffer ? new Uint8Array(value) : value);

function toValue(value: unknown): SqlValue {
  if (value instanceof Uint8Array) return value.slice().buffer;
  if (typeof value === "bigint") return Number(value);
  return value as SqlValue;
}

/** `prepare()` compiles only the first statement of a script; the DO runs them all. */
const isScript = (query: string) => /;\s*\S/.test(query.trim());

export class NodeSqliteDatabase implements SqlDatabase {
  readonly sql: SqlExec;
  #depth = 0;

  constructor(readonly db = new DatabaseSync(":memory:")) {
    const size = () => {
      const [pages, pageSize] = ["page_count", "page_size"].map((pragma) => Number(Object.values(this.db.prepare(`PRAGMA ${pragma}`).get()!)[0]));
      return pages! * pageSize!;
    };
    this.sql = {
      exec: (query, ...bindings) => this.#exec(query, bindings),
      get databaseSize() {
        return size();
      },
    };
  }

  #exec(query: string, bindings: SqlValue[]): SqlRows {
    if (isScript(query)) {
      if (bindings.length > 0) throw new Error("a script of several statements cannot take bindings");
      this.db.exec(query);
      return { toArray: () => [], rowsWritten: 0 };
    }
    const statement = this.db.prepare(query);
    const params = bindings.map(toInput);
    if (statement.columns().length === 0) {
      const { changes } = statement.run(...params);
      return { toArray: () => [], rowsWritten: Number(changes) };
    }
    const rows = statement.all(...params).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, toValue(v)])));
    return { toArray: () => rows, rowsWritten: 0 };
  }

  transactionSync<T>(fn: () => T): T {
    const savepoint = `tx${this.#depth++}`;
    this.db.exec(`SAVEPOINT ${savepoint}`);
    try {
      const result = fn();
      this.db.exec(`RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    } finally {
      this.#depth--;
    }
  }
}
