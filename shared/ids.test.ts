import { describe, expect, it } from "vitest";
import { entityId, newId } from "./ids";

describe("ids", () => {
  it("the same entity typed differently on two devices gets one id", async () => {
    expect(await entityId("tag", "Travel")).toBe(await entityId("tag", "  travel "));
    expect(await entityId("tag", "ｔｒａｖｅｌ")).toBe(await entityId("tag", "travel"));
    expect(await entityId("tag", "travel")).toMatch(/^e_[0-9a-f]{32}$/);
  });

  it("different kinds or names are different entities", async () => {
    expect(await entityId("tag", "anna")).not.toBe(await entityId("person", "anna"));
    expect(await entityId("tag", "travel")).not.toBe(await entityId("tag", "travels"));
  });

  it("new ids are unique and sort by creation time", () => {
    const ids = Array.from({ length: 1000 }, newId);
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });
});
