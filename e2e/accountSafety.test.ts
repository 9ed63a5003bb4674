/**
 * Account safety, as a person meets it: links ask first, a device belongs to one account, and
 * switching account starts from an empty database, so two accounts' notes never mix.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { mintToken } from "../worker/auth";
import type { ExportedAccountKey } from "../web/src/db/protocol";
import { addNote, handAccountKey, openNote, sql, waitForNote, waitForSync } from "./app";
import { MAX_NOTE_TEXT_CHARS } from "../shared/constants";
import { browserSession } from "./session";

const baseUrl = inject("baseUrl");
const authSecret = inject("authSecret");

const titles = async (page: Page) => ((await sql(page, "SELECT title FROM notes ORDER BY title")) as string[][]).map((r) => r[0]);
const siteId = async (page: Page) => ((await sql(page, "SELECT hex(crsql_site_id())")) as string[][])[0]![0];

describe("links never act silently", () => {
  const session = browserSession();

  async function newPage(): Promise<Page> {
    const context = await session.context();
    return context.newPage();
  }

  /** Opens a sign-in link and answers its question with `choice`. */
  async function openLink(page: Page, link: string) {
    await page.goto(link);
    await page.waitForSelector(".app[data-storage]", { timeout: 30_000 });
    return page.getByRole("dialog", { name: /sign in|other account/i });
  }

  /** Each account's key, made by its first device; later devices are handed it (notes are encrypted end to end). */
  const keys = new Map<string, ExportedAccountKey>();

  async function device(page: Page, userId: string, deviceId: string) {
    const token = await mintToken(authSecret, { userId, deviceId });
    const prompt = await openLink(page, `${baseUrl}/#token=${token}`);
    await expect.poll(() => prompt.textContent()).toContain(userId);
    const key = keys.get(userId);
    if (key) await handAccountKey(page, key);
    await prompt.getByRole("button", { name: `Sign in as ${userId}` }).click();
    await waitForSync(page, "synced");
    if (!key) {
      const made = await page.evaluate(() => window.cobrain.client.exportAccountKey());
      if (made) keys.set(userId, made);
    }
    return token;
  }

  const accountOf = (page: Page) => page.evaluate(() => window.cobrain.client.account());

  it("a sign-in link shows the account and the server and does nothing until asked", async () => {
    const user = `ask-${Date.now()}`;
    const page = await newPage();
    const token = await mintToken(authSecret, { userId: user, deviceId: "asked" });
    const prompt = await openLink(page, `${baseUrl}/#token=${token}`);
    await expect.poll(() => prompt.textContent()).toContain(user);
    expect(await prompt.textContent()).toContain(baseUrl);
    expect(page.url()).not.toContain(token);
    expect(await accountOf(page)).toBeNull();
    await prompt.getByRole("button", { name: "Cancel" }).click();
    expect(await accountOf(page)).toBeNull();
    expect(await page.locator(".sync-indicator").getAttribute("data-sync-state")).toBe("signed-out");
  });

  it("a device of one account refuses another account's link unless the user switches, which starts empty", async () => {
    const stamp = Date.now();
    const alice = `alice-${stamp}`;
    const bob = `bob-${stamp}`;
    const aliceLaptop = await newPage();
    await device(aliceLaptop, alice, "a-laptop");
    await addNote(aliceLaptop, "alice private");
    const bobPhone = await newPage();
    await device(bobPhone, bob, "b-phone");
    await addNote(bobPhone, "bob private");

    // Bob shows a link code; the link reaches Alice's laptop (a crafted or mistaken link).
    await bobPhone.locator(".sync-indicator").click();
    await bobPhone.getByRole("button", { name: "Show a link code" }).click();
    await bobPhone.getByLabel("Link code").waitFor();
    // The QR code's link: the code, and the account key in the fragment (notes are encrypted end to end).
    const link = (await bobPhone.locator(".qr").getAttribute("data-link"))!;
    const aliceSite = await siteId(aliceLaptop);

    // Declining leaves everything as it was, and the code is not spent.
    let prompt = await openLink(aliceLaptop, link);
    await expect.poll(() => prompt.textContent()).toContain(bob);
    expect(await prompt.textContent()).toContain(alice);
    await prompt.getByRole("button", { name: `Keep this device for ${alice}` }).click();
    await waitForSync(aliceLaptop, "synced");
    expect(await titles(aliceLaptop)).toEqual(["alice private"]);
    expect(await siteId(aliceLaptop)).toBe(aliceSite);
    expect(await aliceLaptop.locator(".sync-indicator").textContent()).not.toContain(bob);

    // The worker refuses another account's token even when asked directly (no UI).
    const bobToken = await mintToken(authSecret, { userId: bob, deviceId: "sneaky" });
    const refused = await aliceLaptop.evaluate((t) => window.cobrain.client.signIn(t).then(() => "accepted", (e: Error) => e.message), bobToken);
    expect(refused).toMatch(/belongs to/);

    // Alice's typing whose save failed, of which the laptop keeps a copy (web/src/ui/keptTyping.ts).
    const keptCopies = () => aliceLaptop.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("cobrain.unsaved.")));
    await openNote(aliceLaptop, "alice private");
    await aliceLaptop.getByLabel("Body").fill(`${"word ".repeat(MAX_NOTE_TEXT_CHARS / 5)}alice only`);
    await aliceLaptop.keyboard.press("Escape");
    await expect.poll(keptCopies).toHaveLength(1);

    // Accepting offers an export, then starts from an empty database for Bob.
    prompt = await openLink(aliceLaptop, link);
    await prompt.getByRole("button", { name: `Use this device for ${bob}` }).click();
    await expect.poll(() => prompt.getByRole("button", { name: /Export a backup first/ }).count()).toBe(1);
    const [download] = await Promise.all([aliceLaptop.waitForEvent("download"), prompt.getByRole("button", { name: /Export a backup first/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/cobrain-backup/);
    await prompt.getByRole("button", { name: `Erase this device and sign in as ${bob}` }).click();
    await waitForNote(aliceLaptop, "bob private", 30_000);
    await waitForSync(aliceLaptop, "synced");
    expect(await titles(aliceLaptop)).toEqual(["bob private"]);
    expect(await siteId(aliceLaptop)).not.toBe(aliceSite);
    // Alice's kept typing went with her notes: Bob is offered nothing of it.
    expect(await keptCopies()).toEqual([]);
    expect(await aliceLaptop.getByRole("alert").filter({ hasText: "Your last changes" }).count()).toBe(0);
    await addNote(aliceLaptop, "bob on the old laptop");
    await waitForSync(aliceLaptop, "synced");

    // A new device of Bob's never sees Alice's note; Alice's account gains nothing of Bob's.
    const bobTablet = await newPage();
    await device(bobTablet, bob, "b-tablet");
    await waitForNote(bobTablet, "bob on the old laptop");
    expect(await titles(bobTablet)).toEqual(["bob on the old laptop", "bob private"]);
    const aliceTablet = await newPage();
    const aliceToken = await device(aliceTablet, alice, "a-tablet");
    await waitForNote(aliceTablet, "alice private");
    expect(await titles(aliceTablet)).toEqual(["alice private"]);
    // The laptop left Alice's account on her server too: it is revoked there.
    const devices = (await (await fetch(`${baseUrl}/api/devices`, { headers: { Authorization: `Bearer ${aliceToken}` } })).json()) as Array<{ deviceId: string; revokedAt: number | null }>;
    expect(devices.find((d) => d.deviceId === "a-laptop")?.revokedAt).not.toBeNull();
  });

  it("sign-out on a shared computer revokes the device and can erase its data", async () => {
    const user = `shared-${Date.now()}`;
    const page = await newPage();
    page.on("dialog", (dialog) => void dialog.accept());
    const token = await device(page, user, "library-pc");
    await addNote(page, "written at the library");
    const site = await siteId(page);
    expect(await accountOf(page)).toEqual({ userId: user, serverUrl: baseUrl });
    // The page itself cannot read the device's credentials.
    await expect(sql(page, "SELECT value FROM local_settings")).rejects.toThrow(/cannot be read or changed/);
    // Typing whose save failed, of which the device keeps a copy (web/src/ui/keptTyping.ts).
    const keptCopies = () => page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith("cobrain.unsaved.")));
    await openNote(page, "written at the library");
    await page.getByLabel("Body").fill(`${"word ".repeat(MAX_NOTE_TEXT_CHARS / 5)}private`);
    await page.keyboard.press("Escape");
    await expect.poll(keptCopies).toHaveLength(1);
    await page.locator(".sync-indicator").click();
    await page.getByRole("button", { name: "Sign out and also erase this device's data" }).click();
    await expect.poll(() => siteId(page).catch(() => site), { timeout: 30_000 }).not.toBe(site);
    await waitForSync(page, "signed-out");
    expect(await titles(page)).toEqual([]);
    // The copy went with the notes: nothing of them is offered back.
    expect(await keptCopies()).toEqual([]);
    expect(await page.getByRole("alert").filter({ hasText: "Your last changes" }).count()).toBe(0);
    expect(await accountOf(page)).toBeNull();
    // The server refuses the device's last token: it is revoked, not only forgotten here.
    const me = await fetch(`${baseUrl}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
  });
});
