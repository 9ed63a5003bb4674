import { describe, expect, it } from "vitest";
import { errorMessage } from "./errorMessage";

describe("errorMessage", () => {
  it("reads an Error's message, including subclasses", () => {
    expect(errorMessage(new TypeError("bad type"))).toBe("bad type");
  });
  it("stringifies anything else that was thrown", () => {
    expect(errorMessage("disk full")).toBe("disk full");
    expect(errorMessage(42)).toBe("42");
    expect(errorMessage(undefined)).toBe("undefined");
  });
});
