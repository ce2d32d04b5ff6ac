// The promises in every phase after create: errors name the run, every call ends by itself, nothing leaks,
// the key never shows, bad input is refused before sending, redirects never leave the origin.
import { getEventListeners } from "node:events";
import type { ServerResponse } from "node:http";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  APIError,
  APITimeoutError,
  Flora,
  FloraError,
  InternalServerError,
  MalformedResponseError,
  StreamParseError,
  ValidationError,
  type Run,
} from "../src/index.js";
import {
  API_KEY,
  failOnUnhandledRejections,
  recordingSleep,
  runJson,
  sendJson,
  useScriptedServers,
  type ScriptedServer,
} from "./client-server.js";

const inputs = [{ id: "prompt", type: "text" as const, value: "a red fox" }];
const body = { inputs, mode: "async" as const };
failOnUnhandledRejections();
const serve = useScriptedServers();

function floraFor(server: ScriptedServer, options: Partial<ConstructorParameters<typeof Flora>[0]> = {}) {
  return new Flora({
    apiKey: API_KEY,
    baseUrl: server.url,
    sleep: recordingSleep().sleep,
    logLevel: "off",
    ...options,
  });
}

function sse(res: ServerResponse, runs: Record<string, unknown>[], end = true): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const run of runs) res.write(`event: run.update\ndata: ${JSON.stringify(run)}\n\n`);
  if (end) res.end();
}

async function rejection(promise: Promise<unknown>): Promise<FloraError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FloraError);
  return error as FloraError;
}

async function drain(stream: AsyncIterable<Run>): Promise<Run[]> {
  const seen: Run[] = [];
  for await (const run of stream) seen.push(run);
  return seen;
}

describe("every error after the run exists names it: runId, run and the key", () => {
  it("createAndWait: three 500s on a poll reject with runId, run and idempotencyKey; wait({ run_id, techniqueId }) resumes the one run", async () => {
    let healthy = false;
    const server = await serve((req, res) => {
      if (req.method === "POST") return sendJson(res, 201, runJson());
      if (!healthy) return sendJson(res, 500, { error: { code: "internal_error", message: "boom" } });
      sendJson(res, 200, runJson({ status: "completed", progress: 1 }));
    });
    const flora = floraFor(server);
    const error = await rejection(flora.techniques.runs.createAndWait("t", body, { intervalMs: 5 }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.runId).toBe("run_abc123");
    expect((error.run as Run).status).toBe("pending");
    expect(error.idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
    healthy = true;
    const done = await flora.techniques.runs.wait({ run_id: error.runId as string, techniqueId: "t" });
    expect(done.status).toBe("completed");
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("wait on a run this client created names its key too", async () => {
    const server = await serve((req, res) =>
      req.method === "POST" ? sendJson(res, 201, runJson()) : sendJson(res, 404, { error: { code: "not_found" } }),
    );
    const flora = floraFor(server);
    const run = await flora.techniques.runs.create("t", body, { idempotencyKey: "key-1" });
    const error = await rejection(flora.techniques.runs.wait(run, { intervalMs: 5 }));
    expect([error.runId, error.idempotencyKey]).toEqual(["run_abc123", "key-1"]);
  });

  it("the overall timeout names the run", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson({ status: "running" })));
    const flora = floraFor(server, { sleep: undefined });
    const error = await rejection(
      flora.techniques.runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { intervalMs: 10, timeoutMs: 120 }),
    );
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error.runId).toBe("run_abc123");
    expect((error.run as Run).status).toBe("running");
  });

  it("stream: a malformed event after the first snapshot rejects with runId, run and the key", async () => {
    const server = await serve((_req, res) => {
      sse(res, [runJson({ status: "running" })], false);
      res.end("event: run.update\ndata: {not json\n\n");
    });
    const flora = floraFor(server);
    const error = await rejection(drain(flora.techniques.runs.stream("t", { inputs })));
    expect(error).toBeInstanceOf(StreamParseError);
    expect(error.runId).toBe("run_abc123");
    expect(error.idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
  });
});

