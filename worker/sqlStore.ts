/**
 * The seam in front of the SQLite the server's stores run on: the slice of a Durable Object's
 * storage that `ChangeLogStore` uses. Its real implementations are the DO's own `ctx.storage`
 * (structurally, no adapter) and `node:sqlite` (testing/nodeSqlStore.ts) for tests that run without
 * workerd. One contract suite (testing/sqlStoreContract.ts) runs against both.
 *
 * Conventions are the DO's: blobs are bound and returned as ArrayBuffer, integers as number.
 */
export type SqlValue = ArrayBuffer | string | number | null;

export interface SqlRows {
  toArray(): Record<string, SqlValue>[];
  /** Rows an INSERT, UPDATE or DELETE wrote. */
  readonly rowsWritten: number;
}

export interface SqlExec {
  /** Runs one statement with `?` bindings, or a script of statements without bindings. */
  exec(query: string, ...bindings: SqlValue[]): SqlRows;
  /** Bytes the database takes on disk (the DO's `sql.databaseSize`): what the storage quota counts. */
  readonly databaseSize: number;
}

export interface SqlDatabase {
  readonly sql: SqlExec;
  /** Runs `fn` in one transaction: all its writes commit together, or none do if it throws. */
  transactionSync<T>(fn: () => T): T;
}
