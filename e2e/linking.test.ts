/** Linking a new device with a one-time code, and revoking a device, in real Chromium contexts. */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import { secretToPhrase } from "../web/src/crypto/recoveryPhrase";
import { accountSecretOf, addNote, openApp, openSignInLink, showNotes, signedInDevice, waitForNote, waitForSync } from "./app";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

describe("linking and revoking devices", () => {
  const session = browserSession();

  async function newPage(): Promise<Page> {
    const context = await session.context();
    const page = await context.newPage();
    page.on("dialog", (dialog) => void dialog.accept(dialog.type() === "prompt" ? "Renamed tablet" : undefined));
    return page;
  }

  async function showLinkCode(page: Page): Promise<string> {
    await page.locator(".sync-indicator").click();
    await page.getByRole("button", { name: "Show a link code" }).click();
    const code = await page.getByLabel("Link code").getAttribute("data-code");
    await expect.poll(() => page.locator(".qr svg").count()).toBe(1);
    return code!;
  }

  it("a code shown on a signed-in device links a new one, which then syncs", async () => {
    const user = `link-${Date.now()}`;
    const phone = await newPage();
    await signedInDevice(phone, baseUrl, authSecret, user, "phone");
    await addNote(phone, "written on the phone");
    const code = await showLinkCode(phone);

    const tablet = await newPage();
    await openApp(tablet, baseUrl);
    await tablet.locator(".sync-indicator").click();
    await tablet.getByLabel("Link code").fill(`${code.slice(0, 4)}-${code.slice(4).toLowerCase()}`);
    await tablet.getByRole("button", { name: "Link this device" }).click();
    // A typed code alone does not carry the account key: the tablet asks for the recovery phrase.
    const prompt = tablet.locator(".account-key-prompt");
    await prompt.getByLabel("Recovery phrase").fill(secretToPhrase(accountSecretOf(baseUrl, user)!));
    await prompt.getByRole("button", { name: "Use this phrase" }).click();
    await waitForSync(tablet, "synced");
    await waitForNote(tablet, "written on the phone");

    // The same code cannot link a third device.
    const third = await newPage();
    await openApp(third, baseUrl);
    await third.locator(".sync-indicator").click();
    await third.getByLabel("Link code").fill(code);
    await third.getByRole("button", { name: "Link this device" }).click();
    await expect.poll(() => third.getByRole("alert").first().textContent()).toMatch(/already used/);

    // Both devices appear in the list; the phone renames the tablet.
    await phone.getByRole("button", { name: "Close sync settings" }).click();
    await phone.locator(".sync-indicator").click();
    await expect.poll(() => phone.locator(".device").count()).toBe(2);
    const tabletRow = phone.locator(".device", { hasNotText: "(this device)" });
    await tabletRow.getByRole("button", { name: /^Rename/ }).click();
    await expect.poll(() => tabletRow.textContent()).toMatch(/Renamed tablet/);
  });

  it("a QR link signs the new device in by opening it", async () => {
    const user = `qr-${Date.now()}`;
    const phone = await newPage();
    await signedInDevice(phone, baseUrl, authSecret, user, "phone");
    await addNote(phone, "via QR");
    const code = await showLinkCode(phone);
    const laptop = await newPage();
    // The QR code's link: the code, and the account key in the fragment.
    const link = (await phone.locator(".qr").getAttribute("data-link"))!;
    expect(link).toContain(`#link=${code}&key=`);
    await openSignInLink(laptop, link);
    await waitForSync(laptop, "synced");
    await waitForNote(laptop, "via QR");
    expect(laptop.url()).not.toContain(code);
    expect(laptop.url()).not.toContain("key=");
  });

  it("a device refreshes its short access token with a credential that works once; a copy used later revokes it and the other devices are told", async () => {
    const user = `refresh-${Date.now()}`;
    const phone = await newPage();
    await signedInDevice(phone, baseUrl, authSecret, user, "phone");
    const code = await showLinkCode(phone);
    // The tablet's credentials, as the server gives them for its link code; a copy is kept aside.
    const claim = await fetch(`${baseUrl}/api/public/link-claim`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code, name: "Tablet" }) });
    const { deviceId, refresh: copied } = (await claim.json()) as { deviceId: string; refresh: string };
    // Its access token is about to end (30 s left), so the tablet must refresh before it syncs.
    const shortLived = await mintToken(authSecret, { userId: user, deviceId, ttlSeconds: 30 });
    const tablet = await newPage();
    await openApp(tablet, baseUrl);
    const secret = [...accountSecretOf(baseUrl, user)!];
    await tablet.evaluate(
      async ([token, server, refresh, key]) => {
        await window.cobrain.client.signIn(token, server, refresh);
        await window.cobrain.client.accountKey({ action: "adopt", secret: new Uint8Array(key) });
      },
      [shortLived, baseUrl, copied, secret] as const,
    );
    await waitForSync(tablet, "synced");
    await addNote(tablet, "from the tablet");
    await showNotes(phone);
    await waitForNote(phone, "from the tablet");

    // Someone who copied the tablet's first credential uses it: it was spent by the tablet, so
    // the server knows it was copied, refuses it and revokes the tablet at once.
    const replay = await fetch(`${baseUrl}/api/public/token/refresh`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ refresh: copied }) });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toMatch(/already used/);
    await waitForSync(tablet, "error");
    expect(await tablet.locator(".sync-indicator").textContent()).toMatch(/revoked/);
    // The phone is told the next time it syncs.
    await phone.reload();
    await waitForSync(phone, "synced");
    await expect.poll(() => phone.getByRole("alert").filter({ hasText: '"Tablet" was used twice' }).count()).toBe(1);
  });

  it("revoking a device stops its sync at once, keeps its notes, and the others keep syncing", async () => {
    const user = `revoke-${Date.now()}`;
    const keeper = await newPage();
    const lost = await newPage();
    const other = await newPage();
    await signedInDevice(keeper, baseUrl, authSecret, user, "keeper");
    await signedInDevice(lost, baseUrl, authSecret, user, "lost-phone");
    await signedInDevice(other, baseUrl, authSecret, user, "other");
    await addNote(keeper, "before revoking");
    await waitForNote(lost, "before revoking");

    await keeper.locator(".sync-indicator").click();
    await keeper.locator(".device", { hasText: "lost-phone" }).getByRole("button", { name: /^Revoke/ }).click();
    await waitForSync(lost, "error");
    expect(await lost.locator(".sync-indicator").textContent()).toMatch(/revoked/);

    await addNote(keeper, "after revoking");
    await waitForNote(other, "after revoking");
    await lost.reload();
    await waitForNote(lost, "before revoking");
    await waitForSync(lost, "error");
    expect(await lost.locator(".note-title", { hasText: "after revoking" }).count()).toBe(0);
  });
});
