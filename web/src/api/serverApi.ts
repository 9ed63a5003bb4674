/**
 * The app's one client for the sync server's `/api`: Hono's RPC client typed by the contract in
 * shared/api.ts, so a call's path, body and answer are the server's own types.
 * - In the database worker, `serverApi` calls the server directly with the device's token.
 * - On the main thread, which never sees the token, `forwardedServerApi` sends each call to the
 *   database worker (the `api` request) and rebuilds the server's answer, status included.
 * `answer` turns a reply into its body, or into an Error carrying the server's words.
 */
import { hc, type ClientResponse } from "hono/client";
import type { SuccessStatusCode } from "hono/utils/http-status";
import type { ApiApp, ApiError, ApiMethod } from "../../../shared/api";

export type ServerApi = ReturnType<typeof hc<ApiApp>>;

/** What a fetch failure (no network, server down) says unless the caller words it otherwise. */
export const SERVER_UNREACHABLE = "the sync server cannot be reached";

export interface DeviceFetchOptions {
  /** The device token, read for each call (it is renewed as it nears expiry). */
  token?: () => Promise<string>;
  /** The message when the request cannot travel at all. */
  unreachable?: string;
  /** How requests travel; this realm's `fetch` unless a test hands in another. */
  fetch?: typeof fetch;
}

/** `fetch` as this device: its bearer token on every request, a network failure in words. */
export function deviceFetch(options: DeviceFetchOptions = {}): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    // A missing token ("signed out") is its own error, not an unreachable server.
    if (options.token) headers.set("Authorization", `Bearer ${await options.token()}`);
    try {
      return await (options.fetch ?? fetch)(input, { ...init, headers });
    } catch {
      throw new Error(options.unreachable ?? SERVER_UNREACHABLE);
    }
  };
}

/** The server's API at `serverUrl`, called from here. */
export function serverApi(serverUrl: string, options: DeviceFetchOptions = {}): ServerApi {
  return hc<ApiApp>(serverUrl.replace(/\/$/, ""), { fetch: deviceFetch(options) });
}

/** A call as it crosses to the database worker, and the server's answer coming back. */
export interface ForwardedCall {
  method: ApiMethod;
  /** Path and query, e.g. `/api/devices`. */
  path: string;
  body?: unknown;
}
export interface ForwardedAnswer {
  status: number;
  body: unknown;
}

const API_METHODS: ReadonlySet<string> = new Set<ApiMethod>(["GET", "POST", "PATCH", "DELETE"]);

/** Only the path is forwarded: the worker sends it to the server it is signed in to. */
const FORWARDED_ORIGIN = "http://signed-in-server.invalid";

/** The server's API for a thread without the token: every call goes through `forward`. */
export function forwardedServerApi(forward: (call: ForwardedCall) => Promise<ForwardedAnswer>): ServerApi {
  return hc<ApiApp>(FORWARDED_ORIGIN, {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = (init?.method ?? "GET").toUpperCase();
      if (!API_METHODS.has(method)) throw new Error(`${method} is not an API method`);
      const text = init?.body;
      // Errors of the forward itself ("sign in first", unreachable) reach the caller as they are.
      const answer = await forward({
        method: method as ApiMethod,
        path: url.pathname + url.search,
        body: typeof text === "string" ? JSON.parse(text) : undefined,
      });
      return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { "Content-Type": "application/json" } });
    },
  });
}

/** Sends a forwarded call to the server, as this device; any HTTP answer comes back as it is. */
export async function forwardCall(serverUrl: string, call: ForwardedCall, options: DeviceFetchOptions): Promise<ForwardedAnswer> {
  const response = await deviceFetch(options)(`${serverUrl.replace(/\/$/, "")}${call.path}`, {
    method: call.method,
    headers: { "Content-Type": "application/json" },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  return { status: response.status, body: await response.json().catch(() => ({})) };
}

/** The JSON body of a reply with a 2xx status. */
export type Answered<R> = R extends ClientResponse<infer Body, infer Status, "json"> ? (Status extends SuccessStatusCode ? Body : never) : never;

/** The reply's body when it succeeded; otherwise an Error with the server's reason in words. */
export async function answer<R extends ClientResponse<unknown, number, "json">>(call: Promise<R>): Promise<Answered<R>> {
  const response = await call;
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body as Partial<ApiError> | null)?.error ?? `the server answered ${response.status}`);
  return body as Answered<R>;
}
