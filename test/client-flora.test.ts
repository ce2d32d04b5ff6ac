// End-to-end tests of the Flora client against scripted node:http servers on 127.0.0.1.
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  Flora,
  FloraError,
  IdempotencyError,
  InternalServerError,
  MalformedResponseError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  VERSION,
} from "../src/index.js";
import {
  API_KEY,
  failOnUnhandledRejections,
  recordingSleep,
  resetConnection,
  runJson,
  sendJson,
  startScriptedServer,
  type Handler,
  type ScriptedServer,
} from "./client-server.js";
import { isLogLevel } from "../src/runtime/index.js";

const inputs = [{ id: "prompt", type: "text" as const, value: "a red fox" }];
let server: ScriptedServer | undefined;
failOnUnhandledRejections();
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(handler: Handler, options: Partial<ConstructorParameters<typeof Flora>[0]> = {}) {
  server = await startScriptedServer(handler);
  const recorded = recordingSleep();
  const flora = new Flora({ apiKey: API_KEY, baseUrl: server.url, sleep: recorded.sleep, logLevel: "off", ...options });
  return { flora, server, delays: recorded.delays };
}

function bodyOf(index: number): Record<string, unknown> {
  return JSON.parse(server!.requests[index].body);
}

describe("idempotency keys", () => {
  it("generates one key and sends it in header and body on every retry", async () => {
    const { flora, server } = await clientFor((_req, res, _seen, index) => {
      if (index === 0) return resetConnection(res);
      if (index === 1) return sendJson(res, 503, { error: { code: "service_unavailable", message: "busy" } });
      sendJson(res, 201, runJson());
    });
    const run = await flora.techniques.runs.create("art-directors-critique", { inputs, mode: "async" });
    expect(run.run_id).toBe("run_abc123");
    expect(server.requests).toHaveLength(3);
    const key = server.requests[0].headers["idempotency-key"];
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    for (let i = 0; i < 3; i++) {
      expect(server.requests[i].headers["idempotency-key"]).toBe(key);
      expect(bodyOf(i).idempotency_key).toBe(key);
    }
  });

  it("uses a fresh key per logical call", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    await flora.techniques.runs.create("t", { inputs, mode: "async" });
    await flora.techniques.runs.create("t", { inputs, mode: "async" });
    expect(server.requests[0].headers["idempotency-key"]).not.toBe(server.requests[1].headers["idempotency-key"]);
  });

  it("honours the caller's key from options or from the body field", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    await flora.techniques.runs.create("t", { inputs, mode: "async" }, { idempotencyKey: "key-from-options" });
    await flora.techniques.runs.create("t", { inputs, mode: "async", idempotency_key: "key-from-body" });
    await flora.techniques.runs.create(
      "t",
      { inputs, mode: "async", idempotency_key: "same" },
      { idempotencyKey: "same" },
    );
    expect(server.requests.map((r) => [r.headers["idempotency-key"], JSON.parse(r.body).idempotency_key])).toEqual([
      ["key-from-options", "key-from-options"],
      ["key-from-body", "key-from-body"],
      ["same", "same"],
    ]);
  });

  it("refuses two different caller keys before sending anything", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    const call = flora.techniques.runs.create(
      "t",
      { inputs, mode: "async", idempotency_key: "a" },
      { idempotencyKey: "b" },
    );
    await expect(call).rejects.toThrow(ValidationError);
    await expect(call).rejects.toThrow(/idempotencyKey and body.idempotency_key differ/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [409, "idempotency_duplicate"],
    [422, "idempotency_conflict"],
  ])("raises IdempotencyError for %i %s, carrying the key, without retrying", async (status, code) => {
    const { flora, server } = await clientFor((_req, res) =>
      sendJson(res, status, { error: { code, message: "key already used" } }),
    );
    const error = await flora.techniques.runs
      .create("t", { inputs, mode: "async" }, { idempotencyKey: "k-1" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyError);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status, code, idempotencyKey: "k-1", requestId: "req_test123" });
    expect(server.requests).toHaveLength(1);
  });

  it("exposes the key on the error after retries are exhausted by lost responses", async () => {
    const { flora, server, delays } = await clientFor((_req, res) => resetConnection(res));
    const error = await flora.techniques.runs.create("t", { inputs, mode: "async" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(server.requests).toHaveLength(3);
    expect((error as FloraError).idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
    expect(delays).toHaveLength(2);
    // retrying the ambiguous call with that key sends the same key again
    await flora.techniques.runs
      .create("t", { inputs, mode: "async" }, { idempotencyKey: (error as FloraError).idempotencyKey })
      .catch(() => undefined);
    expect(server.requests[3].headers["idempotency-key"]).toBe(server.requests[0].headers["idempotency-key"]);
  });

  it("puts the key on errors of every class, e.g. a 400", async () => {
    const { flora } = await clientFor((_req, res) =>
      sendJson(res, 400, { error: { code: "input_validation_error", message: "bad" } }),
    );
    const error = await flora.techniques.runs
      .create("t", { inputs, mode: "async" }, { idempotencyKey: "k-400" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as FloraError).idempotencyKey).toBe("k-400");
  });
});

describe("retries", () => {
  it.each([408, 429, 500, 502, 503])("retries status %i and then succeeds", async (status) => {
    const { flora, server } = await clientFor((_req, res, _seen, index) =>
      index === 0 ? sendJson(res, status, { error: { code: "x", message: "later" } }) : sendJson(res, 201, runJson()),
    );
    await flora.techniques.runs.create("t", { inputs, mode: "async" });
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry 400, 401, 404 or 409", async () => {
    for (const status of [400, 401, 404, 409]) {
      const { flora, server } = await clientFor((_req, res) =>
        sendJson(res, status, { error: { code: "nope", message: "no" } }),
      );
      await expect(flora.techniques.runs.retrieve("t", "run_1")).rejects.toThrow(APIError);
      expect(server.requests).toHaveLength(1);
      await server.close();
    }
  });

  it("gives up after maxRetries and throws the status's error class", async () => {
    const { flora, server, delays } = await clientFor(
      (_req, res) => sendJson(res, 500, { error: { code: "internal_error", message: "boom" } }),
      {
        maxRetries: 3,
      },
    );
    const error = await flora.techniques.runs.retrieve("t", "run_1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(4);
    expect(delays.length).toBe(3);
    expect(delays[0]).toBeGreaterThanOrEqual(375);
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(delays[2]).toBeGreaterThanOrEqual(1500);
    expect(delays[2]).toBeLessThanOrEqual(2000);
  });

  it("per-call maxRetries: 0 sends once", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 503, {}));
    await expect(flora.techniques.runs.retrieve("t", "run_1", { maxRetries: 0 })).rejects.toThrow(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it("honours retry-after-ms, Retry-After seconds and dates", async () => {
    const retryHeaders: Record<string, string>[] = [
      { "retry-after-ms": "1234" },
      { "retry-after": "3" },
      { "retry-after": new Date(Date.now() + 20_000).toUTCString() },
    ];
    const { flora, delays } = await clientFor(
      (_req, res, _seen, index) =>
        index < 3
          ? sendJson(res, 429, { error: { code: "rate_limited", message: "slow down" } }, retryHeaders[index])
          : sendJson(res, 200, runJson()),
      { maxRetries: 3 },
    );
    await flora.techniques.runs.retrieve("t", "run_1");
    expect(delays[0]).toBe(1234);
    expect(delays[1]).toBe(3000);
    expect(delays[2]).toBeGreaterThan(18_000);
    expect(delays[2]).toBeLessThanOrEqual(20_000);
  });

  it("follows x-should-retry in both directions", async () => {
    const { flora, server } = await clientFor((_req, res, _seen, index) => {
      if (index === 0)
        return sendJson(res, 400, { error: { code: "x", message: "try again" } }, { "x-should-retry": "true" });
      sendJson(res, 503, { error: { code: "x", message: "final" } }, { "x-should-retry": "false" });
    });
    await expect(flora.techniques.runs.retrieve("t", "run_1")).rejects.toThrow(InternalServerError);
    expect(server.requests).toHaveLength(2);
  });

  it("times out each attempt separately and retries", async () => {
    const { flora, server } = await clientFor(
      (_req, res, _seen, index) => {
        if (index < 2) return; // never answers
        sendJson(res, 200, runJson());
      },
      { timeoutMs: 150 },
    );
    const started = Date.now();
    await flora.techniques.runs.retrieve("t", "run_1");
    expect(server.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("throws APITimeoutError when every attempt times out", async () => {
    const { flora, server } = await clientFor(() => undefined, { timeoutMs: 100, maxRetries: 1 });
    const error = await flora.techniques.runs.create("t", { inputs, mode: "async" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toMatch(/timed out after 100 ms/);
    expect((error as FloraError).idempotencyKey).toBeDefined();
    expect(server.requests).toHaveLength(2);
  });

  it("never retries the caller's abort, and reports it as APIUserAbortError", async () => {
    const { flora, server } = await clientFor(() => undefined, { timeoutMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await flora.techniques.runs
      .create("t", { inputs, mode: "async" }, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as FloraError).idempotencyKey).toBe(server.requests[0].headers["idempotency-key"]);
    expect(server.requests).toHaveLength(1);
  });

  it("sends nothing when the signal is already aborted", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 200, runJson()));
    await expect(flora.techniques.runs.retrieve("t", "run_1", { signal: AbortSignal.abort() })).rejects.toThrow(
      APIUserAbortError,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("retries a connection cut in the middle of the body", async () => {
    const { flora, server } = await clientFor((_req, res, _seen, index) => {
      if (index === 0) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        res.write('{"run_id":"run_');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      sendJson(res, 200, runJson());
    });
    const run = await flora.techniques.runs.retrieve("t", "run_1");
    expect(run.run_id).toBe("run_abc123");
    expect(server.requests).toHaveLength(2);
  });
});

describe("errors", () => {
  it("carries status, code, message, fields, requestId and response headers", async () => {
    const { flora } = await clientFor((_req, res) =>
      sendJson(
        res,
        400,
        {
          error: {
            code: "input_validation_error",
            message: "Invalid inputs",
            fields: [{ field: "inputs.0.value", message: "Required" }],
          },
        },
        { "request-id": "req_42" },
      ),
    );
    const error = (await flora.techniques.runs
      .create("t", { inputs, mode: "async" })
      .catch((e: unknown) => e)) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toBeInstanceOf(FloraError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("input_validation_error");
    expect(error.message).toBe("400 input_validation_error: Invalid inputs (request-id req_42)");
    expect(error.fields).toEqual([{ field: "inputs.0.value", message: "Required" }]);
    expect(error.requestId).toBe("req_42");
    expect(error.headers["content-type"]).toBe("application/json");
    expect(error.headers.authorization).toBeUndefined();
  });

  it.each([
    [401, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
  ])("picks the class for %i", async (status, ErrorClass) => {
    const { flora } = await clientFor((_req, res) => sendJson(res, status, { error: { code: "c", message: "m" } }), {
      maxRetries: 0,
    });
    await expect(flora.techniques.runs.retrieve("t", "run_1")).rejects.toThrow(ErrorClass);
  });

  it("retries a truncated JSON success body, then raises MalformedResponseError, never a SyntaxError", async () => {
    const { flora, server } = await clientFor((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "request-id": "req_trunc" });
      res.end('{"run_id":"run_abc123","status":"pen');
    });
    const error = (await flora.techniques.runs
      .retrieve("t", "run_1")
      .catch((e: unknown) => e)) as MalformedResponseError;
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.message).toBe(
      '200 response body (application/json) is not valid JSON: "{\\"run_id\\":\\"run_abc123\\",\\"status\\":\\"pen"',
    );
    expect(error.requestId).toBe("req_trunc");
    expect(server.requests).toHaveLength(3);
  });

  it("recovers from one truncated JSON body by retrying a keyed create", async () => {
    const { flora, server } = await clientFor((_req, res, _seen, index) => {
      if (index > 0) return sendJson(res, 201, runJson());
      res.writeHead(201, { "content-type": "application/json" });
      res.end('{"run_id":"run_ab');
    });
    await expect(flora.techniques.runs.create("t", { inputs, mode: "async" })).resolves.toMatchObject({
      run_id: "run_abc123",
    });
    expect(server.requests[1].headers["idempotency-key"]).toBe(server.requests[0].headers["idempotency-key"]);
  });

  it("turns an HTML error page into MalformedResponseError naming status, type and the first 200 characters", async () => {
    const html = `<html><body><h1>502 Bad Gateway</h1>${"x".repeat(400)}</body></html>`;
    const { flora, server } = await clientFor((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end(html);
    });
    const error = (await flora.techniques.runs
      .retrieve("t", "run_1")
      .catch((e: unknown) => e)) as MalformedResponseError;
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.status).toBe(502);
    expect(error.message).toContain("502 response body (text/html)");
    expect(error.bodySnippet).toBe(html.slice(0, 200));
    expect(error.message).not.toContain("x".repeat(250));
    expect(server.requests).toHaveLength(3); // 502 is retried first
  });

  it("gives an APIError with no code for an empty error body", async () => {
    const { flora } = await clientFor((_req, res) => {
      res.writeHead(404, { "content-length": "0" });
      res.end();
    });
    const error = (await flora.techniques.runs.retrieve("t", "run_1").catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBeUndefined();
    expect(error.message).toBe("404: (no body)");
  });

  it.each([
    ["204 with no body", 204, undefined, "is empty, not object"],
    ["an empty 200", 200, "", "is empty, not object"],
    ["null", 201, "null", "is null, not object"],
    ["an array", 201, "[]", "is array, not object"],
    ["a string", 201, '"ok"', "is string, not object"],
    [
      "a run without run_id",
      201,
      '{"status":"running","created_at":0,"progress":0}',
      "lacks the required property run_id",
    ],
    [
      "a run without status",
      201,
      '{"run_id":"run_1","created_at":0,"progress":0}',
      "lacks the required property status",
    ],
    [
      "a run_id that is a number",
      201,
      '{"run_id":7,"status":"running","created_at":0,"progress":0}',
      "body.run_id is number, not string",
    ],
  ])(
    "a 2xx that is not a run (%s) is a MalformedResponseError with the status and the key",
    async (_name, status, body, problem) => {
      const { flora } = await clientFor((_req, res) => {
        res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
        res.end(body);
      });
      const error = await flora.techniques.runs.create("t", { inputs, mode: "async" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as MalformedResponseError).status).toBe(status);
      expect((error as MalformedResponseError).message).toContain(problem);
      expect((error as MalformedResponseError).idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
      await expect(flora.techniques.runs.retrieve("t", "run_1")).rejects.toBeInstanceOf(MalformedResponseError);
    },
  );
});

/** Each call (sync or async) fails with a ValidationError whose message and field do not contain `secret`. */
async function expectRefusedWithout(calls: ReadonlyArray<() => unknown>, secret: string): Promise<void> {
  for (const call of calls) {
    const error = (await Promise.resolve()
      .then(call)
      .catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(`${error.message} ${error.field}`).not.toContain(secret);
  }
}

describe("validation before any request", () => {
  it.each([
    ["empty techniqueId", (f: Flora) => f.techniques.runs.create("", { inputs, mode: "async" }), "techniqueId"],
    [
      "whitespace techniqueId",
      (f: Flora) => f.techniques.runs.create("  \t", { inputs, mode: "async" }),
      "techniqueId",
    ],
    ["empty inputs", (f: Flora) => f.techniques.runs.create("t", { inputs: [], mode: "async" }), "inputs"],
    [
      "unknown input type",
      (f: Flora) =>
        f.techniques.runs.create("t", { inputs: [{ id: "a", type: "audio" as "text", value: "v" }], mode: "async" }),
      "inputs[0].type",
    ],
    [
      "http callback_url",
      (f: Flora) => f.techniques.runs.create("t", { inputs, mode: "async", callback_url: "http://example.com/hook" }),
      "callback_url",
    ],
    ["unknown mode", (f: Flora) => f.techniques.runs.create("t", { inputs, mode: "sync" as "async" }), "mode"],
    ["bigint mode", (f: Flora) => f.techniques.runs.create("t", { inputs, mode: 1n as never }), "mode"],
    [
      "bigint input id",
      (f: Flora) =>
        f.techniques.runs.create("t", { inputs: [{ id: 10n as never, type: "text", value: "v" }], mode: "async" }),
      "inputs[0].id",
    ],
    [
      "a Blob in the body, checked before the technique is fetched (checkInputs)",
      (f: Flora) =>
        f.techniques.runs.createAndWait(
          "t",
          { inputs, mode: "async", metadata: { image: new Blob(["png"]) } } as never,
          { checkInputs: true },
        ),
      "body.metadata.image",
    ],
    [
      "a Blob in a streamed run's body",
      async (f: Flora) => {
        for await (const _ of f.techniques.runs.stream("t", { inputs, metadata: new Map() } as never));
      },
      "body.metadata",
    ],
    ["empty runId", (f: Flora) => f.techniques.runs.retrieve("t", " "), "runId"],
    ["dot-dot techniqueId", (f: Flora) => f.techniques.runs.retrieve("..", "run_1"), "techniqueId"],
    [
      "wait without poll_url or techniqueId",
      (f: Flora) => f.techniques.runs.wait({ run_id: "run_1", status: "pending" }),
      "techniqueId",
    ],
  ])("%s → ValidationError naming the field", async (_name, call, field) => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    const error = (await call(flora).catch((e: unknown) => e)) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(server.requests).toHaveLength(0);
  });

  it("never shows the API key in a message that quotes the caller's value", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    for (const call of [
      () => flora.techniques.runs.create("t", { inputs, mode: "async", callback_url: `http://x/?k=${API_KEY}` }),
      () => flora.techniques.runs.create("t", { inputs, mode: API_KEY as "async" }),
      () =>
        flora.techniques.runs.createAndWait(
          "t",
          { inputs: [{ id: "a", type: API_KEY as "text", value: "v" }], mode: "async" },
          { checkInputs: true },
        ),
    ]) {
      const error = (await call().catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.message).toContain("got the string");
      expect(`${error.message} ${error.field}`).not.toContain(API_KEY.slice(0, 12));
    }
    expect(server.requests).toHaveLength(0);
    // a key given where a number or URL belongs: the wait options of each phase, and the constructor's options
    const misplaced: Array<() => unknown> = [
      () => flora.techniques.runs.createAndWait("t", { inputs, mode: "async" }, { waitTimeoutMs: API_KEY as never }),
      () => flora.techniques.runs.wait({ run_id: "r", techniqueId: "t" } as never, { intervalMs: API_KEY as never }),
      async () => {
        for await (const _ of flora.techniques.runs.stream("t", { inputs }, { intervalMs: API_KEY as never }));
      },
      () => new Flora({ apiKey: API_KEY, baseUrl: API_KEY }),
      () => new Flora({ apiKey: API_KEY, timeoutMs: API_KEY as never }),
      () => new Flora({ apiKey: API_KEY, logLevel: API_KEY as never }),
      () => new Flora(API_KEY as never),
    ];
    await expectRefusedWithout(misplaced, API_KEY.slice(0, 12));
    expect(server.requests).toHaveLength(0);
  });

  it("never shows any part of a long API key: a value is quoted whole (up to 200 characters) and masked", async () => {
    const long = `flora_sk_live_${"A1b2C3d4E5".repeat(4)}`;
    const { server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    const flora = new Flora({ apiKey: long, baseUrl: server.url, logLevel: "off" });
    const calls: Array<() => unknown> = [
      () => new Flora({ apiKey: long, maxRetries: long as never }),
      () => new Flora(long as never),
      () => flora.techniques.runs.create("t", { inputs, mode: "async" }, { timeoutMs: long as never }),
      () => flora.techniques.runs.createAndWait("t", { inputs, mode: "async" }, { waitTimeoutMs: long as never }),
      () =>
        flora.techniques.runs.create("t", {
          inputs,
          mode: "async",
          extra: { [`Bearer ${long}`]: Number.NaN },
        } as never),
      () => flora.webhooks.unwrap("{}", {}, "whsec_x", { toleranceSeconds: long as never }),
    ];
    await expectRefusedWithout(calls, long.slice(0, 16));
    expect(server.requests).toHaveLength(0);
  });

  it("sends a class instance body as its JSON (prototype getters, toJSON) with the idempotency key added", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    class Body {
      get inputs() {
        return inputs;
      }
      get mode() {
        return "async" as const;
      }
      toJSON() {
        return { inputs: this.inputs, mode: this.mode };
      }
    }
    await flora.techniques.runs.create("t", new Body(), { idempotencyKey: "key-1" });
    expect(bodyOf(0)).toEqual({ inputs, mode: "async", idempotency_key: "key-1" });
  });

  it("accepts the snake_case input type aliases the server knows", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    await flora.techniques.runs.create("t", {
      inputs: [{ id: "i", type: "image_url" as "imageUrl", value: "https://x/y.png" }],
      mode: "async",
    });
    expect(server.requests).toHaveLength(1);
  });

  it("keeps a techniqueId like ../admin inside /techniques/", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    await flora.techniques.runs.create("../admin", { inputs, mode: "async" });
    await flora.techniques.runs.retrieve("../../admin?x=1#y", "run_1/../..");
    expect(server.requests[0].url).toBe("/api/v1/techniques/..%2Fadmin/runs");
    expect(server.requests[1].url).toBe("/api/v1/techniques/..%2F..%2Fadmin%3Fx%3D1%23y/runs/run_1%2F..%2F..");
  });
});

describe("streaming responses to plain calls", () => {
  it("create() answered with an event stream fails fast with a clear error instead of reading the stream", async () => {
    const { flora } = await clientFor((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: ${JSON.stringify(runJson())}\n\n`); // and never ends
    });
    const error = await flora.techniques.runs.create("t", { inputs, mode: "stream" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect((error as Error).message).toBe(
      "200 response body (text/event-stream) is an event stream, not JSON (use the streaming method)",
    );
    expect((error as FloraError).idempotencyKey).toBeDefined();
  });
});

describe("construction", () => {
  it("refuses a plain http:// baseUrl unless the host is loopback", () => {
    expect(() => new Flora({ apiKey: API_KEY, baseUrl: "http://api.example.com/v1" })).toThrow(ValidationError);
    expect(() => new Flora({ apiKey: API_KEY, baseUrl: "http://api.example.com/v1" })).toThrow(
      /baseUrl must use https:\/\//,
    );
    for (const baseUrl of [
      "http://127.0.0.1:8080/api/v1",
      "http://127.9.9.9/api",
      "http://localhost:3000",
      "http://[::1]:3000/x",
      "https://app.flora.ai/api/v1",
    ]) {
      expect(() => new Flora({ apiKey: API_KEY, baseUrl })).not.toThrow();
    }
    expect(() => new Flora({ apiKey: API_KEY, baseUrl: "http://127.0.0.1.evil.com/" })).toThrow(ValidationError);
    expect(() => new Flora({ apiKey: API_KEY, baseUrl: "not a url" })).toThrow(/baseUrl is not a valid absolute URL/);
  });

  it.each([
    ["options null", () => new Flora(null as never), "options", "options must be an object; got null."],
    [
      "a URL object as baseUrl",
      () => new Flora({ apiKey: API_KEY, baseUrl: new URL("https://x.example/v1") as never }),
      "baseUrl",
      "baseUrl must be a string; got object.",
    ],
    [
      "a number as baseUrl",
      () => new Flora({ apiKey: API_KEY, baseUrl: 123 as never }),
      "baseUrl",
      "baseUrl must be a string; got 123.",
    ],
    [
      "a baseUrl with a query",
      () => new Flora({ apiKey: API_KEY, baseUrl: "https://x.example/v1?x=1" }),
      "baseUrl",
      "baseUrl must not have a query (?) or fragment (#).",
    ],
    [
      "a baseUrl with a fragment",
      () => new Flora({ apiKey: API_KEY, baseUrl: "https://x.example/v1#top" }),
      "baseUrl",
      "baseUrl must not have a query (?) or fragment (#).",
    ],
    [
      "allowedPollOrigins as a string",
      () => new Flora({ apiKey: API_KEY, allowedPollOrigins: "https://polls.example" as never }),
      "allowedPollOrigins",
      'allowedPollOrigins must be an array; got the string "https://polls.example".',
    ],
    [
      "an http poll origin",
      () => new Flora({ apiKey: API_KEY, allowedPollOrigins: ["http://polls.example"] }),
      "allowedPollOrigins",
      "allowedPollOrigins must use https:// (plain http:// is allowed only for loopback hosts), got http://polls.example.",
    ],
    [
      "fetch as a string",
      () => new Flora({ apiKey: API_KEY, fetch: "nope" as never }),
      "fetch",
      'fetch must be a function; got the string "nope".',
    ],
    [
      "sleep as a number",
      () => new Flora({ apiKey: API_KEY, sleep: 5 as never }),
      "sleep",
      "sleep must be a function; got 5.",
    ],
    [
      "an unknown logLevel",
      () => new Flora({ apiKey: API_KEY, logLevel: "verbose" as never }),
      "logLevel",
      "logLevel must be one of off, error, warn, info, debug; got verbose.",
    ],
  ])("refuses %s with a ValidationError naming the option", (_name, construct, field, message) => {
    const error = (() => {
      try {
        construct();
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field, message });
  });

  it("refuses null call options with a ValidationError before anything is sent", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 201, runJson()));
    const runs = flora.techniques.runs;
    for (const call of [
      () => runs.create("t", { inputs, mode: "async" }, null as never),
      () => runs.retrieve("t", "run_1", null as never),
      () => runs.createAndWait("t", { inputs, mode: "async" }, null as never),
      () => runs.wait({ run_id: "run_1", techniqueId: "t" }, null as never),
      () => runs.stream("t", { inputs }, null as never).next(),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field: "options", message: "options must be an object; got null." });
    }
    expect(server.requests).toHaveLength(0);
  });

  it("names FLORA_API_KEY when no key is given", () => {
    vi.stubEnv("FLORA_API_KEY", "");
    try {
      expect(() => new Flora({})).toThrow(/FLORA_API_KEY/);
      expect(() => new Flora()).toThrow(ValidationError);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("refuses an API key that could not be sent as a header, without quoting it", () => {
    for (const apiKey of ["sk_abc\ndef", "sk abc", "sk_€uro"]) {
      const error = (() => {
        try {
          new Flora({ apiKey });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(error?.message).toBe("apiKey must be printable ASCII without spaces or line breaks.");
    }
  });

  it("reads FLORA_API_KEY and FLORA_BASE_URL from the environment", async () => {
    server = await startScriptedServer((_req, res) => sendJson(res, 200, runJson()));
    vi.stubEnv("FLORA_API_KEY", API_KEY);
    vi.stubEnv("FLORA_BASE_URL", server.url);
    try {
      const flora = new Flora();
      expect(flora.baseUrl).toBe(server.url);
      await flora.techniques.runs.retrieve("t", "run_1");
      expect(server.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("takes the log level from FLORA_LOG and logs attempts and retries", async () => {
    const lines: string[] = [];
    const capture = (line: string) => lines.push(line);
    vi.stubEnv("FLORA_LOG", "debug");
    try {
      const { flora } = await clientFor(
        (_req, res, _seen, index) => (index === 0 ? sendJson(res, 503, {}) : sendJson(res, 200, runJson())),
        {
          logLevel: undefined,
          logger: { error: capture, warn: capture, info: capture, debug: capture },
        },
      );
      await flora.techniques.runs.retrieve("t", "run_1");
    } finally {
      vi.unstubAllEnvs();
    }
    expect(lines[0]).toMatch(
      /^\[flora\] GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/techniques\/t\/runs\/run_1 \(attempt 1 of 3\)$/,
    );
    expect(lines[1]).toMatch(/^\[flora\] retrying GET .* in \d+ ms after status 503$/);
    expect(lines).toHaveLength(3);
  });

  it("ignores a FLORA_LOG that names an Object.prototype member, keeping the default level", () => {
    for (const level of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect(isLogLevel(level), level).toBe(false);
    }
    for (const level of ["off", "error", "warn", "info", "debug"]) expect(isLogLevel(level), level).toBe(true);
  });

  it("defaults the baseUrl to Flora's", () => {
    vi.stubEnv("FLORA_BASE_URL", "");
    try {
      expect(new Flora({ apiKey: API_KEY }).baseUrl).toBe("https://app.flora.ai/api/v1");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("sends the SDK identification header with the package version", async () => {
    const { flora, server } = await clientFor((_req, res) => sendJson(res, 200, runJson()));
    await flora.techniques.runs.retrieve("t", "run_1");
    const { version } = (await import("../package.json", { with: { type: "json" } })).default;
    expect(VERSION).toBe(version);
    expect(server.requests[0].headers["x-flora-sdk"]).toBe(`flora-sdk/${version}`);
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
  });
});

describe("secrets", () => {
  it("never puts the API key in errors or log lines", async () => {
    const lines: string[] = [];
    const capture = (line: string) => lines.push(line);
    const logger = { error: capture, warn: capture, info: capture, debug: capture };
    const { flora } = await clientFor(
      (req, res, _seen, index) => {
        // a hostile or buggy server echoing the credential back
        const echoed = String(req.headers.authorization);
        if (index % 3 === 0)
          return sendJson(
            res,
            401,
            { error: { code: "invalid_api_key", message: `bad key ${echoed}` } },
            { "x-echo": echoed },
          );
        if (index % 3 === 1) {
          res.writeHead(500, { "content-type": "text/html" });
          res.end(`<p>${echoed}</p>`);
          return;
        }
        resetConnection(res);
      },
      { logLevel: "debug", logger, maxRetries: 1 },
    );
    const errors: unknown[] = [];
    errors.push(await flora.techniques.runs.retrieve("t", "run_1").catch((e: unknown) => e));
    errors.push(await flora.techniques.runs.retrieve("t", "run_1").catch((e: unknown) => e));
    errors.push(await flora.techniques.runs.retrieve("t", "run_1").catch((e: unknown) => e));
    errors.push(
      await flora.techniques.runs.create("t", { inputs, mode: "async" }, { timeoutMs: 50 }).catch((e: unknown) => e),
    );
    expect(errors.every((e) => e instanceof FloraError)).toBe(true);
    expect(lines.length).toBeGreaterThan(3);
    const serialized = [
      ...errors.flatMap((e) => [
        String(e),
        JSON.stringify(e),
        inspect(e, { depth: 10, showHidden: true }),
        (e as Error).stack ?? "",
      ]),
      ...lines,
      inspect(flora, { depth: 10, showHidden: true }),
      JSON.stringify(flora),
    ].join("\n");
    expect(serialized).not.toContain(API_KEY);
    expect(serialized).toContain("[redacted]");
  });
});
