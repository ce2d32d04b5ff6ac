import { spawn } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_TECHNIQUES,
  FAULT_KINDS,
  faultKindsFor,
  signWebhook,
  startFloraTestServer,
  type FaultKind,
  type FloraTestServer,
  type FloraTestServerOptions,
  type Technique,
  type TechniqueRun,
  type WebhookEvent,
} from "../src/testing/index.js";

const servers: FloraTestServer[] = [];
const receivers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(receivers.splice(0).map((receiver) => new Promise((done) => receiver.close(done))));
});

async function start(options: FloraTestServerOptions = {}): Promise<FloraTestServer> {
  const server = await startFloraTestServer(options);
  servers.push(server);
  return server;
}

/** A body that fits art-directors-critique as the default catalogue declares it; `value` is the brief. */
function runBody(value = "a red bicycle", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    inputs: [
      { id: "brief", type: "text", value },
      { id: "image", type: "imageUrl", value: "https://example.com/poster.png" },
    ],
    mode: "async",
    ...extra,
  };
}

function createRun(
  server: FloraTestServer,
  body: unknown,
  init: { techniqueId?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${server.url}/techniques/${init.techniqueId ?? "art-directors-critique"}/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.apiKey}`, "content-type": "application/json", ...init.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: init.signal,
  });
}

function getRun(server: FloraTestServer, url: string): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${server.apiKey}` } });
}

async function pollUntilTerminal(server: FloraTestServer, pollUrl: string): Promise<TechniqueRun[]> {
  const seen: TechniqueRun[] = [];
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const run = (await (await getRun(server, pollUrl)).json()) as TechniqueRun;
    seen.push(run);
    if (run.status === "completed" || run.status === "failed") return seen;
    await new Promise((done) => setTimeout(done, 20));
  }
  throw new Error("run never reached a terminal status");
}

/** A spec-following SSE parser: events end at a blank line, data lines join with "\n". */
function parseSse(text: string): { event: string; data: string; dataLines: number }[] {
  return text
    .split("\n\n")
    .map((block) => block.split("\n").filter((line) => line !== "" && !line.startsWith(":")))
    .filter((lines) => lines.some((line) => line.startsWith("data:")))
    .map((lines) => {
      const data = lines.filter((line) => line.startsWith("data:")).map((line) => line.slice(5).replace(/^ /, ""));
      const event =
        lines
          .find((line) => line.startsWith("event:"))
          ?.slice(6)
          .trim() ?? "message";
      return { event, data: data.join("\n"), dataLines: data.length };
    });
}

interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** A local http receiver answering each delivery with the next status of `statuses` (then 200). */
async function startReceiver(statuses: number[] = []): Promise<{ url: string; received: ReceivedWebhook[] }> {
  const received: ReceivedWebhook[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  receivers.push(receiver);
  await new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, received };
}

async function waitFor<T>(read: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error("condition not met in time");
}

