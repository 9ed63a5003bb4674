import { describe, expect, it } from "vitest";
import { answer, forwardCall, forwardedServerApi, serverApi, type ForwardedCall } from "./serverApi";

/** A server stand-in behind `fetch`: records what arrives, answers what the test says. */
function fakeServer(reply: (request: Request) => Response | Promise<Response>) {
  const seen: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    seen.push(request.clone());
    return reply(request);
  };
  return { seen, fetch: fetch as typeof globalThis.fetch };
}

describe("serverApi", () => {
  it("calls the server's path with the device token and reads a typed answer", async () => {
    const server = fakeServer(() => Response.json({ userId: "u1", deviceId: "d1" }));
    const api = serverApi("https://sync.example/", { token: async () => "t1", fetch: server.fetch });
    expect(await answer(api.api.me.$get())).toEqual({ userId: "u1", deviceId: "d1" });
    expect(server.seen[0]!.url).toBe("https://sync.example/api/me");
    expect(server.seen[0]!.headers.get("Authorization")).toBe("Bearer t1");
  });

  it("a refusal becomes an Error in the server's words, or its status when it has none", async () => {
    const words = serverApi("https://sync.example", { fetch: fakeServer(() => Response.json({ error: "unknown link code" }, { status: 400 })).fetch });
    await expect(answer(words.api.public["link-claim"].$post({ json: { code: "X" } }))).rejects.toThrow("unknown link code");
    const bare = serverApi("https://sync.example", { fetch: fakeServer(() => new Response("oops", { status: 502 })).fetch });
    await expect(answer(bare.api.public["link-claim"].$post({ json: { code: "X" } }))).rejects.toThrow("the server answered 502");
  });

  it("no network is said in words; a missing token is its own error", async () => {
    const offline = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    await expect(serverApi("https://sync.example", { fetch: offline }).api.me.$get()).rejects.toThrow("the sync server cannot be reached");
    await expect(serverApi("https://sync.example", { fetch: offline, unreachable: "try again when online" }).api.me.$get()).rejects.toThrow(
      "try again when online",
    );
    const signedOut = serverApi("https://sync.example", {
      fetch: offline,
      token: async () => {
        throw new Error("signed out");
      },
    });
    await expect(signedOut.api.me.$get()).rejects.toThrow("signed out");
  });
});

describe("forwardedServerApi", () => {
  it("carries each call across as method, path and body, and the server's answer back with its status", async () => {
    const server = fakeServer(async (request) =>
      request.method === "POST" ? Response.json({ code: "ABCD2345", expiresAt: 1 }, { status: 201 }) : Response.json({ ok: true }),
    );
    const calls: ForwardedCall[] = [];
    // The worker's side of the forward, as SyncClient.api runs it.
    const api = forwardedServerApi((call) => {
      calls.push(call);
      return forwardCall("https://sync.example", call, { token: async () => "t1", fetch: server.fetch });
    });

    const created = await api.api["link-codes"].$post();
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ code: "ABCD2345", expiresAt: 1 });
    expect(await answer(api.api.devices[":id"].$patch({ param: { id: "d 2" }, json: { name: "Tablet" } }))).toEqual({ ok: true });

    expect(calls).toEqual([
      { method: "POST", path: "/api/link-codes", body: undefined },
      { method: "PATCH", path: "/api/devices/d%202", body: { name: "Tablet" } },
    ]);
    expect(server.seen.map((r) => [r.method, r.url, r.headers.get("Authorization")])).toEqual([
      ["POST", "https://sync.example/api/link-codes", "Bearer t1"],
      ["PATCH", "https://sync.example/api/devices/d%202", "Bearer t1"],
    ]);
    expect(await server.seen[1]!.json()).toEqual({ name: "Tablet" });
  });

  it("error statuses and words survive the crossing; the forward's own failure arrives as it is", async () => {
    const refused = forwardedServerApi(async () => ({ status: 404, body: { error: "no such device" } }));
    await expect(answer(refused.api.devices[":id"].$delete({ param: { id: "x" } }))).rejects.toThrow("no such device");
    const signedOut = forwardedServerApi(async () => {
      throw new Error("sign in first");
    });
    await expect(answer(signedOut.api.devices.$get())).rejects.toThrow("sign in first");
  });
});
