// wait / createAndWait / stream against scripted node:http servers on 127.0.0.1.
import { describe, expect, it } from "vitest";
import type { ServerResponse } from "node:http";
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  Flora,
  FloraError,
  MalformedResponseError,
  StreamParseError,
  type Run,
} from "../src/index.js";
import {
  API_KEY,
  failOnUnhandledRejections,
  recordingSleep,
  resetConnection,
  runJson,
  sendJson,
  useScriptedServers,
  type ScriptedServer,
} from "./client-server.js";

const inputs = [{ id: "prompt", type: "text" as const, value: "a red fox" }];
failOnUnhandledRejections();
const serve = useScriptedServers();

function floraFor(server: ScriptedServer, options: Partial<ConstructorParameters<typeof Flora>[0]> = {}) {
  const recorded = recordingSleep();
  const flora = new Flora({ apiKey: API_KEY, baseUrl: server.url, sleep: recorded.sleep, logLevel: "off", ...options });
  return { flora, delays: recorded.delays };
}

/** A run that moves one step per GET: pending, running 0.5 (twice, unchanged), then the final state. */
function lifecycle(final: Record<string, unknown>) {
  return [
    runJson({ status: "running", progress: 0.5 }),
    runJson({ status: "running", progress: 0.5 }),
    runJson({ status: "running", progress: 0.9 }),
    runJson(final),
  ];
}

function writeSse(res: ServerResponse, events: string[], end = true): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "request-id": "req_sse" });
  for (const event of events) res.write(event);
  if (end) res.end();
}

function sseEvent(run: Record<string, unknown>, name = "run.update"): string {
  const lines = JSON.stringify(run, null, 2)
    .split("\n")
    .map((line) => `data: ${line}\n`);
  return `: keep-alive comment\nretry: 1000\nevent: ${name}\n${lines.join("")}\n`;
}

