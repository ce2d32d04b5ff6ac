import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CallbackDispatcher } from "./callbacks.js";
import { answerPreCommitFault } from "./fault-responses.js";
import {
  FAULT_KINDS,
  FaultPlan,
  faultKindsFor,
  isPreCommitFault,
  type FaultKind,
  type FaultRoute,
  type PostCommitFault,
  type StreamFault,
} from "./faults.js";
import { BodyTooLargeError, canWrite, sendError, sendJson, sendText, readBody } from "./http.js";
import { IdempotencyStore, requestFingerprint } from "./idempotency.js";
import type { FloraTestServer, FloraTestServerOptions, FloraTestServerStats, LoggedRequest } from "./options.js";
import { authFailure, BASE_PATH, matchRoute, redactHeaders, type Route } from "./routes.js";
import { newRunId, runSnapshot, runTerminalAt, techniqueFails, type RunRecord } from "./runs.js";
import { streamRunEvents } from "./sse.js";
import { catalogueEntry, DEFAULT_TECHNIQUES, findTechnique, techniquePage } from "./techniques.js";
import { TimerRegistry } from "./timers.js";
import type { FieldError } from "./types.js";
import { validateCreateBody } from "./validation.js";

/** Webhook secret used when `webhookSecret` is not given. */
export const DEFAULT_WEBHOOK_SECRET = "whsec_test_ZmxvcmEtc2RrLXRlc3Qtc2VydmVy";
const DEFAULT_API_KEY = "test_key";
const MAX_BODY_BYTES = 1024 * 1024;

type Outcome =
  | { kind: "error"; status: number; code: string; message: string; fields?: FieldError[] }
  | { kind: "run"; status: number; record: RunRecord };

function emptyFaultCounts(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
}

function emptyStats(): FloraTestServerStats {
  return {
    requests: 0,
    attempts: { create: 0, retrieve: 0, stream: 0, techniques: 0 },
    faults: emptyFaultCounts(),
    runsCreated: 0,
    idempotencyHits: 0,
  };
}

/** A create body that parsed as JSON, or undefined when it did not. */
type ParsedBody = { value: unknown } | undefined;

function parseBody(rawBody: string): ParsedBody {
  try {
    return { value: JSON.parse(rawBody) as unknown };
  } catch {
    return undefined;
  }
}

/** Which fault route an attempt belongs to: a POST asking for `mode: "stream"` is the stream route. */
function faultRouteOf(route: Route, parsed: ParsedBody): FaultRoute {
  if (route.name === "retrieve") return "retrieve";
  if (route.name === "listTechniques" || route.name === "retrieveTechnique") return "techniques";
  const value = parsed?.value;
  const mode = value !== null && typeof value === "object" ? (value as { mode?: unknown }).mode : undefined;
  return mode === "stream" ? "stream" : "create";
}

/**
 * Starts a Flora-compatible technique-runs server on 127.0.0.1 with fault injection.
 *
 * Runs go `pending` → `running` (progress 0, 0.25, 0.5, 0.75) → `completed` (progress 1) over
 * `runDurationMs`; runs of technique `fail` or `fail-…` end `failed` with `provider_error`. A completed run has
 * one output per output its technique declares (see `DEFAULT_TECHNIQUES` and the `techniques` option), of the
 * declared type.
 * `progress` is a fraction from 0 to 1 and timestamps are unix epoch milliseconds.
 *
 * @example
 * const server = await startFloraTestServer({ faults: { rate: 0.3, seed: 7 } });
 * const flora = new Flora({ apiKey: server.apiKey, baseUrl: server.url });
 * // …
 * await server.close();
 */
