/** The SqlDatabase contract against node:sqlite, the backend the relay's unit tests run on. */
import { sqlStoreContract } from "../testing/sqlStoreContract";
import { NodeSqliteDatabase } from "../testing/nodeSqlStore";

sqlStoreContract("node:sqlite", async (test) => test(new NodeSqliteDatabase()));
