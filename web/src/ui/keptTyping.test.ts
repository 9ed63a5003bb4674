import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { currentEpoch, forgetTyping, isSavedIn, keepTyping, keptTyping, takeAllTyping, type KeptTyping } from "./keptTyping";

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

const copy = (noteId: string, body: string, more: Partial<KeptTyping> = {}): KeptTyping => ({
  noteId,
  title: "Trip",
  error: "",
  writer: "editor-1",
  epoch: "",
  work: { text: { body }, base: { body: "" }, conflicted: [] },
  ...more,
});

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
    expect([...storage.items.keys()].sort()).toEqual(["cobrain.bodyMode", "cobrain.unsavedEpoch"]);
    putBack();
    expect(keptTyping()).toEqual([copy("a", "one")]);
    expect(storage.getItem("cobrain.unsaved.x")).toBe("{not json");
  });
  it("an editor removes only the copy it wrote; a note deleted for good loses whichever there is", () => {
    keepTyping(copy("a", "from the other tab", { writer: "editor-2" }));
    forgetTyping("a", "editor-1");
    expect(keptTyping()).toEqual([copy("a", "from the other tab", { writer: "editor-2" })]);
    forgetTyping("a", "editor-2");
    expect(keptTyping()).toEqual([]);
    keepTyping(copy("b", "x", { writer: "editor-3" }));
    forgetTyping("b");
    expect(keptTyping()).toEqual([]);
  });

  it("an erase starts a new epoch: a copy written afterwards by an editor opened before it is never offered, and is removed", () => {
    const before = currentEpoch();
    const putBack = takeAllTyping();
    expect(currentEpoch()).not.toBe(before);
    keepTyping(copy("a", "written as the erased page closed", { epoch: before }));
    expect(keptTyping()).toEqual([]);
    expect(storage.items.has("cobrain.unsaved.a")).toBe(false);
    keepTyping(copy("b", "typed after the erase", { epoch: currentEpoch() }));
    expect(keptTyping().map((k) => k.noteId)).toEqual(["b"]);
    putBack(); // the erase failed: the old epoch again
    expect(currentEpoch()).toBe(before);
  });
});
