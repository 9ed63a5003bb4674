/** Builds the benchmark page (not shipped with the app) from the app's own modules. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { emptyDatabasePlugin } from "../scripts/emptyDatabasePlugin.ts";

export default defineConfig({
  root: fileURLToPath(new URL("./page", import.meta.url)),
  worker: { format: "es", plugins: () => [emptyDatabasePlugin()] },
  optimizeDeps: { exclude: ["@vlcn.io/wa-sqlite", "@vlcn.io/crsqlite-wasm"] },
  build: { outDir: fileURLToPath(new URL("../.tmp/bench-dist", import.meta.url)), emptyOutDir: true, target: "es2022" },
  preview: { host: "127.0.0.1", strictPort: true },
  logLevel: "warn",
});
