import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forgetTyping, isSavedIn, keepTyping, keptTyping, takeAllTyping, type KeptTyping } from "./keptTyping";

/**
 * Node has no localStorage: a Map behind the Web Storage methods keptTyping.ts calls. The browser's
 * own is what the e2e stories use (e2e/noEditLost.test.ts, "…kept across a reload…").
 */
class MapStorage {
  readonly items = new Map<string, string>();
  full = false;
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    if (this.full) throw new DOMException("quota", "QuotaExceededError");
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const copy = (noteId: string, body: string): KeptTyping => ({ noteId, title: "Trip", error: "", work: { text: { body }, base: { body: "" }, conflicted: [] } });

describe("the device's copy of typing not known to be saved", () => {
  let storage: MapStorage;
  beforeEach(() => {
    storage = new MapStorage();
    (globalThis as { localStorage?: unknown }).localStorage = storage;
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it("keeps one copy per note, the latest, and forgets it", () => {
    expect(keepTyping(copy("a", "one"))).toBe(true);
    expect(keepTyping(copy("b", "two"))).toBe(true);
    expect(keepTyping(copy("a", "one more"))).toBe(true);
    storage.setItem("cobrain.bodyMode", "read"); // the app's other keys are not copies
    expect(keptTyping().sort((x, y) => x.noteId.localeCompare(y.noteId))).toEqual([copy("a", "one more"), copy("b", "two")]);
    forgetTyping("a");
    expect(keptTyping()).toEqual([copy("b", "two")]);
  });

  it("says so when the storage refuses the copy, and finds none where there is no storage", () => {
    storage.full = true;
    expect(keepTyping(copy("a", "one"))).toBe(false);
    delete (globalThis as { localStorage?: unknown }).localStorage;
    expect(keepTyping(copy("a", "one"))).toBe(false);
    expect(keptTyping()).toEqual([]);
  });

  it("skips copies it cannot read, and leaves them where they are", () => {
    storage.setItem("cobrain.unsaved.x", "{not json");
    storage.setItem("cobrain.unsaved.y", JSON.stringify({ ...copy("y", "b"), work: { text: { body: 5 }, base: {}, conflicted: [] } }));
    storage.setItem("cobrain.unsaved.z", JSON.stringify(copy("another note", "b")));
    keepTyping(copy("a", "kept"));
    expect(keptTyping()).toEqual([copy("a", "kept")]);
    expect(storage.items.size).toBe(4);
  });

  it("is saved once the stored note holds every field it kept", () => {
    const both: KeptTyping = { ...copy("a", "body"), work: { text: { title: "T", body: "body" }, base: {}, conflicted: [] } };
    expect(isSavedIn(both, { title: "T", body: "body" })).toBe(true);
    expect(isSavedIn(both, { title: "T", body: "bod" })).toBe(false);
    expect(isSavedIn(both, { title: "", body: "body" })).toBe(false);
  });
  it("an erase takes every copy, readable or not, and puts them back if it fails", () => {
    keepTyping(copy("a", "one"));
    storage.setItem("cobrain.unsaved.x", "{not json");
    storage.setItem("cobrain.bodyMode", "read");
    const putBack = takeAllTyping();
    expect([...storage.items.keys()]).toEqual(["cobrain.bodyMode"]);
    putBack();
    expect(keptTyping()).toEqual([copy("a", "one")]);
    expect(storage.getItem("cobrain.unsaved.x")).toBe("{not json");
  });
});
