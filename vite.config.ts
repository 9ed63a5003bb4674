import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

export default defineConfig({
  root: "web",
  publicDir: "../public",
  plugins: [solid()],
  worker: { format: "es" },
  // The WASM builds are loaded by URL; pre-bundling would move them away from their .wasm files.
  optimizeDeps: { exclude: ["@vlcn.io/wa-sqlite", "@vlcn.io/crsqlite-wasm"] },
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    target: "es2022",
  },
});
