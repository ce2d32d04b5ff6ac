// The Flora client end to end against the Flora-compatible test server (flora-sdk/testing).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  faultKindsFor,
  startFloraTestServer,
  type FaultKind,
  type FloraTestServer,
  type FloraTestServerOptions,
} from "../src/testing/index.js";
import {
  APIConnectionError,
  Flora,
  FloraError,
  IdempotencyError,
  MalformedResponseError,
  WebhookVerificationError,
  type Run,
} from "../src/index.js";
import { cappedSleep, failOnUnhandledRejections, recordingSleep } from "./client-server.js";

// the generic technique's one input: any id outside the default catalogue (here "t") takes `prompt: text`
const inputs = [{ id: "prompt", type: "text" as const, value: "a lighthouse at dusk" }];
let server: FloraTestServer | undefined;
failOnUnhandledRejections();
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  options: FloraTestServerOptions = {},
  clientOptions: Partial<ConstructorParameters<typeof Flora>[0]> = {},
) {
  server = await startFloraTestServer({ runDurationMs: 120, faultDelayMs: 1_100, ...options });
  const recorded = recordingSleep();
  const flora = new Flora({
    apiKey: server.apiKey,
    baseUrl: server.url,
    sleep: recorded.sleep,
    timeoutMs: 1_000,
    logLevel: "off",
    ...clientOptions,
  });
  return { flora, server, delays: recorded.delays };
}

const createKeys = (s: FloraTestServer) =>
  s
    .requests()
    .filter((r) => r.method === "POST")
    .map((r) => r.idempotencyKey);

describe("every fault kind on create, once", () => {
  it.each(faultKindsFor("create"))("%s: one run, one key, the caller gets it", async (kind) => {
    const { flora, server } = await setup();
    server.injectFaults(kind as FaultKind);
    const run = await flora.techniques.runs.create("t", { inputs, mode: "async" });
    expect(server.runs()).toHaveLength(1);
    expect(run.run_id).toBe(server.runs()[0].run.run_id);
    const keys = createKeys(server);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    expect(server.runs()[0].idempotencyKey).toBe(keys[0]);
  });

  it("truncated-json without retries: MalformedResponseError carrying the key; retrying with it replays the same run", async () => {
    const { flora, server } = await setup({}, { maxRetries: 0 });
    server.injectFaults("truncated-json");
    const error = (await flora.techniques.runs
      .create("t", { inputs, mode: "async" })
      .catch((e: unknown) => e)) as MalformedResponseError;
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error.status).toBe(201);
    expect(error.message).toMatch(/^201 response body \(application\/json; charset=utf-8\) is not valid JSON: "\{/);
    expect(error.idempotencyKey).toBeDefined();
    const run = await flora.techniques.runs.create(
      "t",
      { inputs, mode: "async" },
      { idempotencyKey: error.idempotencyKey },
    );
    expect(server.runs()).toHaveLength(1);
    expect(run.run_id).toBe(server.runs()[0].run.run_id);
  });
});

