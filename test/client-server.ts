// Small node:http servers for the runtime and client tests: each test scripts its own responses.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { APIUserAbortError } from "../src/index.js";
import { sleep } from "../src/runtime/index.js";
import { afterEach, beforeEach, expect } from "vitest";

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  seen: SeenRequest,
  index: number,
) => void | Promise<void>;

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `${origin}/api/v1` */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function startScriptedServer(handler: Handler): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    requests.push(seen);
    try {
      await handler(req, res, seen, requests.length - 1);
    } catch (error) {
      res.destroy(error as Error);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/api/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": "req_test123",
    ...headers,
  });
  res.end(text);
}

/** Closes the socket without any response: the client sees a connection reset. */
export function resetConnection(res: ServerResponse): void {
  res.socket?.destroy();
}

export function runJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { run_id: "run_abc123", status: "pending", progress: 0, created_at: 1_700_000_000_000, ...overrides };
}

export const API_KEY = "flora_sk_test_SECRET_4f7a9c2e1b";

/** Records every delay the client asks for and returns at once, so backoff never sleeps for real. */
export function recordingSleep(): { sleep: (ms: number, signal?: AbortSignal) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms, signal) => {
      delays.push(ms);
      if (signal?.aborted) throw new APIUserAbortError();
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw new APIUserAbortError();
    },
  };
}

/** Really waits, but never longer than `capMs`: keeps real timing order without real backoff lengths. */
export function cappedSleep(capMs = 20): (ms: number, signal?: AbortSignal) => Promise<void> {
  return (ms, signal) => sleep(Math.min(ms, capMs), signal);
}

/** Scripted servers for one test file: the returned function starts one, and each is closed after its test. */
export function useScriptedServers(): (handler: Handler) => Promise<ScriptedServer> {
  const servers: ScriptedServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (handler) => {
    const server = await startScriptedServer(handler);
    servers.push(server);
    return server;
  };
}

/** Fails any test that leaves an unhandled rejection behind; register before the file's own cleanup hooks. */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled).toEqual([]);
  });
}
