import { createRoot } from "solid-js";
import { describe, expect, it } from "vitest";
import { createAction } from "./action";

/** A promise the test settles by hand, to look at the action while its task runs. */
function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const action = () => createRoot(() => createAction());

describe("createAction", () => {
  it("a failure sets the message and resolves false instead of rejecting", async () => {
    const a = action();
    await expect(a.run(() => Promise.reject(new Error("storage is full")))).resolves.toBe(false);
    expect(a.error()).toBe("storage is full");
  });

  it("a thrown non-Error is shown as text", async () => {
    const a = action();
    await a.run(async () => {
      throw "offline";
    });
    expect(a.error()).toBe("offline");
  });

  it("a success clears the last failure and resolves true", async () => {
    const a = action();
    await a.run(() => Promise.reject(new Error("first try failed")));
    await expect(a.run(() => Promise.resolve("ok"))).resolves.toBe(true);
    expect(a.error()).toBeUndefined();
  });

  it("a new failure replaces the previous message", async () => {
    const a = action();
    await a.run(() => Promise.reject(new Error("one")));
    await a.run(() => Promise.reject(new Error("two")));
    expect(a.error()).toBe("two");
  });

  it("is pending while any of its tasks runs", async () => {
    const a = action();
    const first = deferred();
    const second = deferred();
    expect(a.pending()).toBe(false);
    const one = a.run(() => first.promise);
    const two = a.run(() => second.promise);
    expect(a.pending()).toBe(true);
    first.resolve();
    await one;
    expect(a.pending()).toBe(true);
    second.reject(new Error("no"));
    await two;
    expect(a.pending()).toBe(false);
    expect(a.error()).toBe("no");
  });

  it("a task that throws before its first await still counts as a failure", async () => {
    const a = action();
    const ok = await a.run(() => {
      throw new Error("bad input");
    });
    expect(ok).toBe(false);
    expect(a.error()).toBe("bad input");
    expect(a.pending()).toBe(false);
  });
});