describe("every public method ends by itself", () => {
  it.each([
    [
      "a status the spec does not define",
      { status: "cancelled" },
      /status "cancelled", which the spec does not define/,
    ],
    ["no status at all", { status: undefined }, /lacks the required property status/],
  ])("wait ends at once on %s: MalformedResponseError with the run", async (_name, overrides, message) => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson(overrides)));
    const error = await rejection(
      floraFor(server).techniques.runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { intervalMs: 5 }),
    );
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toMatch(message);
    expect(error.runId).toBe("run_abc123");
    expect(server.requests).toHaveLength(1);
  });

  it("a stream that goes silent after one event is treated as cut and the run is polled to its end", async () => {
    const server = await serve((req, res) => {
      if (req.method === "POST") return sse(res, [runJson({ status: "running" })], false); // then silence
      sendJson(res, 200, runJson({ status: "completed", progress: 1 }));
    });
    const flora = floraFor(server, { timeoutMs: 200 });
    const seen = await drain(flora.techniques.runs.stream("t", { inputs }, { intervalMs: 5 }));
    expect(seen.map((r) => r.status)).toEqual(["running", "completed"]);
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  it("a stream silent before its first event is re-sent with the same key, which replays the one run", async () => {
    const server = await serve((_req, res, _seen, index) => {
      if (index === 0) return void res.writeHead(200, { "content-type": "text/event-stream" }).flushHeaders();
      sse(res, [runJson({ status: "completed", progress: 1 })]);
    });
    const seen = await drain(floraFor(server, { timeoutMs: 200 }).techniques.runs.stream("t", { inputs }));
    expect(seen.map((r) => r.status)).toEqual(["completed"]);
    const keys = server.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it("a stream silent past the overall limit rejects with APITimeoutError and the run", async () => {
    const server = await serve((req, res) => {
      const timer = setInterval(() => res.write(": keep-alive\n\n"), 20);
      res.on("close", () => clearInterval(timer));
      sse(res, [runJson({ status: "running" })], false);
    });
    const error = await rejection(
      drain(floraFor(server).techniques.runs.stream("t", { inputs }, { waitTimeoutMs: 150 })),
    );
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error.runId).toBe("run_abc123");
  });

  it("createAndWait's timeoutMs and maxRetries reach every poll", async () => {
    const server = await serve((req, res) => {
      if (req.method === "POST") return sendJson(res, 201, runJson());
      // a poll that never answers
    });
    const error = await rejection(
      floraFor(server).techniques.runs.createAndWait("t", body, { intervalMs: 5, timeoutMs: 100, maxRetries: 0 }),
    );
    expect(error).toBeInstanceOf(APITimeoutError);
    expect(error.runId).toBe("run_abc123");
    expect(server.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
  });

  it("wait has a default overall limit of 30 minutes, and Infinity is accepted knowingly", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson({ status: "running" })));
    let elapsed = 0;
    // a sleep that advances a virtual clock: the limit's own timer is real, so only its default is read here
    const flora = floraFor(server, {
      sleep: async (ms) => {
        elapsed += ms;
        if (elapsed > 40 * 60_000) throw new Error(`still polling after ${elapsed} virtual ms`);
        await new Promise((resolve) => setImmediate(resolve));
      },
    });
    await expect(
      flora.techniques.runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { timeoutMs: Infinity }),
    ).rejects.toThrow(/still polling/);
    const { DEFAULT_WAIT_TIMEOUT_MS } = await import("../src/flora.js");
    expect(DEFAULT_WAIT_TIMEOUT_MS).toBe(30 * 60_000);
  });
});

