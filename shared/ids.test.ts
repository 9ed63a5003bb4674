import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { entityIdWith, newId } from "./ids";

const key = new Uint8Array(32).fill(7);
const otherKey = new Uint8Array(32).fill(8);

describe("ids", () => {
  it("the same entity typed differently on two devices of one account gets one id", () => {
    expect(entityIdWith(key, "tag", "Travel")).toBe(entityIdWith(key, "tag", "  travel "));
    expect(entityIdWith(key, "tag", "ｔｒａｖｅｌ")).toBe(entityIdWith(key, "tag", "travel"));
    expect(entityIdWith(key, "tag", "travel")).toMatch(/^e_[0-9a-f]{32}$/);
  });

  it("different kinds or names are different entities", () => {
    expect(entityIdWith(key, "tag", "anna")).not.toBe(entityIdWith(key, "person", "anna"));
    expect(entityIdWith(key, "tag", "travel")).not.toBe(entityIdWith(key, "tag", "travels"));
  });

  it("ids are keyed: another key gives another id, and no unkeyed hash of the name finds it", async () => {
    const id = entityIdWith(key, "tag", "travel");
    expect(entityIdWith(otherKey, "tag", "travel")).not.toBe(id);
    const hex = (b: Uint8Array) => [...b.subarray(0, 16)].map((x) => x.toString(16).padStart(2, "0")).join("");
    const plain = new TextEncoder().encode("tag\u0000travel");
    expect(id).not.toBe(`e_${hex(new Uint8Array(await crypto.subtle.digest("SHA-256", plain)))}`); // the ids before issue 14
    expect(id).toBe(`e_${hex(hmac(sha256, key, plain))}`); // HMAC-SHA256, as documented
  });

  it("new ids are unique and sort by creation time", () => {
    const ids = Array.from({ length: 1000 }, newId);
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
  });
});