function verifySignature(secret: string, header: string, rawBody: string): boolean {
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=") as [string, string]));
  const expected = createHmac("sha256", secret).update(`${parts.t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("runs lifecycle", () => {
  it("creates a pending run with 201, request-id and an absolute poll_url, then completes", async () => {
    const server = await start({ runDurationMs: 200 });
    const response = await createRun(server, runBody());
    expect(response.status).toBe(201);
    expect(response.headers.get("request-id")).toMatch(/^req_\w+$/);
    const run = (await response.json()) as TechniqueRun;
    expect(run.run_id).toMatch(/^run_\S+$/);
    expect(run).toMatchObject({ status: "pending", progress: 0 });
    expect(run.poll_url).toBe(`${server.url}/techniques/art-directors-critique/runs/${run.run_id}`);
    expect(run.outputs).toBeUndefined();
    expect(run.charged_cost).toBeUndefined();

    const seen = await pollUntilTerminal(server, run.poll_url);
    const done = seen.at(-1)!;
    expect(done.status).toBe("completed");
    expect(done.progress).toBe(1);
    expect(done.charged_cost).toBeGreaterThanOrEqual(0);
    // art-directors-critique declares one output, `critique: text`
    expect(done.outputs).toEqual([
      { output_id: expect.any(String), type: "text", url: expect.stringMatching(/^https:\/\/.*\/critique\.txt$/) },
    ]);
    expect(done.started_at!).toBeGreaterThanOrEqual(done.created_at);
    expect(done.completed_at).toBe(done.created_at + 200);
    const progress = seen.map((snapshot) => snapshot.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.every((value) => value >= 0 && value <= 1)).toBe(true);
  });

  it("answers 200 when createStatus is 200", async () => {
    const server = await start({ createStatus: 200 });
    expect((await createRun(server, runBody())).status).toBe(200);
  });

  it("fails runs of technique fail and fail-* with provider_error", async () => {
    const server = await start({ runDurationMs: 0 });
    for (const techniqueId of ["fail", "fail-upscale"]) {
      const run = (await (await createRun(server, runBody(), { techniqueId })).json()) as TechniqueRun;
      expect(run).toMatchObject({ status: "failed", error_code: "provider_error", charged_cost: 0 });
      expect(run.error_message).toMatch(/provider/);
      const polled = await getRun(server, run.poll_url);
      expect(polled.status).toBe(200);
      expect(await polled.json()).toMatchObject({ run_id: run.run_id, status: "failed" });
    }
  });

  it("accepts the image_url and video_url aliases", async () => {
    const server = await start();
    const body = {
      inputs: [
        { id: "a", type: "image_url", value: "https://x.test/a.png" },
        { id: "b", type: "video_url", value: "https://x.test/b.mp4" },
      ],
      mode: "async",
    };
    expect((await createRun(server, body)).status).toBe(201);
  });
});

describe("technique catalogue", () => {
  async function retrieveTechnique(server: FloraTestServer, id: string): Promise<Technique> {
    const response = await getRun(server, `${server.url}/techniques/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as Technique;
  }

  async function completedRun(server: FloraTestServer, techniqueId: string): Promise<TechniqueRun> {
    const created = await createRun(server, runBody(), { techniqueId });
    expect(created.status).toBe(201);
    return (await (await getRun(server, ((await created.json()) as TechniqueRun).poll_url)).json()) as TechniqueRun;
  }

  it("declares the same inputs and outputs for a default technique whether or not `techniques` lists it", async () => {
    const byDefault = await start({ runDurationMs: 0 });
    const listed = await start({
      runDurationMs: 0,
      techniques: DEFAULT_TECHNIQUES.map(({ id }) => (id === "cctv-cam" ? { id, run_cost: 2 } : id)),
    });
    for (const { id } of DEFAULT_TECHNIQUES) {
      const expected = await retrieveTechnique(byDefault, id);
      const actual = await retrieveTechnique(listed, id);
      expect(actual, id).toEqual(id === "cctv-cam" ? { ...expected, run_cost: 2 } : expected);
    }
    expect((await retrieveTechnique(listed, "art-directors-critique")).inputs.map((input) => input.id)).toEqual([
      "image",
      "brief",
    ]);
  });

  it("a completed run returns one output per declared output, of the declared type", async () => {
    const server = await start({
      runDurationMs: 0,
      techniques: [
        "art-directors-critique",
        "upscale",
        {
          id: "storyboard",
          outputs: [
            { id: "frames", name: "Frames", type: "imageUrl" },
            { id: "clip", name: "Clip", type: "videoUrl" },
            { id: "script", name: "Script", type: "documentUrl" },
          ],
        },
      ],
    });
    for (const id of ["art-directors-critique", "tech_art-directors-critique", "upscale", "storyboard"]) {
      const declared = (await retrieveTechnique(server, id)).outputs;
      const run = await completedRun(server, id);
      expect(run.status, id).toBe("completed");
      expect(run.outputs?.map((output) => output.type), id).toEqual(declared.map((output) => output.type));
      expect(run.outputs?.map((output) => new URL(output.url).pathname.split("/").at(-1)?.split(".")[0]), id).toEqual(
        declared.map((output) => output.id),
      );
    }
    // without `techniques`, a default technique's run returns its outputs and any other id runs the generic one
    const byDefault = await start({ runDurationMs: 0 });
    expect((await completedRun(byDefault, "art-directors-critique")).outputs?.map((o) => o.type)).toEqual(["text"]);
    expect((await completedRun(byDefault, "cctv-cam")).outputs?.map((o) => o.type)).toEqual(["videoUrl"]);
    expect((await completedRun(byDefault, "any-other-id")).outputs?.map((o) => o.type)).toEqual(["imageUrl"]);
  });
});