describe("idempotency modes", () => {
  it('"duplicate": a lost response then a retry gives IdempotencyError with the key, and still one run', async () => {
    const { flora, server } = await setup({ idempotency: "duplicate" });
    server.injectFaults("reset-after-commit");
    const error = (await flora.techniques.runs
      .create("t", { inputs, mode: "async" })
      .catch((e: unknown) => e)) as IdempotencyError;
    expect(error).toBeInstanceOf(IdempotencyError);
    expect(error.code).toBe("idempotency_duplicate");
    expect(error.status).toBe(409);
    expect(error.requestId).toMatch(/^req_/);
    expect(error.idempotencyKey).toBe(server.runs()[0].idempotencyKey);
    expect(server.runs()).toHaveLength(1);
    expect(server.requests().filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it('"replay": reusing a key with a different body is an IdempotencyError (conflict)', async () => {
    const { flora } = await setup({ idempotency: "replay" });
    await flora.techniques.runs.create("t", { inputs, mode: "async" }, { idempotencyKey: "same-key" });
    const error = await flora.techniques.runs
      .create("t", { inputs: [{ ...inputs[0], value: "other" }], mode: "async" }, { idempotencyKey: "same-key" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IdempotencyError);
    expect(error).toMatchObject({ code: "idempotency_conflict", idempotencyKey: "same-key" });
  });
});

describe("random faults on a mixed workload", () => {
  it("100 creates at 50% faults: no duplicates, nothing lost, no unhandled rejections", async () => {
    const { flora, server } = await setup(
      { faults: { rate: 0.5, seed: 42 }, faultDelayMs: 400 },
      { timeoutMs: 300, maxRetries: 4 },
    );
    const outcomes: ({ i: number; run: Run } | { i: number; error: unknown })[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const settled = await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          flora.techniques.runs.create(`tech-${batch * 10 + j}`, { inputs, mode: "async" }).then(
            (run) => ({ i: batch * 10 + j, run }),
            (error: unknown) => ({ i: batch * 10 + j, error }),
          ),
        ),
      );
      outcomes.push(...settled);
    }
    const runsByTechnique = new Map<string, number>();
    for (const stored of server.runs())
      runsByTechnique.set(stored.techniqueId, (runsByTechnique.get(stored.techniqueId) ?? 0) + 1);
    const duplicates = [...runsByTechnique.values()].filter((n) => n > 1).length;
    const lost = outcomes.filter(
      (o) =>
        "error" in o &&
        runsByTechnique.has(`tech-${o.i}`) &&
        !(o.error instanceof IdempotencyError) &&
        !(o.error as FloraError).idempotencyKey,
    ).length;
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(outcomes.filter((o) => "error" in o).every((o) => "error" in o && o.error instanceof FloraError)).toBe(true);
    expect(Object.values(server.stats().faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(40);
  });
});

describe("lifecycle", () => {
  it("createAndWait follows poll_url to completion, reporting progress", async () => {
    const { flora, server } = await setup({}, { sleep: cappedSleep() });
    const seen: string[] = [];
    const done = await flora.techniques.runs.createAndWait(
      "t",
      { inputs, mode: "async" },
      { intervalMs: 10, maxIntervalMs: 20, onProgress: (r) => seen.push(`${r.status}:${r.progress}`) },
    );
    expect(done.status).toBe("completed");
    expect(done.outputs?.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe("completed:1");
    expect(new Set(seen).size).toBe(seen.length);
    expect(
      server
        .requests()
        .filter((r) => r.method === "GET")
        .every((r) => r.headers.authorization !== undefined),
    ).toBe(true);
  });

  it("a failed run resolves with status failed and its error_code", async () => {
    const { flora } = await setup({}, { sleep: cappedSleep() });
    const done = await flora.techniques.runs.createAndWait("fail-demo", { inputs, mode: "async" }, { intervalMs: 10 });
    expect(done).toMatchObject({ status: "failed", error_code: "provider_error" });
  });

  it("with techniques declared, createAndWait of another id is a NotFoundError; a declared fail-* id fails its run", async () => {
    const { flora, server } = await setup({ techniques: ["fail-upscale"] }, { sleep: cappedSleep() });
    const error = await flora.techniques.runs
      .createAndWait("no-such-technique-xyz", { inputs, mode: "async" }, { intervalMs: 10 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "NotFoundError", status: 404, code: "not_found" });
    expect(server.runs()).toHaveLength(0);
    const done = await flora.techniques.runs.createAndWait(
      "fail-upscale",
      { inputs, mode: "async" },
      { intervalMs: 10 },
    );
    expect(done).toMatchObject({ status: "failed", error_code: "provider_error" });
  });

  it("stream over SSE yields every change until completed", async () => {
    const { flora, server } = await setup({ streamResponse: "sse" });
    const snapshots: Run[] = [];
    for await (const run of flora.techniques.runs.stream("t", { inputs })) snapshots.push(run);
    expect(snapshots[0].status).toBe("pending");
    expect(snapshots.at(-1)?.status).toBe("completed");
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    expect(server.runs()).toHaveLength(1);
    expect(server.requests().filter((r) => r.method === "GET")).toHaveLength(0);
  });

  it("stream over a JSON answer polls until completed", async () => {
    const { flora, server } = await setup({ streamResponse: "json" }, { sleep: cappedSleep() });
    const statuses: string[] = [];
    for await (const run of flora.techniques.runs.stream("t", { inputs }, { intervalMs: 10, maxIntervalMs: 20 }))
      statuses.push(run.status);
    expect(statuses[0]).toBe("pending");
    expect(statuses.at(-1)).toBe("completed");
    expect(server.requests().filter((r) => r.method === "GET").length).toBeGreaterThan(0);
  });

  it("retrieve of an unknown run is a NotFoundError with the server's request-id", async () => {
    const { flora } = await setup();
    const error = await flora.techniques.runs.retrieve("t", "run_missing").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "NotFoundError", status: 404, code: "not_found" });
    expect((error as { requestId: string }).requestId).toMatch(/^req_/);
  });

  it("a wrong API key is an AuthenticationError whose text never holds the key", async () => {
    server = await startFloraTestServer();
    const flora = new Flora({ apiKey: "wrong_key_SECRET_99", baseUrl: server.url, logLevel: "off" });
    const error = await flora.techniques.runs.retrieve("t", "run_1").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AuthenticationError", status: 401 });
    expect(JSON.stringify(error) + String(error)).not.toContain("wrong_key_SECRET_99");
  });

  it("a reset during polling is retried; the poll keeps going", async () => {
    const { flora, server } = await setup({ faults: { rate: 0, routes: ["retrieve"] } }, { sleep: cappedSleep() });
    const run = await flora.techniques.runs.create("t", { inputs, mode: "async" });
    server.injectFaults("reset-before-commit", "status-503", "html-error");
    const done = await flora.techniques.runs.wait(run, { intervalMs: 10, maxIntervalMs: 20 });
    expect(done.status).toBe("completed");
  });
});

describe("webhooks", () => {
  it("unwraps a signed completion callback and rejects a tampered one", async () => {
    const deliveries: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
    const receiver = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      deliveries.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    try {
      const { flora, server } = await setup({ rewriteCallbackUrl: () => receiverUrl }, { sleep: cappedSleep() });
      const run = await flora.techniques.runs.createAndWait(
        "t",
        { inputs, mode: "async", callback_url: "https://hooks.example.com/flora" },
        { intervalMs: 10 },
      );
      for (let i = 0; i < 100 && deliveries.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(deliveries).toHaveLength(1);
      const event = await flora.webhooks.unwrap(deliveries[0].body, deliveries[0].headers, server.webhookSecret);
      expect(event.type).toBe("run.completed");
      expect(event.data.run_id).toBe(run.run_id);
      await expect(
        flora.webhooks.unwrap(
          deliveries[0].body.replace("completed", "failed"),
          deliveries[0].headers,
          server.webhookSecret,
        ),
      ).rejects.toThrow(WebhookVerificationError);
      await expect(
        flora.webhooks.unwrap(deliveries[0].body, deliveries[0].headers, server.webhookSecret, {
          toleranceSeconds: 1,
          now: Date.now() + 10_000,
        }),
      ).rejects.toThrow(WebhookVerificationError);
    } finally {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});

it("APIConnectionError when nothing listens", async () => {
  const flora = new Flora({
    apiKey: "k",
    baseUrl: "http://127.0.0.1:9/api/v1",
    sleep: recordingSleep().sleep,
    logLevel: "off",
  });
  await expect(flora.techniques.runs.retrieve("t", "run_1")).rejects.toThrow(APIConnectionError);
});
