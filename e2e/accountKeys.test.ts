/**
 * The account key reaching a new device (issue 14), in real Chromium contexts against the local
 * Worker: by the QR link (the key in the fragment), by the recovery phrase after a typed code,
 * a wrong phrase refused with nothing kept and nothing synced, and a revoke rotating the key.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Change } from "@vlcn.io/ws-common";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import { CellCipher, CellRefusal } from "../web/src/crypto/cellCipher";
import { accountKeyFrom, DeviceKeyring } from "../web/src/crypto/keyStore";
import { phraseToSecret, secretToPhrase } from "../web/src/crypto/recoveryPhrase";
import { accountSecretOf, addNote, openApp, openSignInLink, showNotes, signedInDevice, sql, waitForNote, waitForSync } from "./app";
import { RestartableServer } from "./restartableServer";
import { browserSession } from "./session";
import { ownServerPort } from "./ports";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");
/** The rotation test's own server (it stops it to read the log on disk), on its own port (e2e/ports.ts). */
const RESTART_PORT = ownServerPort("E2E_RESTART_PORT", 8792);

describe("the account key on a new device", () => {
  const session = browserSession();

  async function newPage(): Promise<Page> {
    const page = await (await session.context()).newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    return page;
  }

  /** The account's first device: signed in, its key made, its phrase shown once and noted. */
  async function firstDevice(user: string): Promise<{ page: Page; phrase: string }> {
    const page = await newPage();
    await signedInDevice(page, baseUrl, authSecret, user, "phone");
    const notice = page.locator(".recovery-notice");
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/If you lose this phrase and every device, your notes are lost for good/);
    const phrase = (await notice.locator(".phrase").getAttribute("data-phrase"))!;
    expect(phrase.split(" ")).toHaveLength(24);
    await notice.getByRole("button", { name: "I have written it down" }).click();
    await expect.poll(() => notice.count()).toBe(0);
    return { page, phrase };
  }

  async function showLinkCode(page: Page): Promise<{ code: string; link: string }> {
    await page.locator(".sync-indicator").click();
    await page.getByRole("button", { name: "Show a link code" }).click();
    const code = (await page.getByLabel("Link code").getAttribute("data-code"))!;
    const link = (await page.locator(".qr").getAttribute("data-link"))!;
    return { code, link };
  }

  /** What the server says of the account's key, asked with a fresh token of the user. */
  async function serverKey(user: string): Promise<{ keyId: string | null; generation: number | null }> {
    const token = await mintToken(authSecret, { userId: user, deviceId: "observer" });
    return (await (await fetch(`${baseUrl}/api/keys`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { keyId: string; generation: number };
  }

  async function handshakesOf(user: string, deviceId: string): Promise<number> {
    const token = await mintToken(authSecret, { userId: user, deviceId: "observer" });
    const counts = (await (await fetch(`${baseUrl}/api/sync/handshakes`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { devices: { deviceId: string; total: number }[] };
    return counts.devices.find((d) => d.deviceId === deviceId)?.total ?? 0;
  }

  const deviceIdOf = (page: Page) => page.evaluate(() => window.cobrain.client.syncStatus.deviceId!);

  it("shows the phrase once at setup, and again in Settings only after a confirmation", async () => {
    const user = `phrase-${Date.now()}`;
    const { page, phrase } = await firstDevice(user);
    await page.reload();
    await waitForSync(page, "synced");
    expect(await page.locator(".recovery-notice").count()).toBe(0); // once: noted, not shown again
    await page.locator(".sync-indicator").click();
    await page.getByRole("button", { name: "Show recovery phrase" }).click(); // the confirm() is accepted
    expect(await page.getByLabel("Recovery phrase").getAttribute("data-phrase")).toBe(phrase);
  });

  it("a QR link carries the key in its fragment: the new device reads the notes, and the link leaves the address bar", async () => {
    const user = `qrkey-${Date.now()}`;
    const { page: phone } = await firstDevice(user);
    await addNote(phone, "read through the QR key");
    const { code, link } = await showLinkCode(phone);
    expect(link).toMatch(new RegExp(`#link=${code}&key=[A-Za-z0-9_-]{43}$`));

    const laptop = await newPage();
    await openSignInLink(laptop, link);
    await waitForSync(laptop, "synced");
    await waitForNote(laptop, "read through the QR key");
    expect(laptop.url()).not.toContain("key=");
    expect(await laptop.locator(".account-key-prompt").count()).toBe(0);
    expect(await serverKey(user)).toMatchObject({ generation: 0 });
  });

  it("a typed code alone does not give the key: a wrong phrase is refused, nothing is kept or synced; the right phrase syncs", async () => {
    const user = `typed-${Date.now()}`;
    const { page: phone, phrase } = await firstDevice(user);
    await addNote(phone, "only with the phrase");
    const before = await serverKey(user);
    const { code } = await showLinkCode(phone);

    const tablet = await newPage();
    await openApp(tablet, baseUrl);
    await tablet.locator(".sync-indicator").click();
    await tablet.getByLabel("Link code").fill(code);
    await tablet.getByRole("button", { name: "Link this device" }).click();
    const prompt = tablet.locator(".account-key-prompt");
    await prompt.waitFor();
    await waitForSync(tablet, "error");
    expect(await tablet.locator(".sync-indicator").textContent()).toMatch(/needs the account key/);

    // A phrase with a typo is named before the server is asked.
    const typo = phrase.split(" ");
    typo[2] = `${typo[2]}x`;
    await prompt.getByLabel("Recovery phrase").fill(typo.join(" "));
    await prompt.getByRole("button", { name: "Use this phrase" }).click();
    await expect.poll(() => prompt.getByRole("alert").textContent()).toMatch(/word 3 .* is not a recovery phrase word/);

    // A well-formed phrase of another key: refused, with nothing kept.
    const wrong = secretToPhrase(crypto.getRandomValues(new Uint8Array(32)));
    await prompt.getByLabel("Recovery phrase").fill(wrong);
    await prompt.getByRole("button", { name: "Use this phrase" }).click();
    await expect.poll(() => prompt.getByRole("alert").textContent()).toMatch(/not this account's/);
    await waitForSync(tablet, "error");
    // The device has no account data, never opened a sync socket, and the account's key is unchanged.
    expect(await sql(tablet, "SELECT count(*) FROM notes")).toEqual([[0]]);
    const tabletId = await deviceIdOf(tablet);
    expect(await handshakesOf(user, tabletId)).toBe(0);
    expect(await serverKey(user)).toEqual(before);
    expect(await tablet.evaluate(() => window.cobrain.client.accountKey({ action: "status" }))).toBeNull();

    // The right phrase (typed as people do: numbered, on lines, capitals) and the notes arrive.
    await prompt.getByLabel("Recovery phrase").fill(phrase.split(" ").map((w, i) => `${i + 1}. ${w.toUpperCase()}`).join("\n"));
    await prompt.getByRole("button", { name: "Use this phrase" }).click();
    await waitForSync(tablet, "synced");
    await waitForNote(tablet, "only with the phrase");
    expect(await prompt.count()).toBe(0);
    expect(await handshakesOf(user, tabletId)).toBeGreaterThan(0);
    expect(await serverKey(user)).toEqual(before);
  });
});

/** Every value in `user`'s log on disk, as changes (the server must be stopped). */
function serverLogOf(persistTo: string, user: string): Change[] {
  const dir = join(persistTo, "v3", "do", "cobrain-UserLog");
  for (const file of readdirSync(dir).filter((f) => /^[0-9a-f]{64}\.sqlite$/.test(f))) {
    const db = new DatabaseSync(join(dir, file), { readOnly: true });
    try {
      const owner = db.prepare("SELECT value FROM meta WHERE key = 'owner'").get() as { value: string } | undefined;
      if (owner?.value !== user) continue;
      const rows = db.prepare("SELECT tbl, pk, cid, val, col_version, cl FROM log ORDER BY seq").all() as Array<Record<string, unknown>>;
      return rows.map((r) => [r.tbl as string, new Uint8Array(r.pk as Uint8Array), r.cid as string, new Uint8Array(r.val as Uint8Array), BigInt(r.col_version as number), 1n, null, BigInt(r.cl as number), 0] as Change);
    } finally {
      db.close();
    }
  }
  throw new Error(`no log of ${user} on disk`);
}

/** A cipher that holds only `secret`, as generation `generation`. */
const cipherOf = (secret: Uint8Array, generation: number) => new CellCipher(new DeviceKeyring([accountKeyFrom(secret, generation, new Uint8Array(32))], generation));

describe("revoking a device rotates the account key", () => {
  const session = browserSession();
  const server = new RestartableServer("key-rotation-", RESTART_PORT, authSecret);
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("the remaining devices move to the new key (one offline at the time, with unsent notes), the phrase changes, and the revoked device's key opens nothing written after", async () => {
    const user = `rotate-${Date.now()}`;
    const url = server.url;
    const page = async () => {
      const context = await session.context();
      const p = await context.newPage();
      p.on("dialog", (dialog) => void dialog.accept());
      return p;
    };
    const phone = await page();
    await signedInDevice(phone, url, authSecret, user, "phone");
    const notice = phone.locator(".recovery-notice");
    const oldPhrase = (await notice.locator(".phrase").getAttribute("data-phrase"))!;
    await notice.getByRole("button", { name: "I have written it down" }).click();
    const oldSecret = accountSecretOf(url, user)!;
    const tablet = await page();
    const lost = await page();
    const laptop = await page();
    for (const [device, name] of [[tablet, "tablet"], [lost, "lost"], [laptop, "laptop"]] as const) await signedInDevice(device, url, authSecret, user, name);
    await addNote(phone, "before the revoke");
    for (const device of [tablet, lost, laptop]) await waitForNote(device, "before the revoke");

    console.log("[rotation] four devices synced");
    // The laptop writes while the server is away, and is closed before it could send it.
    await server.stop();
    await addNote(laptop, "written while away");
    const laptopContext = laptop.context();
    await laptop.close();
    await server.start();
    await waitForSync(phone, "synced", 60_000);

    console.log("[rotation] server back");
    await phone.locator(".sync-indicator").click();
    await phone.locator(".device", { hasText: "lost" }).getByRole("button", { name: /^Revoke/ }).click();
    await expect.poll(() => notice.locator("h2").textContent(), { timeout: 30_000 }).toBe("Your new recovery phrase");
    const newPhrase = (await notice.locator(".phrase").getAttribute("data-phrase"))!;
    expect(newPhrase).not.toBe(oldPhrase);
    expect(await notice.textContent()).toMatch(/old recovery phrase no longer works/);
    await notice.getByRole("button", { name: "I have written it down" }).click();

    console.log("[rotation] rotated on the phone");
    // The tablet was online: told at once, it moves to the new key and is told the new phrase too.
    const tabletNotice = tablet.locator(".recovery-notice");
    await expect.poll(() => tabletNotice.locator(".phrase").getAttribute("data-phrase").catch(() => null), { timeout: 30_000 }).toBe(newPhrase);
    await addNote(phone, "after the rotation");
    await waitForNote(tablet, "after the rotation");

    console.log("[rotation] tablet moved");
    // The laptop comes back: it fetches the key sealed for it, gets the new state, sends what it wrote.
    const back = await laptopContext.newPage();
    await openApp(back, url);
    await waitForNote(back, "after the rotation", 30_000);
    await showNotes(phone);
    await waitForNote(phone, "written while away", 30_000);
    await waitForNote(tablet, "written while away");

    console.log("[rotation] laptop moved");
    // The revoked device is refused, and keeps only the old key.
    await lost.reload();
    await waitForSync(lost, "error");
    expect(await lost.locator(".note-title", { hasText: "after the rotation" }).count()).toBe(0);

    // What the server holds now: all sealed with generation 1. The old key opens none of it, even
    // when told it is generation 1; the new phrase opens it, "after the rotation" included.
    await server.stop();
    const log = serverLogOf(server.persistTo, user);
    expect(log.length).toBeGreaterThan(0);
    const newSecret = phraseToSecret(newPhrase);
    const opened = log.map((change) => cipherOf(newSecret, 1).open(change));
    expect(opened.map((c) => c[3])).toEqual(expect.arrayContaining(["before the revoke", "after the rotation", "written while away"]));
    for (const change of log) {
      expect(() => cipherOf(oldSecret, 0).open(change)).toThrow(CellRefusal);
      expect(() => cipherOf(oldSecret, 1).open(change)).toThrow(/does not decrypt/);
    }
    await server.start();
  }, 300_000);
});
