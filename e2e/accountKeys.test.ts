/**
 * The account key reaching a new device (issue 14), in real Chromium contexts against the local
 * Worker: by the QR link (the key in the fragment), by the recovery phrase after a typed code,
 * and a wrong phrase refused with nothing kept and nothing synced.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import { secretToPhrase } from "../web/src/crypto/recoveryPhrase";
import { addNote, openApp, openSignInLink, signedInDevice, sql, waitForNote, waitForSync } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

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
