import { describe, expect, it } from "vitest";
import { ImportError, parseNotesJson } from "./importNotes";

describe("parseNotesJson", () => {
  it("reads a list or { notes } and normalises flags to 0/1", () => {
    expect(parseNotesJson('[{"title":"a","pinned":true}]')).toEqual([{ title: "a", body: "", pinned: 1, archived: 0, createdAt: undefined, updatedAt: undefined }]);
    expect(parseNotesJson('{"notes":[{"body":"b","updatedAt":1764000000000}]}')[0]).toMatchObject({ body: "b", updatedAt: 1764000000000 });
  });

  it.each([
    ["not json", /not JSON/],
    ['{"x":1}', /expected a list/],
    ["[1]", /note 1 is not an object/],
    ['[{"pinned":1}]', /neither title nor body/],
  ])("refuses %s with a reason", (text, reason) => {
    expect(() => parseNotesJson(text)).toThrow(ImportError);
    expect(() => parseNotesJson(text)).toThrow(reason);
  });
});
