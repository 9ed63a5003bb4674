import { encode, tags, type Change } from "@vlcn.io/ws-common";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, MAX_NOTE_TEXT_CHARS, OUTBOUND_FRAME_TARGET_BYTES } from "./constants";
import { CHANGES_FRAME_OVERHEAD_BYTES, changeWireSize } from "./wireSize";

const SITE = new Uint8Array(16).fill(7);
const frame = (changes: Change[]) => encode({ _tag: tags.Changes, sender: SITE, since: [2n ** 63n - 1n, 2 ** 31 - 1], changes });
const estimate = (c: Change) => changeWireSize(c[0], c[1], c[2], c[3]);

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const identifier = fc.stringMatching(/^[a-z_]{1,30}$/);
const value = fc.oneof(fc.constant(null), int64, fc.double(), fc.string({ unit: "binary", maxLength: 300 }), fc.uint8Array({ maxLength: 300 }));
const change = fc.tuple(
  identifier,
  fc.uint8Array({ minLength: 1, maxLength: 80 }),
  identifier,
  value,
  int64,
  int64,
  fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { nil: null }),
  int64,
  fc.integer({ min: 0, max: 2 ** 31 - 1 }),
) as fc.Arbitrary<Change>;

describe("wire size estimate", () => {
  it("is never below a change's real ws-common encoding", () => {
    const empty = frame([]).length;
    fc.assert(
      fc.property(change, (c) => {
        expect(frame([c]).length - empty).toBeLessThanOrEqual(estimate(c));
      }),
    );
  });

  it("covers a frame's own bytes", () => {
    expect(frame([]).length).toBeLessThanOrEqual(CHANGES_FRAME_OVERHEAD_BYTES);
  });

  it("keeps every frame cut at the target under the limit the server enforces", () => {
    // A frame's changes add up to at most the target, or it holds one change alone.
    expect(OUTBOUND_FRAME_TARGET_BYTES + CHANGES_FRAME_OVERHEAD_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    const biggestNote: Change = ["notes", new Uint8Array(40), "body", "€".repeat(MAX_NOTE_TEXT_CHARS), 1n, 1n, SITE, 1n, 0];
    expect(estimate(biggestNote) + CHANGES_FRAME_OVERHEAD_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(frame([biggestNote]).length).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });
});