describe("auth, routing and validation", () => {
  it("rejects a missing key with unauthorized and a wrong one with invalid_api_key", async () => {
    const server = await start({ apiKey: "secret_key" });
    const missing = await fetch(`${server.url}/techniques/t/runs`, { method: "POST", body: JSON.stringify(runBody()) });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("request-id")).toMatch(/^req_/);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const wrong = await createRun({ ...server, apiKey: "nope" }, runBody());
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe("invalid_api_key");
    expect(server.runs()).toHaveLength(0);
  });

  it("answers 404 not_found for unknown routes and runs", async () => {
    const server = await start();
    const unknown = await getRun(server, `${server.url}/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
    const missingRun = await getRun(server, `${server.url}/techniques/t/runs/run_missing`);
    expect(missingRun.status).toBe(404);
    const run = (await (await createRun(server, runBody(), { techniqueId: "a" })).json()) as TechniqueRun;
    expect((await getRun(server, `${server.url}/techniques/b/runs/${run.run_id}`)).status).toBe(404);
  });

  it("answers 400 input_validation_error with one field per problem", async () => {
    const server = await start();
    const response = await createRun(server, {
      inputs: [{ id: "a", type: "audio", value: 3 }],
      mode: "batch",
      callback_url: "http://hooks.example.test/x",
      colour: "red",
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; fields: { field: string }[] } };
    expect(error.code).toBe("input_validation_error");
    expect(error.fields.map((field) => field.field).sort()).toEqual(
      ["callback_url", "colour", "inputs[0].type", "inputs[0].value", "mode"].sort(),
    );
    const empty = await createRun(server, { inputs: [], mode: "async" });
    expect(((await empty.json()) as { error: { fields: unknown[] } }).error.fields).toEqual([
      { field: "inputs", message: "must contain at least 1 item" },
    ]);
    expect(server.runs()).toHaveLength(0);
  });

  it("with techniques, answers an unknown technique 404 not_found on create, retrieve and poll", async () => {
    const server = await start({ techniques: ["art-directors-critique"] });
    const created = await createRun(server, runBody(), { techniqueId: "no-such-technique-xyz" });
    expect(created.status).toBe(404);
    expect(created.headers.get("request-id")).toMatch(/^req_/);
    expect(await created.json()).toEqual({
      error: { code: "not_found", message: "Technique no-such-technique-xyz was not found." },
    });
    expect(server.runs()).toHaveLength(0);
    const run = (await (await createRun(server, runBody())).json()) as TechniqueRun;
    expect((await getRun(server, run.poll_url)).status).toBe(200);
    const foreign = await getRun(server, `${server.url}/techniques/no-such-technique-xyz/runs/${run.run_id}`);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: "not_found",
      message: "Technique no-such-technique-xyz was not found.",
    });
  });

  it("answers 400 input_validation_error naming inputs[i].id for an empty or missing input id", async () => {
    const server = await start();
    const response = await createRun(server, {
      inputs: [
        { id: "", type: "text", value: "x" },
        { type: "text", value: "y" },
        { id: "ok", type: "text", value: "z" },
      ],
      mode: "async",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: "input_validation_error",
        message: expect.any(String),
        fields: [
          { field: "inputs[0].id", message: "must not be empty" },
          { field: "inputs[1].id", message: "must be a string" },
        ],
      },
    });
    expect(server.runs()).toHaveLength(0);
  });

  it("answers 400 invalid_json to a body that does not parse", async () => {
    const server = await start();
    const response = await createRun(server, '{"inputs": [');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid_json");
  });
});

describe("idempotency", () => {
  it("replay: same key and body replays the run; a different body gets 422 idempotency_conflict", async () => {
    const server = await start();
    const headers = { "idempotency-key": "key-1" };
    const first = await createRun(server, runBody(), { headers });
    const again = await createRun(server, runBody(), { headers });
    expect(again.status).toBe(first.status);
    const firstRun = (await first.json()) as TechniqueRun;
    expect(((await again.json()) as TechniqueRun).run_id).toBe(firstRun.run_id);
    // The key may travel in the body instead of the header: still the same request.
    const viaBody = await createRun(server, runBody("a red bicycle", { idempotency_key: "key-1" }));
    expect(((await viaBody.json()) as TechniqueRun).run_id).toBe(firstRun.run_id);

    const conflict = await createRun(server, runBody("a blue bicycle"), { headers });
    expect(conflict.status).toBe(422);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe("idempotency_conflict");
    expect(server.runs()).toHaveLength(1);
    expect(server.runs()[0]!.idempotencyKey).toBe("key-1");
    expect(server.stats()).toMatchObject({ runsCreated: 1, idempotencyHits: 3 });
  });

  it("duplicate: a repeated key within the window gets 409 idempotency_duplicate", async () => {
    const server = await start({ idempotency: "duplicate" });
    const headers = { "idempotency-key": "key-2" };
    expect((await createRun(server, runBody(), { headers })).status).toBe(201);
    const repeat = await createRun(server, runBody(), { headers });
    expect(repeat.status).toBe(409);
    expect(((await repeat.json()) as { error: { code: string } }).error.code).toBe("idempotency_duplicate");
    expect(server.runs()).toHaveLength(1);
  });

  it("forgets keys after idempotencyWindowMs", async () => {
    const server = await start({ idempotency: "duplicate", idempotencyWindowMs: 30 });
    const headers = { "idempotency-key": "key-3" };
    await createRun(server, runBody(), { headers });
    await new Promise((done) => setTimeout(done, 60));
    expect((await createRun(server, runBody(), { headers })).status).toBe(201);
    expect(server.runs()).toHaveLength(2);
  });

  it("rejects a body idempotency_key that differs from the header", async () => {
    const server = await start();
    const response = await createRun(server, runBody("x", { idempotency_key: "body-key" }), {
      headers: { "idempotency-key": "header-key" },
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; fields: { field: string }[] } };
    expect(error.code).toBe("input_validation_error");
    expect(error.fields.map((field) => field.field)).toEqual(["idempotency_key"]);
  });
});

describe("stream mode", () => {
  it("streams run.update events with multi-line data, one per change, ending at the terminal status", async () => {
    const server = await start({ runDurationMs: 600, sseKeepAliveMs: 40 });
    const response = await createRun(server, runBody("x", { mode: "stream" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    const text = await response.text();
    expect(text.startsWith("retry: 1000\n")).toBe(true);
    expect(text).toContain(": keep-alive\n");
    const events = parseSse(text);
    expect(events.every((event) => event.event === "run.update" && event.dataLines > 1)).toBe(true);
    const runs = events.map((event) => JSON.parse(event.data) as TechniqueRun);
    const shown = runs.map((run) => `${run.status}:${run.progress}`);
    const lifecycle = ["pending:0", "running:0", "running:0.25", "running:0.5", "running:0.75", "completed:1"];
    // A busy machine may fire a timer late and merge two steps, so ask for an ordered subsequence.
    expect(shown[0]).toBe("pending:0");
    expect(shown.at(-1)).toBe("completed:1");
    expect(shown.length).toBeGreaterThanOrEqual(4);
    const positions = shown.map((step) => lifecycle.indexOf(step));
    expect(positions.every((position, index) => index === 0 || position > positions[index - 1]!)).toBe(true);
    expect(new Set(runs.map((run) => run.run_id)).size).toBe(1);
  });

  it("stream-cut sends the first event, then ends the stream with no terminal event", async () => {
    const server = await start({ runDurationMs: 2_000, faults: { rate: 0, routes: ["stream"] } });
    server.injectFaults("stream-cut");
    const response = await createRun(server, runBody("x", { mode: "stream" }));
    expect(response.status).toBe(200);
    const events = parseSse(await response.text());
    expect(events.map((event) => (JSON.parse(event.data) as TechniqueRun).status)).toEqual(["pending"]);
    expect(server.runs()).toHaveLength(1);
    expect(server.stats().faults["stream-cut"]).toBe(1);
  });

  it("stream-reset sends the first event, then destroys the socket", async () => {
    const server = await start({ runDurationMs: 2_000, faults: { rate: 0, routes: ["stream"] } });
    server.injectFaults("stream-reset");
    const response = await createRun(server, runBody("x", { mode: "stream" }));
    const reader = response.body!.getReader();
    let text = "";
    const failure = await (async () => {
      for (let read = 0; read < 100; read += 1) {
        const chunk = await reader.read();
        if (chunk.done) return "ended cleanly";
        text += new TextDecoder().decode(chunk.value);
      }
      return "still open";
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(parseSse(text)).toHaveLength(1);
    expect(server.runs()).toHaveLength(1);
  });

  it("stream-stall sends the first event, then nothing at all while the socket stays open", async () => {
    const server = await start({ runDurationMs: 100, sseKeepAliveMs: 10, faults: { rate: 0, routes: ["stream"] } });
    server.injectFaults("stream-stall");
    const controller = new AbortController();
    const response = await createRun(server, runBody("x", { mode: "stream" }), { signal: controller.signal });
    const reader = response.body!.getReader();
    let text = "";
    const deadline = Date.now() + 300;
    const silence = setTimeout(() => controller.abort(), 300);
    const outcome = await (async () => {
      while (Date.now() < deadline) {
        const chunk = await reader.read();
        if (chunk.done) return "ended";
        text += new TextDecoder().decode(chunk.value);
      }
      return "open";
    })().catch((error: unknown) => (controller.signal.aborted ? "open" : error));
    clearTimeout(silence);
    expect(outcome).toBe("open");
    // Past the run's 100 ms terminal time and 30 keep-alive periods: one event, one initial keep-alive.
    expect(parseSse(text)).toHaveLength(1);
    expect(text.split(": keep-alive").length - 1).toBe(1);
    expect(server.requests()[0]).toMatchObject({ route: "stream", fault: "stream-stall", status: 200 });
  });

  it("routes faults by mode: stream faults hit only stream POSTs, create faults only async POSTs", async () => {
    const server = await start({ runDurationMs: 0, faults: { rate: 0, routes: ["stream"] } });
    server.injectFaults("stream-cut", "status-500");
    expect((await createRun(server, runBody())).status).toBe(201);
    const streamed = await createRun(server, runBody("x", { mode: "stream" }));
    await streamed.text();
    expect(server.requests().map((r) => [r.route, r.fault])).toEqual([
      ["create", undefined],
      ["stream", "stream-cut"],
    ]);
    expect((await createRun(server, runBody("y", { mode: "stream" }))).status).toBe(500);
    expect(server.stats().attempts).toEqual({ create: 1, retrieve: 0, stream: 2, techniques: 0 });
  });

  it("faultKindsFor lists what can take effect per route", () => {
    const streamOnly = ["stream-cut", "stream-reset", "stream-stall"];
    expect(faultKindsFor("retrieve")).toEqual(FAULT_KINDS.filter((kind) => !streamOnly.includes(kind)));
    expect(faultKindsFor("create")).toEqual(faultKindsFor("retrieve"));
    expect(faultKindsFor("stream")).toEqual(FAULT_KINDS.filter((kind) => kind !== "truncated-json"));
    expect(faultKindsFor("stream", false)).toEqual(faultKindsFor("create"));
  });

  it("answers stream requests with JSON when streamResponse is json", async () => {
    const server = await start({ streamResponse: "json" });
    const response = await createRun(server, runBody("x", { mode: "stream" }));
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as TechniqueRun).status).toBe("pending");
  });

  it("survives a client that aborts mid-stream", async () => {
    const server = await start({ runDurationMs: 300, sseKeepAliveMs: 10 });
    const controller = new AbortController();
    const response = await createRun(server, runBody("x", { mode: "stream" }), { signal: controller.signal });
    await response.body!.getReader().read();
    controller.abort();
    await new Promise((done) => setTimeout(done, 400));
    expect((await createRun(server, runBody())).status).toBe(201);
  });
});

describe("signed callbacks", () => {
  it("POSTs exactly one signed run.completed event to the rewritten callback_url", async () => {
    const receiver = await startReceiver();
    const server = await start({ runDurationMs: 50, workspaceId: "ws_1", rewriteCallbackUrl: () => receiver.url });
    const run = (await (
      await createRun(server, runBody("x", { callback_url: "https://hooks.example.test/flora" }))
    ).json()) as TechniqueRun;
    const delivery = await waitFor(() => receiver.received[0]);
    await new Promise((done) => setTimeout(done, 150));
    expect(receiver.received).toHaveLength(1);

    const signature = delivery.headers["flora-signature"] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(server.webhookSecret, signature, delivery.rawBody)).toBe(true);
    expect(verifySignature("whsec_other", signature, delivery.rawBody)).toBe(false);
    const t = Number(/t=(\d+)/.exec(signature)![1]);
    expect(Math.abs(t - Date.now() / 1000)).toBeLessThan(5);
    expect(signature).toBe(signWebhook(server.webhookSecret, delivery.rawBody, t));

    const event = JSON.parse(delivery.rawBody) as WebhookEvent;
    expect(event).toMatchObject({
      type: "run.completed",
      api_version: "2026-06-11",
      data: { run_id: run.run_id, run_type: "technique", workspace_id: "ws_1", status: "completed" },
    });
    expect(event.id).toMatch(/^whd_/);
    expect(Math.abs(event.created_at - Date.now())).toBeLessThan(5000);
    expect(delivery.headers["flora-webhook-id"]).toBe(event.id);
    expect(delivery.headers["flora-event"]).toBe("run.completed");
    expect(server.webhookSecret.startsWith("whsec_test")).toBe(true);
  });

  it("sends run.failed with the error and retries a failed delivery with the same event id", async () => {
    const receiver = await startReceiver([500, 503]);
    const server = await start({ runDurationMs: 0, callbackBackoffMs: 10, rewriteCallbackUrl: () => receiver.url });
    await createRun(server, runBody("x", { callback_url: "https://hooks.example.test/flora" }), {
      techniqueId: "fail",
    });
    await waitFor(() => receiver.received[2]);
    const events = receiver.received.map((delivery) => JSON.parse(delivery.rawBody) as WebhookEvent);
    expect(new Set(events.map((event) => event.id)).size).toBe(1);
    expect(events[0]).toMatchObject({ type: "run.failed", data: { status: "failed", error_code: "provider_error" } });
    const [record] = await waitFor(() => (server.callbacks()[0]?.delivered ? server.callbacks() : undefined));
    expect(record).toMatchObject({ attempts: 3, statuses: [500, 503, 200], delivered: true, url: receiver.url });
  });

  it("gives up after callbackRetries redeliveries", async () => {
    const receiver = await startReceiver([500, 500, 500, 500, 500]);
    const server = await start({
      runDurationMs: 0,
      callbackBackoffMs: 5,
      callbackRetries: 2,
      rewriteCallbackUrl: () => receiver.url,
    });
    await createRun(server, runBody("x", { callback_url: "https://hooks.example.test/flora" }));
    await waitFor(() => receiver.received[2]);
    await new Promise((done) => setTimeout(done, 100));
    expect(receiver.received).toHaveLength(3);
    expect(server.callbacks()[0]).toMatchObject({ attempts: 3, delivered: false, lastError: "Receiver answered 500" });
  });

  it("signWebhook is the hex HMAC-SHA256 of `${t}.${rawBody}` keyed with the whole secret", () => {
    const digest = createHmac("sha256", "whsec_abc").update("1700000000.{}").digest("hex");
    expect(signWebhook("whsec_abc", "{}", 1700000000)).toBe(`t=1700000000,v1=${digest}`);
  });
});

describe("fault injection", () => {
  it("lists every fault kind", () => {
    expect(FAULT_KINDS).toHaveLength(14);
    expect(new Set(FAULT_KINDS).size).toBe(14);
  });

  it("reset-before-commit destroys the socket before anything is created", async () => {
    const server = await start();
    server.injectFaults("reset-before-commit");
    await expect(createRun(server, runBody(), { headers: { "idempotency-key": "k" } })).rejects.toThrow(TypeError);
    expect(server.runs()).toHaveLength(0);
    expect(server.stats().faults["reset-before-commit"]).toBe(1);
    expect(
      ((await (await createRun(server, runBody(), { headers: { "idempotency-key": "k" } })).json()) as TechniqueRun)
        .status,
    ).toBe("pending");
    expect(server.stats().idempotencyHits).toBe(0);
  });

  it("reset-after-commit creates the run and records the key, then drops the connection", async () => {
    const server = await start();
    server.injectFaults("reset-after-commit");
    const headers = { "idempotency-key": "retry-me" };
    await expect(createRun(server, runBody(), { headers })).rejects.toThrow(TypeError);
    const [stored] = server.runs();
    expect(stored).toMatchObject({ idempotencyKey: "retry-me", techniqueId: "art-directors-critique" });
    const retried = (await (await createRun(server, runBody(), { headers })).json()) as TechniqueRun;
    expect(retried.run_id).toBe(stored!.run.run_id);
    expect(server.runs()).toHaveLength(1);
  });

  it.each([
    ["status-500", 500, "unknown_error"],
    ["status-502", 502, "unknown_error"],
    ["status-503", 503, "service_unavailable"],
  ] as const)("%s answers %i with a JSON envelope and creates nothing", async (kind, status, code) => {
    const server = await start();
    server.injectFaults(kind);
    const response = await createRun(server, runBody());
    expect(response.status).toBe(status);
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    expect(server.runs()).toHaveLength(0);
  });

  it("rate-limit faults answer 429 with retry-after-ms, Retry-After seconds and an HTTP date", async () => {
    const server = await start({ retryAfterMs: 25, retryAfterSeconds: 2 });
    server.injectFaults("rate-limit-retry-after-ms", "rate-limit-retry-after-seconds", "rate-limit-retry-after-date");
    const inMs = await createRun(server, runBody());
    expect(inMs.status).toBe(429);
    expect(inMs.headers.get("retry-after-ms")).toBe("25");
    expect(((await inMs.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    const inSeconds = await createRun(server, runBody());
    expect(inSeconds.status).toBe(429);
    expect(inSeconds.headers.get("retry-after")).toBe("2");
    const asDate = await createRun(server, runBody());
    expect(asDate.status).toBe(429);
    const waitMs = Date.parse(asDate.headers.get("retry-after")!) - Date.now();
    expect(waitMs).toBeGreaterThan(1000);
    expect(waitMs).toBeLessThanOrEqual(3000);
    expect(server.runs()).toHaveLength(0);
  });

  it("delay-after-commit outlasts the client timeout, and a retry during the delay sees the key", async () => {
    const server = await start({ faultDelayMs: 300 });
    server.injectFaults("delay-after-commit");
    const headers = { "idempotency-key": "slow" };
    await expect(createRun(server, runBody(), { headers, signal: AbortSignal.timeout(50) })).rejects.toThrow(/abort/i);
    expect(server.runs()).toHaveLength(1);
    const retried = (await (await createRun(server, runBody(), { headers })).json()) as TechniqueRun;
    expect(retried.run_id).toBe(server.runs()[0]!.run.run_id);
    await new Promise((done) => setTimeout(done, 350));
    expect((await createRun(server, runBody())).status).toBe(201);
  });

  it("delay-after-commit answers a patient client after faultDelayMs", async () => {
    const server = await start({ faultDelayMs: 80 });
    server.injectFaults("delay-after-commit");
    const started = Date.now();
    const response = await createRun(server, runBody());
    expect(response.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it("truncated-json commits, then answers 201 with JSON that does not parse", async () => {
    const server = await start();
    server.injectFaults("truncated-json");
    const response = await createRun(server, runBody());
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text.startsWith('{"run_id":"run_')).toBe(true);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(server.runs()).toHaveLength(1);
  });

  it("html-error answers a 502 text/html proxy page and creates nothing", async () => {
    const server = await start();
    server.injectFaults("html-error");
    const response = await createRun(server, runBody());
    expect(response.status).toBe(502);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain("<h1>502 Bad Gateway</h1>");
    expect(server.runs()).toHaveLength(0);
  });

  it("targets the retrieve route when asked", async () => {
    const server = await start({ faults: { rate: 0, routes: ["retrieve"] } });
    server.injectFaults("status-503");
    const run = (await (await createRun(server, runBody())).json()) as TechniqueRun;
    expect((await getRun(server, run.poll_url)).status).toBe(503);
    expect((await getRun(server, run.poll_url)).status).toBe(200);
    expect(server.stats().attempts).toEqual({ create: 1, retrieve: 2, stream: 0, techniques: 0 });
  });

  it("does not fault requests that fail validation, and counts only faults that took effect", async () => {
    const server = await start();
    server.injectFaults("truncated-json");
    expect((await createRun(server, { inputs: [] })).status).toBe(400);
    expect(server.stats().faults["truncated-json"]).toBe(0);
  });

  it("rejects unknown fault kinds and rates outside 0..1", async () => {
    await expect(startFloraTestServer({ faults: { rate: 1.5 } })).rejects.toThrow(RangeError);
    await expect(startFloraTestServer({ faults: { rate: 0.1, kinds: ["boom" as FaultKind] } })).rejects.toThrow(
      /Unknown fault kind "boom"/,
    );
  });

  it("seeded selection is deterministic for a seed and close to the rate", async () => {
    const kinds: FaultKind[] = ["status-500", "status-503", "rate-limit-retry-after-ms"];
    async function statuses(seed: number): Promise<number[]> {
      const server = await start({ faults: { rate: 0.4, kinds, seed } });
      const seen: number[] = [];
      for (let index = 0; index < 60; index += 1) {
        const response = await createRun(server, runBody());
        await response.arrayBuffer();
        seen.push(response.status);
      }
      const faulted = Object.values(server.stats().faults).reduce((sum, count) => sum + count, 0);
      expect(faulted).toBe(seen.filter((status) => status !== 201).length);
      return seen;
    }
    const first = await statuses(42);
    expect(await statuses(42)).toEqual(first);
    expect(await statuses(43)).not.toEqual(first);
    const faultShare = first.filter((status) => status !== 201).length / first.length;
    expect(faultShare).toBeGreaterThan(0.2);
    expect(faultShare).toBeLessThan(0.6);
    expect(new Set(first.filter((status) => status !== 201))).toEqual(new Set([500, 503, 429]));
  });

  it("injected faults take precedence over the seeded draw", async () => {
    const server = await start({ faults: { rate: 1, kinds: ["status-500"] } });
    server.injectFaults("html-error");
    expect((await createRun(server, runBody())).headers.get("content-type")).toMatch(/^text\/html/);
    expect((await createRun(server, runBody())).status).toBe(500);
  });
});

describe("introspection", () => {
  it("logs requests with Authorization redacted and the effective idempotency key, bounded", async () => {
    const server = await start({ requestLogLimit: 3 });
    await createRun(server, runBody(), { headers: { "idempotency-key": "header-key" } });
    await createRun(server, runBody("y", { idempotency_key: "body-key" }));
    await getRun(server, `${server.url}/nope`);
    await getRun(server, `${server.url}/nope/again`);
    const logged = server.requests();
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatchObject({ method: "POST", route: "create", idempotencyKey: "body-key", status: 201 });
    expect(logged[0]!.headers.authorization).toBe("[redacted]");
    expect(JSON.stringify(logged)).not.toContain(server.apiKey);
    expect(logged[2]).toMatchObject({ method: "GET", path: "/api/v1/nope/again", status: 404 });
    expect(server.stats().requests).toBe(4);
  });

  it("logs the run each attempt created or looked up, and none for errors and pre-commit faults", async () => {
    const server = await start({ faults: { rate: 0, routes: ["create", "retrieve"] } });
    const run = (await (await createRun(server, runBody())).json()) as TechniqueRun;
    server.injectFaults("status-500", "reset-after-commit");
    await getRun(server, run.poll_url);
    await getRun(server, run.poll_url).catch(() => undefined);
    await getRun(server, `${server.url}/techniques/t/runs/run_missing`);
    expect(server.requests().map((r) => r.runId)).toEqual([run.run_id, undefined, run.run_id, undefined]);
  });

  it("runs() exposes the body so a bench can count runs per logical call", async () => {
    const server = await start();
    await createRun(server, runBody("call-1"));
    await createRun(server, runBody("call-1"));
    await createRun(server, runBody("call-2"));
    const perCall = new Map<string, number>();
    for (const { body } of server.runs()) {
      const marker = body.inputs[0]!.value;
      perCall.set(marker, (perCall.get(marker) ?? 0) + 1);
    }
    expect(Object.fromEntries(perCall)).toEqual({ "call-1": 2, "call-2": 1 });
  });

  it("reset() forgets runs, keys, logs, stats and queued faults", async () => {
    const server = await start({ idempotency: "duplicate" });
    await createRun(server, runBody(), { headers: { "idempotency-key": "k" } });
    server.injectFaults("status-500");
    server.reset();
    expect(server.runs()).toEqual([]);
    expect(server.requests()).toEqual([]);
    expect(server.stats()).toMatchObject({ requests: 0, runsCreated: 0, attempts: { create: 0, retrieve: 0 } });
    expect((await createRun(server, runBody(), { headers: { "idempotency-key": "k" } })).status).toBe(201);
  });
});

describe("close()", () => {
  it("is idempotent and refuses new connections", async () => {
    const server = await startFloraTestServer();
    await Promise.all([server.close(), server.close()]);
    await expect(createRun(server, runBody())).rejects.toThrow(TypeError);
  });

  it("lets the process exit with a stream, a delayed answer and a pending webhook open", async () => {
    const directory = mkdtempSync(join(tmpdir(), "flora-test-server-"));
    const script = join(directory, "close-check.mts");
    const entry = pathToFileURL(resolve("src/testing/index.ts")).href;
    writeFileSync(
      script,
      `import { startFloraTestServer } from ${JSON.stringify(entry)};
const server = await startFloraTestServer({ runDurationMs: 60_000, faultDelayMs: 60_000 });
const headers = { authorization: "Bearer " + server.apiKey, "content-type": "application/json" };
const body = (extra) => JSON.stringify({ inputs: [{ id: "p", type: "text", value: "v" }], mode: "async", ...extra });
const url = server.url + "/techniques/t/runs";
const stream = await fetch(url, { method: "POST", headers, body: body({ mode: "stream" }) });
await stream.body.getReader().read();
await fetch(url, { method: "POST", headers, body: body({ callback_url: "https://hooks.example.test/x" }) });
server.injectFaults("delay-after-commit");
const delayed = fetch(url, { method: "POST", headers, body: body({}) }).catch(() => "rejected");
await new Promise((done) => setTimeout(done, 50));
await server.close();
console.log("closed", await delayed);
`,
    );
    try {
      const child = spawn(process.execPath, ["--import", "tsx", script], {
        cwd: resolve("."),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exitCode = await new Promise<number | null>((done) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.on("exit", (code) => {
          clearTimeout(timer);
          done(code);
        });
      });
      expect(output).toContain("closed rejected");
      expect(exitCode).toBe(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
