/** The editor's draft against reads that race its saves (NoteDraft, no browser needed). */
import { describe, expect, it } from "vitest";
import { NoteDraft } from "./noteDraft";

const opened = (title: string, body: string) => {
  const draft = new NoteDraft();
  draft.stored({ title, body });
  return draft;
};

describe("the editor's draft", () => {
  it("a read taken before a save's write leaves the typed words on screen; the next word goes after them", () => {
    const draft = opened("Old name", "Some text.");
    draft.edit("body", "Some text. one");
    const save = draft.beginSave()!;
    expect(save).toEqual({ text: { body: "Some text. one" }, expected: { body: "Some text." }, keepStored: false });
    // Another device renamed the note; the read it caused was sent before the save reached the worker.
    expect(draft.stored({ title: "New name", body: "Some text." })).toEqual({ title: "New name", body: "Some text. one" });
    draft.saved(save);
    expect(draft.stored({ title: "New name", body: "Some text. one" })).toEqual({ title: "New name", body: "Some text. one" });
    expect(draft.edit("body", "Some text. one two")).toEqual({ title: "New name", body: "Some text. one two" });
    expect(draft.beginSave()).toMatchObject({ text: { body: "Some text. one two" }, expected: { body: "Some text. one" } });
  });

  it("a change stored by another device merges with unsaved typing, and the save starts from it", () => {
    const draft = opened("t", "alpha beta gamma");
    draft.edit("body", "alpha beta gamma delta");
    expect(draft.stored({ title: "t", body: "ALPHA beta gamma" }).body).toBe("ALPHA beta gamma delta");
    expect(draft.beginSave()).toEqual({ text: { body: "ALPHA beta gamma delta" }, expected: { body: "ALPHA beta gamma" }, keepStored: false });
  });

  it("both devices write at the end of the note: every word of both stays, with no conflict, also while typing on", () => {
    const draft = opened("t", "Todo:");
    draft.edit("body", "Todo: call the bank");
    expect(draft.stored({ title: "t", body: "Todo: email the landlord" }).body).toBe("Todo: call the bank email the landlord");
    expect(draft.beginSave()).toMatchObject({ text: { body: "Todo: call the bank email the landlord" }, keepStored: false });

    // The save merged the other device's word in; the person types on the word they were on.
    const other = opened("t", "Todo:");
    other.edit("body", "Todo: call");
    const first = other.beginSave()!;
    other.saved(first);
    other.edit("body", "Todo: calling");
    expect(other.stored({ title: "t", body: "Todo: call email" }).body).toBe("Todo: calling email");
    expect(other.beginSave()).toMatchObject({ text: { body: "Todo: calling email" }, keepStored: false });
  });

  it("a stored change to the same words: the typed words stay, and the save keeps the stored version as a conflict", () => {
    const draft = opened("t", "meet at noon");
    draft.edit("body", "meet at five");
    expect(draft.stored({ title: "t", body: "meet at nine" }).body).toBe("meet at five");
    const save = draft.beginSave()!;
    expect(save).toEqual({ text: { body: "meet at five" }, expected: { body: "meet at nine" }, keepStored: true });
    draft.saved(save);
    draft.edit("body", "meet at five!");
    expect(draft.beginSave()?.keepStored).toBe(false); // kept once, with the save that replaced it
  });

  it("after such a conflict, a line deleted by hand stays deleted when an unrelated read comes", () => {
    const draft = opened("t", "meet at noon\nbring maps");
    draft.edit("body", "meet at five\nbring maps");
    const stored = "meet at nine\nbring maps\nPS bring cake";
    expect(draft.stored({ title: "t", body: stored }).body).toBe("meet at five\nbring maps\nPS bring cake");
    draft.edit("body", "meet at five\nbring maps");
    expect(draft.stored({ title: "t2", body: stored })).toEqual({ title: "t2", body: "meet at five\nbring maps" });
  });

  it("a stored change with nothing unsaved is shown as it is", () => {
    const draft = opened("t", "one");
    expect(draft.stored({ title: "t2", body: "two" })).toEqual({ title: "t2", body: "two" });
    expect(draft.beginSave()).toBeUndefined();
  });

  it("a failed save leaves its text unsaved, and reads skipped while it was on its way apply then", () => {
    const draft = opened("t", "Some text.");
    draft.edit("body", "Some text. one");
    const save = draft.beginSave()!;
    draft.stored({ title: "t", body: "Other start. Some text." });
    expect(draft.failed(save).body).toBe("Other start. Some text. one");
    expect(draft.beginSave()).toMatchObject({ text: { body: "Other start. Some text. one" }, expected: { body: "Other start. Some text." } });
  });

  it("a save that fails right after one that worked changes nothing on screen (no older read comes back)", () => {
    const draft = opened("t", "meet at noon");
    draft.edit("body", "meet at ");
    const first = draft.beginSave()!;
    draft.edit("body", "meet at five");
    draft.saved(first);
    const second = draft.beginSave()!;
    draft.stored({ title: "t", body: "meet at " }); // the read after the first write, while the second is on its way
    expect(draft.failed(second).body).toBe("meet at five");
    expect(draft.beginSave()).toEqual({ text: { body: "meet at five" }, expected: { body: "meet at " }, keepStored: false });
  });

  it("typing after a save began is saved next, from the text that save wrote", () => {
    const draft = opened("t", "a");
    draft.edit("body", "a b");
    const first = draft.beginSave()!;
    draft.edit("body", "a b c");
    draft.stored({ title: "t", body: "a" }); // a read from before the first save: ignored
    draft.saved(first);
    expect(draft.beginSave()).toMatchObject({ text: { body: "a b c" }, expected: { body: "a b" } });
  });

  it("a conflict is kept by one save only, and handed back if that save fails", () => {
    const draft = opened("t", "meet at noon");
    draft.edit("body", "meet at five");
    draft.stored({ title: "t", body: "meet at nine" });
    const first = draft.beginSave()!;
    expect(first.keepStored).toBe(true);
    draft.failed(first);
    expect(draft.beginSave()?.keepStored).toBe(true);
  });

  it("a note deleted for good drops its unsaved typing", () => {
    const draft = opened("t", "a");
    draft.edit("title", "t2");
    draft.discard();
    expect(draft.beginSave()).toBeUndefined();
  });

  it("typing a failed save left is handed on whole and taken back by the next editor, merged with what was stored since", () => {
    const draft = opened("Trip", "meet at noon");
    expect(draft.unsavedWork()).toBeUndefined();
    draft.edit("body", "meet at noon, bring maps");
    draft.failed(draft.beginSave()!);
    const work = draft.unsavedWork()!;
    expect(work).toEqual({ text: { body: "meet at noon, bring maps" }, base: { body: "meet at noon" }, conflicted: [] });

    // The note opened again, after another device changed another word.
    const next = new NoteDraft();
    expect(next.restore(work).body).toBe("meet at noon, bring maps");
    expect(next.stored({ title: "Trip", body: "meet today at noon" })).toEqual({ title: "Trip", body: "meet today at noon, bring maps" });
    expect(next.beginSave()).toEqual({ text: { body: "meet today at noon, bring maps" }, expected: { body: "meet today at noon" }, keepStored: false });
  });

  it("a conflict owed by typing a failed save left is still owed by the editor that takes it back", () => {
    const draft = opened("t", "meet at noon");
    draft.edit("body", "meet at five");
    draft.stored({ title: "t", body: "meet at nine" }); // conflicts with the typing
    draft.failed(draft.beginSave()!);
    const next = new NoteDraft();
    next.restore(draft.unsavedWork()!);
    expect(next.stored({ title: "t", body: "meet at nine" }).body).toBe("meet at five");
    expect(next.beginSave()).toEqual({ text: { body: "meet at five" }, expected: { body: "meet at nine" }, keepStored: true });
  });
  it("what a page closing must keep: the unsaved typing and what a save on its way carries, from the base that save started from, with the conflict it owes", () => {
    const draft = opened("t", "meet at noon");
    draft.edit("body", "meet at five");
    draft.stored({ title: "t", body: "meet at nine" }); // conflicts with the typing
    const onItsWay = draft.beginSave()!;
    draft.edit("title", "Plans");
    expect(draft.unsavedWork()).toEqual({ text: { title: "Plans" }, base: { title: "t" }, conflicted: [] });
    expect(draft.unsavedWork(true)).toEqual({ text: { title: "Plans", body: "meet at five" }, base: { title: "t", body: "meet at nine" }, conflicted: ["body"] });

    // The save landed: only the title is left, and nothing is owed.
    draft.saved(onItsWay);
    expect(draft.unsavedWork(true)).toEqual({ text: { title: "Plans" }, base: { title: "t" }, conflicted: [] });
    draft.saved(draft.beginSave()!);
    expect(draft.unsavedWork(true)).toBeUndefined();
  });
  it("a copy an earlier visit kept, the note unchanged since: taken back and merged as typing, no conflict", () => {
    const next = new NoteDraft();
    const shown = next.restoreUncertain({ text: { body: "meet at noon, bring maps" }, base: { body: "meet at noon" }, conflicted: [] }, { title: "Trip", body: "meet at noon" });
    expect(shown).toEqual({ title: "Trip", body: "meet at noon, bring maps" });
    expect(next.beginSave()).toEqual({ text: { body: "meet at noon, bring maps" }, expected: { body: "meet at noon" }, keepStored: false });
  });

  it("a copy an earlier visit kept, the note changed since (maybe by its own save, then another device): both versions are kept", () => {
    // Its save may have landed, and another device then took "Book hotel X." out again: merging
    // alone would bring those words back unseen, so the stored version is kept as a conflict.
    const next = new NoteDraft();
    const shown = next.restoreUncertain({ text: { body: "Trip plan. Book hotel X." }, base: { body: "Trip plan." }, conflicted: [] }, { title: "Trip", body: "Trip plan. Train at 9." });
    expect(shown.body).toBe("Trip plan. Book hotel X. Train at 9.");
    expect(next.beginSave()).toMatchObject({ text: { body: "Trip plan. Book hotel X. Train at 9." }, keepStored: true });
  });
});
