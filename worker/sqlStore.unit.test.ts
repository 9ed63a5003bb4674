/** The SqlDatabase contract against node:sqlite, the backend the relay's unit tests run on. */
import { sqlStoreContract } from "./sqlStore.contract";
import { NodeSqliteDatabase } from "./sqlStore.node";

sqlStoreContract("node:sqlite", async (test) => test(new NodeSqliteDatabase()));