export async function startFloraTestServer(options: FloraTestServerOptions = {}): Promise<FloraTestServer> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const webhookSecret = options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
  const createStatus = options.createStatus ?? 201;
  const runDurationMs = options.runDurationMs ?? 1500;
  const idempotencyMode = options.idempotency ?? "replay";
  const idempotencyWindowMs = options.idempotencyWindowMs ?? 2 * 60 * 60 * 1000;
  const streamResponse = options.streamResponse ?? "sse";
  const sseKeepAliveMs = options.sseKeepAliveMs ?? 250;
  const faultDelayMs = options.faultDelayMs ?? 1000;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const retryAfterMs = options.retryAfterMs ?? 20;
  const requestLogLimit = options.requestLogLimit ?? 10_000;
  const catalogue = (options.techniques ?? DEFAULT_TECHNIQUES).map(catalogueEntry);
  const knownTechniques =
    options.techniques === undefined
      ? undefined
      : new Set(catalogue.flatMap((entry) => [entry.id, entry.technique.technique_id]));

  const timers = new TimerRegistry();
  const faultPlan = new FaultPlan(options.faults);
  const idempotencyStore = new IdempotencyStore(idempotencyWindowMs);
  const callbacks = new CallbackDispatcher({
    secret: webhookSecret,
    workspaceId: options.workspaceId ?? "ws_test",
    retries: options.callbackRetries ?? 3,
    backoffMs: options.callbackBackoffMs ?? 50,
    rewriteUrl: options.rewriteCallbackUrl ?? ((url) => url),
  });
  const streams = new Set<() => void>();
  let runs = new Map<string, RunRecord>();
  let requestLog: LoggedRequest[] = [];
  let stats = emptyStats();
  let origin = "";

  function logRequest(entry: LoggedRequest): void {
    requestLog.push(entry);
    if (requestLog.length > requestLogLimit) requestLog.splice(0, requestLog.length - requestLogLimit);
  }

  /** Flora's 404 for a technique id it does not know; any id is known without the `techniques` option. */
  function unknownTechnique(techniqueId: string): Outcome | undefined {
    if (knownTechniques === undefined || knownTechniques.has(techniqueId)) return undefined;
    return { kind: "error", status: 404, code: "not_found", message: `Technique ${techniqueId} was not found.` };
  }

  /** Validates, checks the key and stores the run and its key in one synchronous step. */
  function commitCreate(
    techniqueId: string,
    parsed: ParsedBody,
    headerKey: string | undefined,
    entry: LoggedRequest,
  ): Outcome {
    const missing = unknownTechnique(techniqueId);
    if (missing !== undefined) return missing;
    if (parsed === undefined) {
      return { kind: "error", status: 400, code: "invalid_json", message: "The request body is not valid JSON." };
    }
    const validation = validateCreateBody(parsed.value, headerKey);
    if (!validation.ok) {
      return {
        kind: "error",
        status: 400,
        code: "input_validation_error",
        message: "The request body is invalid.",
        fields: validation.fields,
      };
    }
    const { body, idempotencyKey } = validation;
    entry.idempotencyKey = idempotencyKey;
    const now = Date.now();
    const fingerprint = requestFingerprint(techniqueId, body as unknown as Record<string, unknown>);
    if (idempotencyKey !== undefined) {
      const decision = idempotencyStore.decide(idempotencyMode, idempotencyKey, fingerprint, now);
      if (decision.kind !== "new") stats.idempotencyHits += 1;
      if (decision.kind === "duplicate") {
        return {
          kind: "error",
          status: 409,
          code: "idempotency_duplicate",
          message: "A request with this idempotency key was already processed.",
        };
      }
      if (decision.kind === "conflict") {
        return {
          kind: "error",
          status: 422,
          code: "idempotency_conflict",
          message: "This idempotency key was used with a different request body.",
        };
      }
      const replayed = decision.kind === "replay" ? runs.get(decision.runId) : undefined;
      if (replayed !== undefined) return { kind: "run", status: createStatus, record: replayed };
    }
    const runId = newRunId();
    const record: RunRecord = {
      runId,
      techniqueId,
      body,
      createdAt: now,
      durationMs: runDurationMs,
      fails: techniqueFails(techniqueId),
      outputs: (findTechnique(catalogue, techniqueId) ?? catalogueEntry(techniqueId)).technique.outputs,
      pollUrl: `${origin}${BASE_PATH}/techniques/${encodeURIComponent(techniqueId)}/runs/${runId}`,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    };
    runs.set(runId, record);
    if (idempotencyKey !== undefined) idempotencyStore.record(idempotencyKey, fingerprint, runId, now);
    stats.runsCreated += 1;
    if (body.callback_url !== undefined) {
      callbacks.schedule(body.callback_url, runTerminalAt(record) - now, (at) => runSnapshot(record, at));
    }
    return { kind: "run", status: createStatus, record };
  }

  function lookupRun(techniqueId: string, runId: string): Outcome {
    const missing = unknownTechnique(techniqueId);
    if (missing !== undefined) return missing;
    const record = runs.get(runId);
    if (record === undefined || record.techniqueId !== techniqueId) {
      return {
        kind: "error",
        status: 404,
        code: "not_found",
        message: `Run ${runId} was not found for technique ${techniqueId}.`,
      };
    }
    return { kind: "run", status: 200, record };
  }

  function answerRun(
    res: ServerResponse,
    route: Route,
    status: number,
    record: RunRecord,
    entry: LoggedRequest,
    fault?: StreamFault,
  ): void {
    if (route.name === "create" && record.body.mode === "stream" && streamResponse === "sse") {
      if (!canWrite(res)) return;
      const stop = streamRunEvents(res, record, {
        timers,
        keepAliveMs: sseKeepAliveMs,
        ...(fault === undefined ? {} : { fault }),
      });
      // A stream's status is sent with its head; "finish" comes only when (and if) it ends.
      entry.status = res.statusCode;
      streams.add(stop);
      res.on("close", () => streams.delete(stop));
      return;
    }
    sendJson(res, status, runSnapshot(record, Date.now()));
  }

  function answerPostCommitFault(
    req: IncomingMessage,
    res: ServerResponse,
    kind: PostCommitFault,
    route: Route,
    outcome: Extract<Outcome, { kind: "run" }>,
    entry: LoggedRequest,
  ): void {
    switch (kind) {
      case "reset-after-commit":
        req.socket.destroy();
        return;
      case "delay-after-commit":
        timers.setTimeout(() => answerRun(res, route, outcome.status, outcome.record, entry), faultDelayMs);
        return;
      case "stream-cut":
      case "stream-reset":
      case "stream-stall":
        return answerRun(res, route, outcome.status, outcome.record, entry, kind);
      case "truncated-json": {
        const json = JSON.stringify(runSnapshot(outcome.record, Date.now()));
        return sendText(
          res,
          outcome.status,
          "application/json; charset=utf-8",
          json.slice(0, Math.floor(json.length / 2)),
        );
      }
    }
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = `req_${randomBytes(12).toString("hex")}`;
    res.setHeader("request-id", requestId);
    stats.requests += 1;
    const path = req.url ?? "/";
    const method = req.method ?? "GET";
    const rawHeaderKey = req.headers["idempotency-key"];
    const headerKey = Array.isArray(rawHeaderKey) ? rawHeaderKey.join(", ") : rawHeaderKey;
    const entry: LoggedRequest = {
      method,
      path,
      headers: redactHeaders(req.headers),
      requestId,
      receivedAt: Date.now(),
      ...(headerKey === undefined ? {} : { idempotencyKey: headerKey }),
    };
    logRequest(entry);
    res.on("finish", () => {
      entry.status = res.statusCode;
    });

    const route = matchRoute(method, new URL(path, "http://127.0.0.1").pathname);
    if (route === undefined) {
      return sendError(res, 404, "not_found", `No route for ${method} ${path}.`);
    }
    const parsed = route.name === "create" ? parseBody(await readBody(req, MAX_BODY_BYTES)) : undefined;
    const faultRoute = faultRouteOf(route, parsed);
    entry.route = faultRoute;
    stats.attempts[faultRoute] += 1;
    const denied = authFailure(req.headers.authorization, apiKey);
    if (denied !== undefined) return sendError(res, 401, denied.code, denied.message);

    const fault = faultPlan.next(faultRoute, faultKindsFor(faultRoute, streamResponse === "sse"));
    if (fault !== undefined && isPreCommitFault(fault)) {
      entry.fault = fault;
      stats.faults[fault] += 1;
      return answerPreCommitFault(req, res, fault, { retryAfterMs, retryAfterSeconds });
    }
    if (route.name === "listTechniques") {
      const listed = techniquePage(catalogue, new URL(path, "http://127.0.0.1").searchParams);
      if ("fields" in listed)
        return sendError(res, 400, "input_validation_error", "The query is invalid.", { fields: listed.fields });
      return sendJson(res, 200, listed.page);
    }
    if (route.name === "retrieveTechnique") {
      const found = findTechnique(catalogue, route.techniqueId);
      if (found === undefined) return sendError(res, 404, "not_found", `Technique ${route.techniqueId} was not found.`);
      return sendJson(res, 200, found.technique);
    }
    const outcome =
      route.name === "create"
        ? commitCreate(route.techniqueId, parsed, headerKey, entry)
        : lookupRun(route.techniqueId, route.runId);
    if (outcome.kind === "error") {
      return sendError(
        res,
        outcome.status,
        outcome.code,
        outcome.message,
        outcome.fields === undefined ? {} : { fields: outcome.fields },
      );
    }
    entry.runId = outcome.record.runId;
    if (fault !== undefined) {
      entry.fault = fault;
      stats.faults[fault] += 1;
      return answerPostCommitFault(req, res, fault, route, outcome, entry);
    }
    answerRun(res, route, outcome.status, outcome.record, entry);
  }

  const server = createServer((req, res) => {
    req.on("error", () => undefined);
    res.on("error", () => undefined);
    handleRequest(req, res).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) return sendError(res, 413, "payload_too_large", error.message);
      if (canWrite(res) && !res.headersSent) return sendError(res, 500, "internal_error", "The test server failed.");
      res.destroy();
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}${BASE_PATH}`,
    origin,
    apiKey,
    webhookSecret,
    close() {
      closing ??= (async () => {
        for (const stop of streams) stop();
        streams.clear();
        timers.clearAll();
        callbacks.cancelAll();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await callbacks.settled();
      })();
      return closing;
    },
    stats: () => ({ ...stats, attempts: { ...stats.attempts }, faults: { ...stats.faults } }),
    runs: () =>
      [...runs.values()].map((record) => ({
        run: runSnapshot(record, Date.now()),
        techniqueId: record.techniqueId,
        body: record.body,
        createdAt: record.createdAt,
        ...(record.idempotencyKey === undefined ? {} : { idempotencyKey: record.idempotencyKey }),
      })),
    requests: () => requestLog.map((logged) => ({ ...logged })),
    callbacks: () => callbacks.deliveries(),
    injectFaults: (...kinds) => faultPlan.inject(kinds),
    reset() {
      runs = new Map();
      requestLog = [];
      stats = emptyStats();
      idempotencyStore.clear();
      faultPlan.reset();
      callbacks.cancelAll();
    },
  };
}