describe("no growth per call", () => {
  it("5,000 calls each of create, wait and stream on one caller signal leave no listener on it", async () => {
    const server = await serve((req, res, seen) => {
      if (req.method === "GET") return sendJson(res, 200, runJson({ status: "completed", progress: 1 }));
      if (seen.body.includes('"mode":"stream"')) return sse(res, [runJson({ status: "completed", progress: 1 })]);
      sendJson(res, 201, runJson());
    });
    const flora = floraFor(server, { sleep: async () => undefined });
    const { signal } = new AbortController();
    const runs = flora.techniques.runs;
    const rounds: [string, () => Promise<unknown>][] = [
      ["create", () => runs.create("t", body, { signal })],
      ["wait", () => runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { signal, intervalMs: 1 })],
      ["stream", () => drain(runs.stream("t", { inputs }, { signal }))],
    ];
    const heap = await import("./support/heap.js");
    for (const [name, call] of rounds) {
      // the scripted server logs every request: emptied after each call so only the client's heap is measured
      const callAndForget = async () => {
        await call();
        server.requests.length = 0;
      };
      for (let i = 0; i < 200; i++) await callAndForget(); // warm-up: JIT, sockets, caches
      const before = await heap.usedAfterGc();
      for (let i = 0; i < 5_000; i++) await callAndForget();
      const growth = (await heap.usedAfterGc()) - before;
      expect(getEventListeners(signal, "abort"), name).toHaveLength(0);
      // a leak of one listener and its closure per call was ~1.2 kB a call: 6 MB over 5,000
      expect(growth, `${name}: heap growth ${growth} bytes over 5,000 calls`).toBeLessThan(2_000_000);
    }
  }, 180_000);
});

describe("the key never shows", () => {
  // characters JSON escapes, and one util.inspect escapes, around a marker that must never appear
  const key = `sk_live_LEAKMARK_"quote\\back/slash'tick`;
  const marker = "LEAKMARK";
  const shown = (error: unknown) => [
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 10 }),
    inspect(error, { depth: 10, showHidden: true }),
  ];

  async function echoServer() {
    return serve((req, res, seen) => {
      const auth = String(req.headers.authorization);
      const headers = { "x-echo": auth, "request-id": `req_${auth.slice(7)}` };
      if (req.url?.endsWith("/json-error"))
        return sendJson(
          res,
          400,
          { error: { code: auth, message: auth, fields: [{ field: auth, message: seen.body }] } },
          headers,
        );
      if (req.url?.includes("/text-error")) {
        res.writeHead(502, { "content-type": "text/html", ...headers });
        return void res.end(`<html>${"x".repeat(190)}${auth}</html>`);
      }
      if (req.url?.includes("/sse")) {
        res.writeHead(200, { "content-type": "text/event-stream", ...headers });
        return void res.end(
          `event: ${auth}\ndata: {"run_id":"${auth.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}", broken ${auth}\n\n`,
        );
      }
      if (req.url?.includes("/json-stream")) {
        res.writeHead(200, { "content-type": "application/json", ...headers });
        return void res.end(`{"not_a_run": ${JSON.stringify(auth)}}`);
      }
      if (req.method === "GET") return sendJson(res, 200, runJson({ status: auth }), headers);
      sendJson(res, 200, { echoed: auth }, headers);
    });
  }

  it("on create, retrieve, poll, JSON stream, SSE and webhooks, in String, JSON.stringify and util.inspect", async () => {
    const server = await echoServer();
    const flora = new Flora({
      apiKey: key,
      baseUrl: server.url,
      logLevel: "off",
      sleep: recordingSleep().sleep,
      maxRetries: 0,
    });
    const runs = flora.techniques.runs;
    const errors = await Promise.all([
      rejection(runs.create("json-error", body)),
      rejection(runs.create("text-error", body)),
      rejection(runs.create("t", body)), // a 200 that is not a run
      rejection(runs.retrieve("text-error", "run_1")),
      rejection(runs.wait({ run_id: "run_1", techniqueId: "t" }, { intervalMs: 1 })), // status is the key
      rejection(
        runs.wait({ run_id: "run_1", poll_url: `${server.url}/techniques/json-error/runs/run_1` }, { intervalMs: 1 }),
      ),
      rejection(drain(runs.stream("sse", { inputs }))),
      rejection(drain(runs.stream("json-stream", { inputs }))),
      rejection(flora.webhooks.unwrap(`{${key}`, { "flora-signature": `t=1,v1=${key}` }, "whsec_x")),
    ]);
    for (const [index, error] of errors.entries()) {
      for (const text of shown(error)) expect(text, `error ${index} (${error.name})`).not.toContain(marker);
    }
    expect(errors[4]).toBeInstanceOf(MalformedResponseError);
    expect(String(errors[0])).toContain("[redacted]");
  });
});

