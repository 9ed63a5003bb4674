import { describe, expect, it } from "vitest";
import { lastAnswer, persistState, requestPersistence, requestPersistenceOnce } from "./persistence";

function memoryStore() {
  const values = new Map<string, string>();
  return { getItem: (k: string) => values.get(k) ?? null, setItem: (k: string, v: string) => void values.set(k, v) };
}
/** A browser that answers `answer` and counts the questions. */
function browser(answer: boolean) {
  let persisted = false;
  const calls = { persist: 0 };
  return {
    calls,
    storage: {
      persist: async () => {
        calls.persist++;
        persisted = answer;
        return answer;
      },
      persisted: async () => persisted,
    },
  };
}

describe("persistent storage", () => {
  it("asks once at the first meaningful moment and says refused after a no", async () => {
    const store = memoryStore();
    const b = browser(false);
    expect(await persistState(b.storage, store)).toBe("not-asked");
    await requestPersistenceOnce("first-note", b.storage, store);
    await requestPersistenceOnce("first-note", b.storage, store);
    expect(b.calls.persist).toBe(1);
    expect(lastAnswer(store)).toMatchObject({ granted: false, reason: "first-note" });
    expect(await persistState(b.storage, store)).toBe("refused");
    // The person can still ask from Settings.
    await requestPersistence("settings", b.storage, store);
    expect(b.calls.persist).toBe(2);
  });

  it("says persistent after a yes, and does not ask when already persistent", async () => {
    const store = memoryStore();
    const b = browser(true);
    await requestPersistenceOnce("installed", b.storage, store);
    expect(await persistState(b.storage, store)).toBe("persisted");
    const again = memoryStore();
    await requestPersistenceOnce("first-note", b.storage, again);
    expect(b.calls.persist).toBe(1);
  });

  it("says unsupported where the browser has no storage manager", async () => {
    expect(await persistState(undefined, memoryStore())).toBe("unsupported");
    expect(await requestPersistence("settings", undefined, memoryStore())).toBeUndefined();
  });
});

describe("persistent storage after install", () => {
  it("asks again after an earlier refusal", async () => {
    const store = memoryStore();
    const b = browser(false);
    await requestPersistenceOnce("first-note", b.storage, store);
    const { requestPersistenceAfterInstall } = await import("./persistence");
    await requestPersistenceAfterInstall(b.storage, store);
    expect(b.calls.persist).toBe(2);
    expect(lastAnswer(store)?.reason).toBe("installed");
  });
});
