/**
 * A local server of a test file's own, on its own port and state folder, that the test can stop
 * and start again (a real restart: the process ends, the Durable Objects' storage stays on disk).
 */
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLocalServer, type LocalServer } from "../scripts/lib/localServer.ts";

export class RestartableServer {
  readonly persistTo: string;
  #server: LocalServer | undefined;

  constructor(
    statePrefix: string,
    readonly port: number,
    readonly authSecret: string,
  ) {
    this.persistTo = mkdtempSync(join(ROOT, ".tmp", statePrefix));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#server = await startLocalServer({ port: this.port, persistTo: this.persistTo, authSecret: this.authSecret });
  }

  /** Suspends the server: what it was sent stays unread, and unanswered, until it is stopped. */
  freeze(): void {
    this.#server?.freeze();
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
    this.#server = undefined;
  }
}