describe("inputs are refused before anything is sent", () => {
  it.each([
    ["idempotencyKey with CR/LF", { idempotencyKey: "k\r\nx-injected: 1" }, "idempotencyKey"],
    ["idempotencyKey beyond Latin-1", { idempotencyKey: "ключ" }, "idempotencyKey"],
    ["a header value with LF", { headers: { "x-trace": "a\nb" } }, "options.headers.x-trace"],
    ["a header name that is not a token", { headers: { "x trace": "a" } }, "options.headers.x trace"],
    ["maxRetries NaN", { maxRetries: Number(undefined) }, "options.maxRetries"],
    ["maxRetries negative", { maxRetries: -1 }, "options.maxRetries"],
    ["maxRetries fractional", { maxRetries: 1.5 }, "options.maxRetries"],
    ["timeoutMs 0", { timeoutMs: 0 }, "options.timeoutMs"],
    ["timeoutMs NaN", { timeoutMs: NaN }, "options.timeoutMs"],
    ["timeoutMs Infinity", { timeoutMs: Infinity }, "options.timeoutMs"],
  ])("create with %s → ValidationError naming it", async (_name, options, field) => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson()));
    const error = await rejection(floraFor(server).techniques.runs.create("t", body, options));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(error.message).not.toContain("ключ");
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ["intervalMs NaN", { intervalMs: NaN }, "intervalMs"],
    ["intervalMs negative", { intervalMs: -5 }, "intervalMs"],
    ["maxIntervalMs 0", { maxIntervalMs: 0 }, "maxIntervalMs"],
    ["timeoutMs NaN", { timeoutMs: NaN }, "timeoutMs"],
    ["timeoutMs 0", { timeoutMs: 0 }, "timeoutMs"],
  ])("wait with %s → ValidationError naming it", async (_name, options, field) => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson()));
    const error = await rejection(
      floraFor(server).techniques.runs.wait({ run_id: "run_1", techniqueId: "t" }, options),
    );
    expect((error as ValidationError).field).toBe(field);
    expect(server.requests).toHaveLength(0);
  });

  it("createAndWait and stream check their numbers before creating", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson()));
    const runs = floraFor(server).techniques.runs;
    await expect(runs.createAndWait("t", body, { waitTimeoutMs: NaN })).rejects.toBeInstanceOf(ValidationError);
    await expect(runs.createAndWait("t", body, { intervalMs: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(drain(runs.stream("t", { inputs }, { maxRetries: NaN }))).rejects.toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it("the client refuses NaN options, and the webhook verifier refuses a bad tolerance or clock", async () => {
    expect(() => new Flora({ apiKey: API_KEY, maxRetries: Number(undefined) })).toThrow(ValidationError);
    expect(() => new Flora({ apiKey: API_KEY, timeoutMs: -1 })).toThrow(/timeoutMs/);
    const flora = new Flora({ apiKey: API_KEY });
    for (const options of [{ toleranceSeconds: NaN }, { toleranceSeconds: -1 }, { now: NaN }, { now: new Date(NaN) }]) {
      await expect(flora.webhooks.unwrap("{}", {}, "whsec_x", options)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it("inputs with an empty id are refused", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson()));
    const runs = floraFor(server).techniques.runs;
    const error = await rejection(runs.create("t", { inputs: [{ id: " ", type: "text", value: "x" }], mode: "async" }));
    expect((error as ValidationError).field).toBe("inputs[0].id");
    expect(server.requests).toHaveLength(0);
  });

  it.each(["file:///etc/passwd", "javascript:alert(1)", "data:application/json,{}", "http://poll.example.com/runs/1"])(
    "a poll_url %s is never fetched: polling falls back to retrieve",
    async (pollUrl) => {
      const server = await serve((_req, res) => sendJson(res, 200, runJson({ status: "completed", progress: 1 })));
      const done = await floraFor(server).techniques.runs.wait(
        { run_id: "run_abc123", techniqueId: "t", poll_url: pollUrl, status: "running" },
        { intervalMs: 1 },
      );
      expect(done.status).toBe("completed");
      expect(server.requests.map((r) => r.url)).toEqual(["/api/v1/techniques/t/runs/run_abc123"]);
    },
  );

  it("without a techniqueId, an unusable poll_url is a ValidationError that names the run", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson()));
    const error = await rejection(
      floraFor(server).techniques.runs.wait({ run_id: "run_abc123", poll_url: "javascript:alert(1)" }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.runId).toBe("run_abc123");
  });
});

