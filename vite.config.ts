import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";
import solid from "vite-plugin-solid";
import { emptyDatabasePlugin } from "./scripts/emptyDatabasePlugin.ts";

/** The WASM builds are 0.9 and 1.7 MB; Workbox skips files over its 2 MiB default, so leave room. */
const MAX_PRECACHE_FILE_BYTES = 4 * 1024 * 1024;

export default defineConfig({
  root: "web",
  publicDir: "../public",
  plugins: [
    emptyDatabasePlugin(),
    solid(),
    VitePWA({
      // The user decides when to reload into a new version (their unsaved typing comes first).
      registerType: "prompt",
      includeAssets: ["favicon.svg", "icons/apple-touch-icon.png"],
      manifest: {
        name: "CoBrain",
        short_name: "CoBrain",
        description: "Your notes on every device, offline first.",
        theme_color: "#3b3f8f",
        background_color: "#15151d",
        display: "standalone",
        start_url: "/",
        scope: "/",
        icons: [
          { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
          { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
          { src: "/icons/icon-192-maskable.png", sizes: "192x192", type: "image/png", purpose: "maskable" },
          { src: "/icons/icon-512-maskable.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
        ],
      },
      workbox: {
        globPatterns: ["**/*.{js,css,html,svg,png,wasm}"],
        maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES,
        navigateFallback: "/index.html",
        // The sync server's paths are never the app shell.
        navigateFallbackDenylist: [/^\/api\//, /^\/sync/, /^\/health/],
        // Reminder notifications: a click opens the note (public/reminder-sw.js).
        importScripts: ["/reminder-sw.js"],
      },
    }),
  ],
  // The database worker imports the shipped empty database.
  worker: { format: "es", plugins: () => [emptyDatabasePlugin()] },
  // The WASM builds are loaded by URL; pre-bundling would move them away from their .wasm files.
  optimizeDeps: { exclude: ["@vlcn.io/wa-sqlite", "@vlcn.io/crsqlite-wasm"] },
  build: {
    outDir: "../dist",
    emptyOutDir: true,
    target: "es2022",
  },
});
