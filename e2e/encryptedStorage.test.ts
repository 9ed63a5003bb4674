/**
 * The server never sees a note (issue 14): after two Chromium devices of one user sync a note
 * holding a unique marker and a tag, the local server's state files on disk (the Durable Objects'
 * SQLite databases and their journals) contain neither the marker nor the tag's name, while they
 * do contain what the server is meant to know (the user id), so the search itself can find text.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import { addNote, openNote, openSignInLink, signedInDevice, sql, waitForNote, waitForSync } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
const statePath = inject("statePath");

/** Reads a path, or undefined if it went away meanwhile: other test files use the same server at once, and SQLite removes its journals. */
function unlessGone<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function filesUnder(dir: string): string[] {
  return (unlessGone(() => readdirSync(dir)) ?? []).flatMap((name) => {
    const path = join(dir, name);
    const stat = unlessGone(() => statSync(path));
    if (!stat) return [];
    return stat.isDirectory() ? filesUnder(path) : [path];
  });
}

/** The state files that contain `text` (as UTF-8 bytes). */
function filesContaining(text: string): string[] {
  const needle = Buffer.from(text, "utf8");
  return filesUnder(statePath).filter((file) => unlessGone(() => readFileSync(file))?.includes(needle) ?? false);
}

describe("end-to-end encryption: what the server stores", () => {
  const session = browserSession();

  it("after two devices sync a note, the server's files hold neither its unique marker nor its tag name", async () => {
    const suffix = Math.random().toString(36).slice(2, 10);
    const user = `enc-${suffix}`;
    const marker = `zebrafinch${suffix}`;
    const tag = `okapitag${suffix}`;
    const a = await (await session.context()).newPage();
    // The database worker says which cipher it runs (web/src/crypto/aead.ts): libsodium, not the fallback.
    const workerLog: string[] = [];
    a.on("worker", (worker) => worker.on("console", (message) => workerLog.push(message.text())));
    await signedInDevice(a, baseUrl, authSecret, user, "phone");
    const b = await (await session.context()).newPage();
    await signedInDevice(b, baseUrl, authSecret, user, "laptop"); // handed the key the phone made

    await addNote(a, `Title ${marker}`);
    await openNote(a, `Title ${marker}`);
    await a.getByLabel("Body").fill(`the body says ${marker} #${tag} with @Person${suffix}`);
    await waitForNote(b, `Title ${marker}`);
    await expect.poll(() => sql(b, "SELECT body FROM notes")).toEqual([[`the body says ${marker} #${tag} with @Person${suffix}`]]);
    await expect.poll(() => sql(b, "SELECT kind, name FROM entities ORDER BY kind")).toEqual([
      ["person", `Person${suffix}`],
      ["tag", tag],
    ]);
    await waitForSync(a, "synced");
    await waitForSync(b, "synced");
    expect(workerLog.filter((line) => line.startsWith("cell encryption"))).toEqual(["cell encryption: XChaCha20-Poly1305 from libsodium"]);

    expect(filesContaining(user).length).toBeGreaterThan(0); // the search finds what the server does store
    expect(filesContaining(marker)).toEqual([]);
    expect(filesContaining(tag)).toEqual([]);
    expect(filesContaining(`Person${suffix}`)).toEqual([]);
  });

  it("a device signing in to an account that has a key, without holding it, makes no key of its own and does not sync", async () => {
    const user = `nokey-${Math.random().toString(36).slice(2, 10)}`;
    const a = await (await session.context()).newPage();
    await signedInDevice(a, baseUrl, authSecret, user, "phone");
    await addNote(a, "only with the key");
    await waitForSync(a, "synced");
    const key = await a.evaluate(() => window.cobrain.client.exportAccountKey());

    const b = await (await session.context()).newPage();
    await openSignInLink(b, `${baseUrl}/#token=${await mintToken(authSecret, { userId: user, deviceId: "stranger" })}`);
    await waitForSync(b, "error");
    await expect.poll(() => b.locator(".sync-indicator").textContent()).toMatch(/needs the account key/);
    expect(await b.evaluate(() => window.cobrain.client.exportAccountKey())).toBeNull();
    expect(await sql(b, "SELECT count(*) FROM notes")).toEqual([[0]]);
    expect(await a.evaluate(() => window.cobrain.client.exportAccountKey())).toEqual(key); // the account's key is unchanged

    // Given the key (as the recovery phrase or QR link will), it syncs.
    await b.evaluate((k) => window.cobrain.client.adoptAccountKey(k), key!);
    await waitForNote(b, "only with the key", 30_000);
  });
});
