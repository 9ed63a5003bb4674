/**
 * A new device's download of the account's copy, over real HTTP (a Node server on 127.0.0.1):
 * the copy opened with the key and its seq, nothing when the server has none, and a download that
 * stalls given up with the reason (the device then receives the log change by change).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { nobleAead } from "../crypto/aead";
import { sealCopy } from "../crypto/copySeal";
import { newSecret } from "../crypto/keyDerivation";
import { accountKeyFrom, type DeviceKeyring } from "../crypto/keyStore";
import { fetchCopy } from "./accountCopy";

const key = accountKeyFrom(newSecret(), 0);
const keyring = { current: () => key, generation: (g: number) => (g === 0 ? key : undefined), onChange: () => () => undefined } as unknown as DeviceKeyring;

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** Serves `/api/snapshot` with `handle`; resolves to the server's origin. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("fetching the account's copy", () => {
  it("opens the copy with the key and gives its seq, reporting progress; nothing when the server has none", async () => {
    const file = new TextEncoder().encode("SQLite format 3\0 and the rest of a database");
    const sealed = await sealCopy(nobleAead, key, file);
    const url = await serve((request, response) => {
      if (request.headers.authorization !== "Bearer t0k") return void response.writeHead(401).end();
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": sealed.length, "x-snapshot-seq": "42" }).end(Buffer.from(sealed));
    });
    const progress: number[][] = [];
    expect(await fetchCopy(url, "t0k", keyring, (received, total) => progress.push([received, total]))).toEqual({ file, seq: 42 });
    expect(progress.at(-1)).toEqual([sealed.length, sealed.length]);
    server!.removeAllListeners("request").on("request", (_q, response) => response.writeHead(404).end("{}"));
    expect(await fetchCopy(url, "t0k", keyring, () => undefined)).toBeUndefined();
  });

  it("gives up, saying so, when the download stalls", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": 1_000_000, "x-snapshot-seq": "1" });
      response.write(Buffer.from("CBSNAP01")); // then nothing more
    });
    await expect(fetchCopy(url, "t", keyring, () => undefined, 300)).rejects.toThrow(/nothing of it arrived for 0.3 s/);
  });
});