describe("redirects never leave the API's origin", () => {
  it("a cross-origin 307 on create is an error with the key; the other origin receives nothing", async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 201, runJson()));
    const server = await serve((_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/techniques/t/runs` }).end();
    });
    const error = await rejection(floraFor(server).techniques.runs.create("t", body));
    expect(error).toBeInstanceOf(APIError);
    expect(error.message).toMatch(/Refused to follow the 307 redirect .* to another origin/);
    expect(error.idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it("a 302 on a POST fails clearly instead of turning it into a GET", async () => {
    const server = await serve((req, res, _seen, index) => {
      if (index === 0) return void res.writeHead(302, { location: "/api/v1/elsewhere" }).end();
      sendJson(res, 200, runJson());
    });
    const error = await rejection(floraFor(server).techniques.runs.create("t", body));
    expect(error.message).toMatch(/would re-send this POST as a GET/);
    expect(server.requests).toHaveLength(1);
  });

  it("a same-origin 307 is followed with the same method, body and key", async () => {
    const server = await serve((_req, res, _seen, index) => {
      if (index === 0) return void res.writeHead(307, { location: "/api/v1/techniques/t/runs2" }).end();
      sendJson(res, 201, runJson());
    });
    const run = await floraFor(server).techniques.runs.create("t", body);
    expect(run.run_id).toBe("run_abc123");
    const [first, second] = server.requests;
    expect(second.method).toBe("POST");
    expect(second.url).toBe("/api/v1/techniques/t/runs2");
    expect(second.body).toBe(first.body);
    expect(second.headers["idempotency-key"]).toBe(first.headers["idempotency-key"]);
    expect(second.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it("a poll that redirects to another origin never sends the key there", async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, runJson({ status: "completed" })));
    const server = await serve((_req, res) => {
      res.writeHead(301, { location: `${elsewhere.url}/techniques/t/runs/run_abc123` }).end();
    });
    const error = await rejection(
      floraFor(server).techniques.runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { intervalMs: 1 }),
    );
    expect(error.runId).toBe("run_abc123");
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe("attacks found by review, each pinned", () => {
  const key = "sk_live_ZQXJ_<tag>'a'(x)*~!_0123456789";
  const unicodeEscaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
  const leaks = (error: unknown) =>
    [String(error), JSON.stringify(error), inspect(error, { depth: 12, showHidden: true })].some((text) =>
      ["ZQXJ", key.slice(0, 8)].some((part) => text.includes(part)),
    );
  const keyed = (server: ScriptedServer, options: Partial<ConstructorParameters<typeof Flora>[0]> = {}) =>
    floraFor(server, { apiKey: key, maxRetries: 0, ...options });

  it("a key hidden in JSON property names, escaped so text redaction cannot see it, never shows", async () => {
    const deep = `${'{"a":'.repeat(40)}"${unicodeEscaped}"${"}".repeat(40)}`;
    const server = await serve((req, res) => {
      res.writeHead(req.method === "POST" ? 400 : 200, { "content-type": "application/json" });
      if (req.method === "POST")
        return void res.end(
          `{"error":{"code":"bad","fields":[{"field":"f","message":"m","${unicodeEscaped}":1}]},"${unicodeEscaped}":${deep}}`,
        );
      res.end(JSON.stringify({ ...runJson({ status: "bogus" }), [key]: 1 }));
    });
    const flora = keyed(server);
    const created = await rejection(flora.techniques.runs.create("t", body));
    const polled = await rejection(
      flora.techniques.runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { intervalMs: 1 }),
    );
    for (const error of [created, polled]) expect(leaks(error), error.name).toBe(false);
  });

  it("a key in a body of any content type is redacted before the 200-character snippet is cut", async () => {
    for (const type of ["application/octet-stream", "Application/JSON", ""]) {
      const server = await serve((_req, res) => {
        res.writeHead(200, type ? { "content-type": type } : {});
        res.end(`${"x".repeat(185)}${key}`);
      });
      const error = await rejection(keyed(server).techniques.runs.create("t", body));
      expect(error, type).toBeInstanceOf(MalformedResponseError);
      expect(leaks(error), type).toBe(false);
    }
  });

  it("a key form-encoded in a Location header never shows", async () => {
    const server = await serve(
      (_req, res) =>
        void res
          .writeHead(307, {
            location: `https://elsewhere.example/?k=${new URLSearchParams({ k: key }).toString().slice(2)}`,
          })
          .end(),
    );
    expect(leaks(await rejection(keyed(server).techniques.runs.create("t", body)))).toBe(false);
  });

  it("a key quoted in a webhook's signature header or body never shows", async () => {
    const server = await serve((_req, res) => sendJson(res, 200, runJson()));
    const flora = keyed(server);
    const errors = await Promise.all([
      rejection(flora.webhooks.unwrap("{}", { "flora-signature": `t=1,${"x".repeat(20)}${key},v1=aa` }, "whsec_s")),
      rejection(flora.webhooks.unwrap("{}", { "flora-signature": `t=${key},v1=aa` }, "whsec_s")),
    ]);
    for (const error of errors) expect(leaks(error)).toBe(false);
  });

  it("onProgress that throws or rejects ends the wait with an error that names the run; a non-function is refused", async () => {
    const server = await serve((req, res) =>
      req.method === "POST" ? sendJson(res, 201, runJson()) : sendJson(res, 200, runJson({ status: "running" })),
    );
    const runs = floraFor(server).techniques.runs;
    const thrown = await rejection(
      runs.createAndWait("t", body, {
        intervalMs: 1,
        onProgress: () => {
          throw new Error("user bug");
        },
      }),
    );
    expect([thrown.runId, (thrown.cause as Error).message]).toEqual(["run_abc123", "user bug"]);
    expect(thrown.idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
    const rejected = await rejection(
      runs.createAndWait("t", body, {
        intervalMs: 1,
        onProgress: async () => {
          throw new Error("async bug");
        },
      }),
    );
    expect(rejected.runId).toBe("run_abc123");
    const posts = server.requests.length;
    const refused = await rejection(runs.createAndWait("t", body, { onProgress: 5 as unknown as () => void }));
    expect((refused as ValidationError).field).toBe("onProgress");
    expect(server.requests).toHaveLength(posts);
  });

  it("a create answered with a blank run_id fails with the key of that create", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson({ run_id: "   " })));
    const error = await rejection(floraFor(server).techniques.runs.createAndWait("t", body));
    expect(error.idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
  });

  it("a malformed first stream snapshot still names its run", async () => {
    const server = await serve((_req, res) => sse(res, [runJson({ run_id: "run_c", status: "queued" })]));
    const error = await rejection(drain(floraFor(server).techniques.runs.stream("t", { inputs })));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.runId).toBe("run_c");
  });

  it("snapshots are checked against the Run schema while polling and streaming, and must be the polled run", async () => {
    const other = await serve((_req, res) => sendJson(res, 200, runJson({ run_id: "run_OTHER", status: "completed" })));
    await expect(
      floraFor(other).techniques.runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { intervalMs: 1 }),
    ).rejects.toThrow(/has run_id "run_OTHER" where "run_abc123" was polled/);
    const typed = await serve((_req, res) => sse(res, [runJson({ status: "completed", progress: "abc" })]));
    await expect(drain(floraFor(typed).techniques.runs.stream("t", { inputs }))).rejects.toThrow(
      /snapshot.progress is string, not number/,
    );
  });

  it("a body that inflates past 64 MiB, or an event line that never ends, is refused instead of filling memory", async () => {
    const { gzipSync } = await import("node:zlib");
    const bomb = gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x20));
    const server = await serve((req, res) => {
      if (req.url?.includes("/bomb/")) {
        res.writeHead(201, { "content-type": "application/json", "content-encoding": "gzip" });
        return void res.end(bomb);
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = "x".repeat(1024 * 1024);
      res.write("data: ");
      for (let i = 0; i < 6; i++) res.write(chunk);
      res.end();
    });
    const runs = floraFor(server).techniques.runs;
    await expect(runs.create("bomb", body)).rejects.toThrow(/larger than 67108864 bytes/);
    await expect(drain(runs.stream("flood", { inputs }))).rejects.toBeInstanceOf(StreamParseError);
  });

  it("a caller's cookie and proxy credentials never reach a poll_url on another origin", async () => {
    const elsewhere = await serve((_req, res) => sendJson(res, 200, runJson({ status: "completed" })));
    const server = await serve((_req, res) =>
      sendJson(res, 201, runJson({ poll_url: `${elsewhere.url}/p/run_abc123` })),
    );
    const headers = { cookie: "session=SECRET", "proxy-authorization": "Basic X" };
    await floraFor(server).techniques.runs.createAndWait("t", body, { intervalMs: 1, headers });
    expect(server.requests[0].headers.cookie).toBe("session=SECRET");
    expect(elsewhere.requests[0].headers.cookie).toBeUndefined();
    expect(elsewhere.requests[0].headers["proxy-authorization"]).toBeUndefined();
  });

  it("a 2xx is never retried, whatever x-should-retry says", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson(), { "x-should-retry": "true" }));
    await floraFor(server).techniques.runs.create("t", body);
    expect(server.requests).toHaveLength(1);
  });

  it("bad arguments of every kind are a ValidationError or a WebhookVerificationError, never a bare TypeError", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson()));
    const runs = floraFor(server).techniques.runs;
    const circular: Record<string, unknown> = { inputs, mode: "async" };
    circular.self = circular;
    const attempts: [string, () => unknown][] = [
      ["circular body", () => runs.create("t", circular as never)],
      ["numeric idempotencyKey", () => runs.create("t", body, { idempotencyKey: 5 as unknown as string })],
      ["a signal that is not one", () => runs.create("t", body, { signal: {} as AbortSignal })],
      ["a lone surrogate in an id", () => runs.retrieve("t", "run_\ud800")],
      ["a control character in a header", () => runs.create("t", body, { headers: { "x-a": "a\x7fb" } })],
      ["a header the client sets itself", () => runs.create("t", body, { headers: { host: "evil.example" } })],
      ["an apiKey that is a number", () => new Flora({ apiKey: 12345 as unknown as string })],
      ["a baseUrl with credentials", () => new Flora({ apiKey: API_KEY, baseUrl: "https://u:p@api.example" })],
      ["a logger without debug", () => new Flora({ apiKey: API_KEY, logger: { warn() {} } as never })],
      ["webhook headers that are null", () => floraFor(server).webhooks.unwrap("{}", null as never, "whsec_x")],
    ];
    for (const [name, attempt] of attempts) {
      const error = await Promise.resolve()
        .then(attempt)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error, name).toBeInstanceOf(FloraError);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("a Headers instance as per-call headers is sent, not dropped", async () => {
    const server = await serve((_req, res) => sendJson(res, 201, runJson()));
    await floraFor(server).techniques.runs.create("t", body, { headers: new Headers({ "x-custom": "yes" }) as never });
    expect(server.requests[0].headers["x-custom"]).toBe("yes");
  });
});

