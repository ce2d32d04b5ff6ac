import type { IncomingHttpHeaders } from "node:http";
import type { CallbackDelivery } from "./callbacks.js";
import type { FaultKind, FaultOptions, FaultRoute } from "./faults.js";
import type { IdempotencyMode } from "./idempotency.js";
import type { TestTechnique } from "./techniques.js";
import type { CreateTechniqueRunBody, TechniqueRun } from "./types.js";

/** Options of `startFloraTestServer`; every one has a default. */
export interface FloraTestServerOptions {
  /** Bearer token the server accepts. Default `"test_key"`. */
  apiKey?: string;
  /** Port on 127.0.0.1. Default 0 (any free port). */
  port?: number;
  /** Status of a successful create. Default 201, as in Flora's spec; its docs also show 200. */
  createStatus?: 200 | 201;
  /**
   * The technique catalogue, like a workspace's techniques on Flora: ids (or slugs), or `TestTechnique`s that
   * also declare inputs, outputs, name and cost. An id of a `DEFAULT_TECHNIQUES` entry (bare or as a
   * `TestTechnique` that overrides some fields) keeps that entry's definition, so a technique declares the same
   * inputs and outputs whether or not this option is given; any other bare id declares one required text input,
   * `prompt`, and one `imageUrl` output, `image`. A completed run returns one output per declared output.
   * `GET /techniques` pages through it in order (`limit` 1 to 100, default 20; `cursor` from `meta.next_cursor`;
   * `query` filters by id (slug), name or description, ignoring case) and `GET /techniques/{id}` returns one entry by its id or its
   * `technique_id`, else 404 `not_found`. Create, retrieve and poll for an id not listed answer 404 too; list
   * the failing ids (`fail`, `fail-…`) if you use them. The create route does not check inputs against the
   * declared ones, so a test can tell a client-side refusal from the server's.
   * Default: `DEFAULT_TECHNIQUES` (five techniques) in the catalogue, and every id is known to the run routes
   * (an id not in the catalogue runs as the generic technique: `prompt` in, `image` out), while
   * `GET /techniques/{id}` (and so `checkInputs`) knows only the catalogue's five.
   */
  techniques?: (string | TestTechnique)[];
  /** Time from creation to the terminal status, in milliseconds. Default 1500. 0 makes runs terminal at once. */
  runDurationMs?: number;
  /**
   * How a reused idempotency key is treated. Default `"replay"`.
   * - `"replay"`: same key and body → the original status and run (its current state); different body → 422 `idempotency_conflict`.
   * - `"duplicate"`: any reuse within the window → 409 `idempotency_duplicate`.
   */
  idempotency?: IdempotencyMode;
  /** How long a key is remembered. Default 7_200_000 (2 h). */
  idempotencyWindowMs?: number;
  /**
   * What `mode: "stream"` answers with. Default `"sse"`: status 200, `text/event-stream`, a `retry: 1000`
   * line, `: keep-alive` comments and one `run.update` event per status or progress change, each run
   * JSON pretty-printed over several `data:` lines, ending after the terminal event. `"json"`: like async.
   */
  streamResponse?: "sse" | "json";
  /** Interval of `: keep-alive` comments on SSE streams. Default 250. */
  sseKeepAliveMs?: number;
  /** Secret that signs webhooks. Default `DEFAULT_WEBHOOK_SECRET` (`whsec_test_…`). */
  webhookSecret?: string;
  /** `workspace_id` in webhook events. Default `"ws_test"`. */
  workspaceId?: string;
  /** Maps a run's https `callback_url` to where the server really POSTs, e.g. a local http receiver. */
  rewriteCallbackUrl?: (url: string) => string;
  /** Redeliveries after a failed webhook delivery. Default 3. */
  callbackRetries?: number;
  /** Delay before the first redelivery, doubled each time. Default 50. */
  callbackBackoffMs?: number;
  /** Seeded random fault injection. Default: none (rate 0). */
  faults?: FaultOptions;
  /** How long `delay-after-commit` holds the answer; set it above the client's timeout. Default 1000. */
  faultDelayMs?: number;
  /** `Retry-After` seconds on injected 429s (also the offset of the HTTP-date form). Default 1. */
  retryAfterSeconds?: number;
  /** `retry-after-ms` on injected 429s. Default 20. */
  retryAfterMs?: number;
  /** How many requests `requests()` keeps, newest last. Default 10_000. */
  requestLogLimit?: number;
}

/** Counters since start or the last reset(). */
export interface FloraTestServerStats {
  /** Every HTTP request, including unknown routes. */
  requests: number;
  /** Requests that matched each route; a POST with `mode: "stream"` counts as `stream`, not `create`. */
  attempts: Record<FaultRoute, number>;
  /** Faults that took effect, by kind. */
  faults: Record<FaultKind, number>;
  runsCreated: number;
  /** Create requests whose key was already known: replays, conflicts and duplicates. */
  idempotencyHits: number;
}

/** A run the server created, with what created it. */
export interface StoredRun {
  /** The run as retrieve would show it now. */
  run: TechniqueRun;
  techniqueId: string;
  /** The create body as parsed from the request. */
  body: CreateTechniqueRunBody;
  idempotencyKey?: string;
  /** Unix epoch milliseconds. */
  createdAt: number;
}

/** One logged request. */
export interface LoggedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  route?: FaultRoute;
  /** Request headers; `authorization` is redacted. */
  headers: IncomingHttpHeaders;
  /** The effective key: the `Idempotency-Key` header, else the body's `idempotency_key`. */
  idempotencyKey?: string;
  fault?: FaultKind;
  /** The run this attempt created, replayed or looked up; undefined when it got an error or a pre-commit fault. */
  runId?: string;
  /** Status sent (for an event stream, once its head is sent); undefined when the socket was reset or no answer was sent yet. */
  status?: number;
  requestId: string;
  /** Unix epoch milliseconds. */
  receivedAt: number;
}

/** A running test server. */
export interface FloraTestServer {
  /** Base URL for an SDK, including `/api/v1`, e.g. `http://127.0.0.1:PORT/api/v1`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
  /** Stops listening and ends every socket, stream, timer and webhook delivery. Idempotent. */
  close(): Promise<void>;
  stats(): FloraTestServerStats;
  /** Every run created, oldest first. */
  runs(): StoredRun[];
  /** The last `requestLogLimit` requests, oldest first. */
  requests(): LoggedRequest[];
  /** Webhook deliveries so far, oldest first. */
  callbacks(): CallbackDelivery[];
  /** Gives the next matching attempts (on `faults.routes`, default create) these faults, in order. */
  injectFaults(...kinds: FaultKind[]): void;
  /** Forgets runs, keys, logs, stats, queued faults and pending webhooks; restarts the fault PRNG. */
  reset(): void;
}
