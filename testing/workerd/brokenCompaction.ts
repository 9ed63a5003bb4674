/**
 * A deliberately broken compaction, for `npm run soak -- --mutant` only: it shows the convergence
 * property can catch a compaction that keeps arrival order instead of cr-sqlite's merge order.
 * Before each change is stored, every entry the log holds for that cell is dropped, so the log
 * keeps the last value to arrive rather than the highest col_version (and its ties).
 * The real ChangeLogStore is untouched; this patches its prototype inside the test isolate.
 */
import type { Change } from "@vlcn.io/ws-common";
import { ChangeLogStore, type PeerCursor } from "../../worker/changeLogStore";
import type { SqlExec } from "../../worker/sqlStore";

export function breakCompaction(): void {
  const append = ChangeLogStore.prototype.append;
  ChangeLogStore.prototype.append = function (this: ChangeLogStore, origin: Uint8Array, changes: readonly Change[], cursor: PeerCursor): number {
    const sql = (this as unknown as { sql: SqlExec }).sql;
    for (const [table, pk, cid] of changes) sql.exec("DELETE FROM log WHERE tbl = ? AND pk = ? AND cid = ?", table, pk.slice().buffer, cid);
    return append.call(this, origin, changes, cursor);
  };
}
