/** The SqlDatabase contract against the real backend: a Durable Object's storage, in workerd. */
import { env, runInDurableObject } from "cloudflare:test";
import { sqlStoreContract } from "../testing/sqlStoreContract";

// Each test gets its own (hence empty, apart from the log's own tables) UserLog's storage.
sqlStoreContract("Durable Object storage", (test) =>
  runInDurableObject(env.USER_LOG.get(env.USER_LOG.idFromName(`sql-contract-${crypto.randomUUID()}`)), (_instance, state) => test(state.storage)),
);
