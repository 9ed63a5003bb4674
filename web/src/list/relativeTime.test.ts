import { describe, expect, it } from "vitest";
import { isoDateTime } from "../i18n/i18n";
import { relativeTime } from "./relativeTime";

const now = Date.UTC(2026, 11, 1, 12, 0, 0);
const min = 60_000;
const hour = 60 * min;
const day = 24 * hour;

describe("relativeTime", () => {
  it("says now for the last moments, then counts minutes, hours and days", () => {
    expect(relativeTime(now - 5_000, now, "en")).toBe("now");
    expect(relativeTime(now - 3 * min, now, "en")).toBe("3 minutes ago");
    expect(relativeTime(now - 59 * min, now, "en")).toBe("59 minutes ago");
    expect(relativeTime(now - 90 * min, now, "en")).toBe("2 hours ago");
    expect(relativeTime(now - day, now, "en")).toBe("yesterday");
    expect(relativeTime(now - 3 * day, now, "en")).toBe("3 days ago");
  });

  it("moves to weeks, months and years", () => {
    expect(relativeTime(now - 8 * day, now, "en")).toBe("last week");
    expect(relativeTime(now - 65 * day, now, "en")).toBe("2 months ago");
    expect(relativeTime(now - 800 * day, now, "en")).toBe("2 years ago");
  });

  it("handles a time ahead of this device's clock (another device's)", () => {
    expect(relativeTime(now + 2 * hour, now, "en")).toBe("in 2 hours");
  });

  it("says nothing for a time that is not one, where a date would throw", () => {
    expect(relativeTime(Number.NaN, now, "en")).toBe("");
    expect(relativeTime(Number.POSITIVE_INFINITY, now, "en")).toBe("");
    expect(relativeTime(9e15, now, "en")).toMatch(/^in [\d,]+ years$/); // past JavaScript's last date, still a number
    expect(isoDateTime(9e15)).toBeUndefined();
    expect(isoDateTime(Number.NaN)).toBeUndefined();
    expect(isoDateTime(now)).toBe("2026-12-01T12:00:00.000Z");
  });

  it("speaks the reader's language", () => {
    expect(relativeTime(now - day, now, "fr")).toBe("hier");
    expect(relativeTime(now - 3 * min, now, "de")).toBe("vor 3 Minuten");
  });
});