describe("wait", () => {
  it("follows a same-origin poll_url with credentials, backs off, reports changes and resolves the failed run", async () => {
    const steps = lifecycle({
      status: "failed",
      progress: 1,
      error_code: "provider_error",
      error_message: "The provider failed.",
    });
    const server = await serve((_req, res, _seen, index) =>
      sendJson(res, 200, steps[Math.min(index, steps.length - 1)]),
    );
    const { flora, delays } = floraFor(server);
    const progress: Run[] = [];
    const start = runJson({ poll_url: `${server.url}/techniques/t/runs/run_abc123` }) as unknown as Run;
    const done = await flora.techniques.runs.wait(start, {
      onProgress: (run) => progress.push(run),
      maxIntervalMs: 5_000,
    });
    expect(done.status).toBe("failed");
    expect(done.error_code).toBe("provider_error");
    expect(progress.map((r) => `${r.status}:${r.progress}`)).toEqual(["running:0.5", "running:0.9", "failed:1"]);
    expect(delays).toEqual([2000, 3000, 4500, 5000]);
    expect(server.requests.every((r) => r.url === "/api/v1/techniques/t/runs/run_abc123" && r.method === "GET")).toBe(
      true,
    );
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("resolves at once with a run that is already terminal", async () => {
    const server = await serve((_req, res) => sendJson(res, 500, {}));
    const { flora } = floraFor(server);
    const done = await flora.techniques.runs.wait(runJson({ status: "completed", progress: 1 }) as unknown as Run);
    expect(done.status).toBe("completed");
    expect(server.requests).toHaveLength(0);
  });

  it("falls back to retrieve with the techniqueId remembered from create", async () => {
    const server = await serve((req, res, _seen, index) => {
      if (req.method === "POST") return sendJson(res, 201, runJson());
      sendJson(
        res,
        200,
        index < 2 ? runJson({ status: "running", progress: 0.3 }) : runJson({ status: "completed", progress: 1 }),
      );
    });
    const { flora } = floraFor(server);
    const run = await flora.techniques.runs.create("my-technique", { inputs, mode: "async" });
    const done = await flora.techniques.runs.wait(run, { intervalMs: 10 });
    expect(done.status).toBe("completed");
    expect(server.requests.slice(1).map((r) => r.url)).toEqual([
      "/api/v1/techniques/my-technique/runs/run_abc123",
      "/api/v1/techniques/my-technique/runs/run_abc123",
    ]);
  });

  it("accepts { techniqueId, run_id } for a run from elsewhere", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson({ status: "completed", progress: 1 })));
    const { flora } = floraFor(server);
    const done = await flora.techniques.runs.wait({ techniqueId: "tq", run_id: "run_abc123", status: "pending" });
    expect(done.status).toBe("completed");
    expect(server.requests[0].url).toBe("/api/v1/techniques/tq/runs/run_abc123");
  });

  it("fetches a poll_url on another origin without the API key, unless that origin is allowed", async () => {
    const api = await serve((_req, res) => sendJson(res, 500, {}));
    const elsewhere = await serve((_req, res) => sendJson(res, 200, runJson({ status: "completed", progress: 1 })));
    const pollUrl = `${elsewhere.origin}/runs/run_abc123?sig=1`;
    await floraFor(api).flora.techniques.runs.wait({ run_id: "run_abc123", poll_url: pollUrl });
    expect(elsewhere.requests[0].url).toBe("/runs/run_abc123?sig=1");
    expect(elsewhere.requests[0].headers.authorization).toBeUndefined();
    expect(elsewhere.requests[0].headers["x-flora-sdk"]).toMatch(/^flora-sdk\//);
    await floraFor(api, { allowedPollOrigins: [elsewhere.origin] }).flora.techniques.runs.wait({
      run_id: "run_abc123",
      poll_url: pollUrl,
    });
    expect(elsewhere.requests[1].headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(api.requests).toHaveLength(0);
  });

  it("switches to retrieve when a foreign poll_url refuses the unauthenticated request", async () => {
    const api = await serve((_req, res) => sendJson(res, 200, runJson({ status: "completed", progress: 1 })));
    const elsewhere = await serve((_req, res) =>
      sendJson(res, 401, { error: { code: "unauthorized", message: "who are you" } }),
    );
    const { flora } = floraFor(api);
    const done = await flora.techniques.runs.wait({
      techniqueId: "tq",
      run_id: "run_abc123",
      poll_url: `${elsewhere.origin}/x`,
    });
    expect(done.status).toBe("completed");
    expect(elsewhere.requests).toHaveLength(1);
    expect(api.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("waits as long as a 429 or 503 asks, then keeps polling", async () => {
    const server = await serve((_req, res, _seen, index) => {
      if (index === 0)
        return sendJson(res, 429, { error: { code: "rate_limited", message: "slow" } }, { "retry-after": "7" });
      if (index === 1)
        return sendJson(
          res,
          503,
          { error: { code: "service_unavailable", message: "later" } },
          { "retry-after-ms": "10" },
        );
      sendJson(res, 200, runJson({ status: "completed", progress: 1 }));
    });
    const { flora, delays } = floraFor(server, { maxRetries: 0 });
    const done = await flora.techniques.runs.wait({ techniqueId: "t", run_id: "run_abc123" }, { intervalMs: 100 });
    expect(done.status).toBe("completed");
    expect(delays).toEqual([100, 7000, 225]);
  });

  it("rejects with APITimeoutError after the overall timeout", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson({ status: "running", progress: 0.1 })));
    const flora = new Flora({ apiKey: API_KEY, baseUrl: server.url, logLevel: "off" });
    const started = Date.now();
    const error = await flora.techniques.runs
      .wait({ techniqueId: "t", run_id: "run_abc123" }, { intervalMs: 20, timeoutMs: 250 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toBe("Run run_abc123 was still running after 250 ms.");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.requests.length).toBeGreaterThan(2);
  });

  it("times out even while a poll request hangs", async () => {
    const server = await serve(() => undefined);
    const flora = new Flora({ apiKey: API_KEY, baseUrl: server.url, logLevel: "off" });
    const error = await flora.techniques.runs
      .wait({ techniqueId: "t", run_id: "run_abc123" }, { intervalMs: 10, timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
  });

  it("rejects with APIUserAbortError when the signal aborts", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson({ status: "running", progress: 0.1 })));
    const flora = new Flora({ apiKey: API_KEY, baseUrl: server.url, logLevel: "off" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await flora.techniques.runs
      .wait({ techniqueId: "t", run_id: "run_abc123" }, { intervalMs: 20, timeoutMs: 5_000, signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
  });

  it("rejects on a transport failure that outlasts the retries", async () => {
    const server = await serve((_req, res) => resetConnection(res));
    const { flora } = floraFor(server);
    await expect(flora.techniques.runs.wait({ techniqueId: "t", run_id: "run_abc123" })).rejects.toThrow(
      APIConnectionError,
    );
    expect(server.requests).toHaveLength(3);
  });
});

describe("createAndWait", () => {
  it("creates once and waits for the terminal run", async () => {
    const server = await serve((req, res, _seen, index) => {
      if (req.method === "POST")
        return sendJson(res, 201, runJson({ poll_url: `${server.url}/techniques/t/runs/run_abc123` }));
      sendJson(
        res,
        200,
        index === 1
          ? runJson({ status: "running", progress: 0.5 })
          : runJson({ status: "completed", progress: 1, outputs: [] }),
      );
    });
    const { flora } = floraFor(server);
    const seen: string[] = [];
    const done = await flora.techniques.runs.createAndWait(
      "t",
      { inputs, mode: "async" },
      { onProgress: (r) => seen.push(r.status), idempotencyKey: "k-cw" },
    );
    expect(done.status).toBe("completed");
    expect(seen).toEqual(["running", "completed"]);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(server.requests[0].headers["idempotency-key"]).toBe("k-cw");
  });
});

describe("stream", () => {
  it("sends mode stream and yields each SSE snapshot until the terminal one", async () => {
    const server = await serve((_req, res) =>
      writeSse(res, [
        sseEvent(runJson()),
        sseEvent(runJson({ status: "running", progress: 0.5 })),
        sseEvent(runJson({ status: "completed", progress: 1 })),
        sseEvent(runJson({ status: "completed", progress: 1, extra: "never read" })),
      ]),
    );
    const { flora } = floraFor(server);
    const snapshots: Run[] = [];
    for await (const run of flora.techniques.runs.stream("t", { inputs })) snapshots.push(run);
    expect(snapshots.map((r) => r.status)).toEqual(["pending", "running", "completed"]);
    const sent = JSON.parse(server.requests[0].body);
    expect(sent.mode).toBe("stream");
    expect(sent.idempotency_key).toBe(server.requests[0].headers["idempotency-key"]);
    expect(server.requests).toHaveLength(1);
  });

  it("falls back to polling when the server answers with JSON", async () => {
    const server = await serve((req, res, _seen, index) => {
      if (req.method === "POST") return sendJson(res, 201, runJson());
      sendJson(
        res,
        200,
        [
          runJson({ status: "running", progress: 0.4 }),
          runJson({ status: "running", progress: 0.4 }),
          runJson({ status: "completed", progress: 1 }),
        ][index - 1],
      );
    });
    const { flora } = floraFor(server);
    const snapshots: string[] = [];
    for await (const run of flora.techniques.runs.stream("t", { inputs }, { intervalMs: 5 }))
      snapshots.push(`${run.status}:${run.progress}`);
    expect(snapshots).toEqual(["pending:0", "running:0.4", "completed:1"]);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET", "GET", "GET"]);
  });

  it("continues by polling when the event stream breaks after the run started", async () => {
    const server = await serve((req, res) => {
      if (req.method === "GET") return sendJson(res, 200, runJson({ status: "completed", progress: 1 }));
      writeSse(res, [sseEvent(runJson({ status: "running", progress: 0.2 }))], false);
      setTimeout(() => res.socket?.destroy(), 30);
    });
    const { flora } = floraFor(server);
    const snapshots: string[] = [];
    for await (const run of flora.techniques.runs.stream("t", { inputs })) snapshots.push(run.status);
    expect(snapshots).toEqual(["running", "completed"]);
  });

  it("re-sends with the same key a stream that ends cleanly before its first snapshot, up to maxRetries", async () => {
    const server = await serve((_req, res, _seen, index) =>
      writeSse(res, index === 0 ? [": keep-alive\n\n"] : [sseEvent(runJson({ status: "completed", progress: 1 }))]),
    );
    const { flora } = floraFor(server);
    const snapshots: string[] = [];
    for await (const run of flora.techniques.runs.stream("t", { inputs })) snapshots.push(run.status);
    expect(snapshots).toEqual(["completed"]);
    expect(server.requests).toHaveLength(2);
    const keys = server.requests.map((seen) => seen.headers["idempotency-key"]);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);

    const silent = await serve((_req, res) => writeSse(res, [": keep-alive\n\n"]));
    const error = await (async () => {
      for await (const _ of floraFor(silent).flora.techniques.runs.stream(
        "t",
        { inputs },
        { idempotencyKey: "k-empty", maxRetries: 1 },
      ))
        void _;
    })().catch((e: unknown) => e);
    expect(silent.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toBe("The event stream ended before sending any run snapshot.");
    expect((error as FloraError).idempotencyKey).toBe("k-empty");
  });

  it("answers a 204 or 205 to the streaming create with a MalformedResponseError carrying the key", async () => {
    for (const status of [204, 205]) {
      const server = await serve((_req, res) => {
        res.writeHead(status, { "content-type": "text/event-stream" }).end();
      });
      const error = await (async () => {
        for await (const _ of floraFor(server).flora.techniques.runs.stream(
          "t",
          { inputs },
          { idempotencyKey: "k-204" },
        ))
          void _;
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as Error).message).toMatch(new RegExp(`^${status} response body`));
      expect((error as FloraError).idempotencyKey).toBe("k-204");
    }
  });

  it("raises StreamParseError with the idempotency key for a malformed event", async () => {
    const server = await serve((_req, res) =>
      writeSse(res, [sseEvent(runJson()), "event: run.update\ndata: {not json\n\n"]),
    );
    const { flora } = floraFor(server);
    const seen: string[] = [];
    const error = await (async () => {
      for await (const run of flora.techniques.runs.stream("t", { inputs }, { idempotencyKey: "k-stream" }))
        seen.push(run.status);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["pending"]);
    expect(error).toBeInstanceOf(StreamParseError);
    expect(error).toBeInstanceOf(FloraError);
    expect((error as Error).message).toMatch(/^Stream event 1 \("run.update"\): field data is not valid JSON/);
    expect((error as FloraError).idempotencyKey).toBe("k-stream");
  });

  it("raises StreamParseError for an event that is not a run", async () => {
    const server = await serve((_req, res) => writeSse(res, ['data: {"hello":"world"}\n\n']));
    const { flora } = floraFor(server);
    const error = await (async () => {
      for await (const _ of flora.techniques.runs.stream("t", { inputs })) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamParseError);
    expect((error as Error).message).toContain("is not a run snapshot");
  });

  it("stops cleanly when the consumer breaks early", async () => {
    const server = await serve((_req, res) =>
      writeSse(res, [sseEvent(runJson()), sseEvent(runJson({ status: "running", progress: 0.1 }))], false),
    );
    const { flora } = floraFor(server);
    for await (const run of flora.techniques.runs.stream("t", { inputs })) {
      expect(run.status).toBe("pending");
      break;
    }
  });

  it("validates before sending", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson()));
    const { flora } = floraFor(server);
    await expect(flora.techniques.runs.stream("t", { inputs: [] }).next()).rejects.toThrow(
      /inputs must be a non-empty array/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("reports the caller's abort as APIUserAbortError", async () => {
    const server = await serve((_req, res) => writeSse(res, [sseEvent(runJson())], false));
    const { flora } = floraFor(server);
    const controller = new AbortController();
    const error = await (async () => {
      for await (const _ of flora.techniques.runs.stream("t", { inputs }, { signal: controller.signal }))
        controller.abort();
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
  });
});