describe("one signal shared by many calls", () => {
  it("50 concurrent createAndWait calls on one signal raise no MaxListenersExceededWarning and leave no listener", async () => {
    const server = await serve((req, res) =>
      req.method === "POST"
        ? sendJson(res, 201, runJson())
        : sendJson(res, 200, runJson({ status: "completed", progress: 1 })),
    );
    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const { signal } = new AbortController();
      const runs = floraFor(server, { sleep: undefined }).techniques.runs;
      const done = await Promise.all(
        Array.from({ length: 50 }, () => runs.createAndWait("t", body, { signal, intervalMs: 5 })),
      );
      expect(done.every((run) => run.status === "completed")).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20)); // warnings are emitted on a later tick
      expect(warnings).not.toContain("MaxListenersExceededWarning");
      expect(getEventListeners(signal, "abort")).toHaveLength(0);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("attacks found by the second review, each pinned", () => {
  const key = "sk_LiveSecretKEY_abcdefghijklmnopQRSTUVWX0123456789";
  const escaped = [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
  const leaks = (error: unknown) =>
    [String(error), JSON.stringify(error), inspect(error, { depth: 12, showHidden: true })].some((text) =>
      ["SecretKEY", "secretkey", "sk_Live", "sk_live"].some((part) => text.includes(part)),
    );
  const keyed = (server: ScriptedServer) => floraFor(server, { apiKey: key, maxRetries: 0 });

  it("a key spelled in \\u escapes inside JSON, cut by a 200-character snippet, never shows", async () => {
    const server = await serve((req, res) => {
      const text = `{"run_id":"run_abc123","status":"bogus","created_at":0,"progress":0,"pad":"${"a".repeat(82)}","note":"${escaped}"}`;
      if (req.method === "POST") {
        res.writeHead(400, { "content-type": "application/json" });
        return void res.end(`{"pad":"${"b".repeat(150)}","note":"${escaped}"}`);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(text);
    });
    const runs = keyed(server).techniques.runs;
    const errors = await Promise.all([
      rejection(runs.create("t", body)),
      rejection(runs.wait({ run_id: "run_abc123", techniqueId: "t" }, { intervalMs: 1 })),
    ]);
    for (const error of errors) expect(leaks(error), error.name).toBe(false);
  });

  it("a key in a redirect's Location or host, lower-cased by URL parsing, never shows", async () => {
    const server = await serve(
      (req, res, _seen, index) =>
        void res
          .writeHead(307, {
            location: index === 0 ? `http://[${"a".repeat(170)}${key}` : `http://${key}.example.com/x`,
          })
          .end(),
    );
    const runs = keyed(server).techniques.runs;
    for (const error of [await rejection(runs.create("t", body)), await rejection(runs.create("t", body))]) {
      expect(leaks(error)).toBe(false);
    }
  });

  it("an error answer labelled text/event-stream is read whole: timed, capped, closed, and nothing left on the signal", async () => {
    const server = await serve((_req, res, _seen, index) => {
      if (index < 2) {
        res.writeHead(503, { "content-type": "text/event-stream" });
        return void res.write(": still here\n\n"); // and never ends
      }
      sendJson(res, 400, { error: { code: "bad", message: "no" } });
    });
    const { signal } = new AbortController();
    const started = Date.now();
    const flora = floraFor(server, { timeoutMs: 300, maxRetries: 2, sleep: async () => undefined });
    const error = await rejection(flora.techniques.runs.create("t", body, { signal }));
    expect(error.name).toBe("BadRequestError");
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("a stream whose events switch run ids is a MalformedResponseError naming the first run", async () => {
    const server = await serve((_req, res) =>
      sse(res, [runJson({ run_id: "run_a", status: "running" }), runJson({ run_id: "run_b", status: "completed" })]),
    );
    const error = await rejection(drain(floraFor(server).techniques.runs.stream("t", { inputs })));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.runId).toBe("run_a");
  });
});
