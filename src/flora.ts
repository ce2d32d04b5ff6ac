// The Flora client: generated resources on the runtime, plus run polling, streaming and webhooks.
import {
  createResources,
  servers,
  type CreateTechniqueRunBody,
  type CreateTechniqueRunStreamData,
  type Resources,
  type Run,
} from "../generated/index.js";
// Each from its own module, never the runtime's barrel: a bundler then keeps lazily imported modules
// (serializers, the SSE reader, webhooks) out of the code that loads at once.
import { checkType, invalid } from "./runtime/check.js";
import { checkBaseUrl, createBaseRuntime, resolveIdempotencyKey, type Runtime } from "./runtime/client.js";
import { SDKError, ValidationError } from "./runtime/errors.js";
import type { FetchLike } from "./runtime/fetch.js";
import { createLogger, isLogLevel, redactError, type Logger, type LogLevel } from "./runtime/log.js";
import { retryAfterMs } from "./runtime/retry.js";
import { sleep as realSleep, type Sleep } from "./runtime/sleep.js";
import type { RequestOptions } from "./runtime/types.js";
import type { FloraWebhookEvent, UnwrapWebhookOptions, WebhookBody, WebhookHeaders } from "./runtime/webhooks.js";
import { readTrimmedEnv } from "./env.js";
import { checkCreateCall, validateId } from "./validate.js";
import { VERSION } from "./version.js";
import {
  checkSnapshot,
  checkStatus,
  checkWaitOptions,
  isBusy,
  isTerminal,
  isUnusablePollUrl,
  snapshotError,
  startLimit,
  runShape,
  createIdempotency,
  type Limit,
  type RunOrigin,
} from "./run-rules.js";
import type { StreamHost } from "./run-stream.js";

export { DEFAULT_WAIT_TIMEOUT_MS } from "./run-rules.js";

/**
 * The root of every error the Flora SDK throws: `error instanceof FloraError` is true for all of them, the
 * runtime's `APIError`, `ValidationError`, `APITimeoutError`, … included (they extend the runtime's neutral
 * `SDKError`). An error made as `new FloraError(…)` is named "FloraError".
 */
export class FloraError extends SDKError {
  override name = "FloraError";

  /** True for every SDKError when asked of FloraError itself; a subclass of FloraError checks as usual. */
  static override [Symbol.hasInstance](value: unknown): value is FloraError {
    return this === FloraError ? value instanceof SDKError : super[Symbol.hasInstance](value);
  }
}

/** The spec's first server, which takes no variables: https://app.flora.ai/api/v1. */
const DEFAULT_BASE_URL = servers[0].url;
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_MAX_POLL_INTERVAL_MS = 10_000;
const POLL_BACKOFF = 1.5;

export interface FloraOptions {
  /** Default `process.env.FLORA_API_KEY`. */
  apiKey?: string;
  /** Default `process.env.FLORA_BASE_URL ?? "https://app.flora.ai/api/v1"`; `http://` only for loopback. */
  baseUrl?: string;
  /** Retries after the first attempt. Default 2. */
  maxRetries?: number;
  /** Per attempt, in milliseconds. Default 60_000. */
  timeoutMs?: number;
  /** Replaces `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Default `process.env.FLORA_LOG`, else "warn". */
  logLevel?: LogLevel;
  /** Default `console`. Lines never contain the API key. */
  logger?: Logger;
  /** Origins besides the API's whose `poll_url`s may receive the API key. */
  allowedPollOrigins?: string[];
  /** Replaces the waits between retries and polls; for tests. */
  sleep?: Sleep;
}

export interface WaitOptions {
  /** First delay between polls, in ms (1 to 2_147_483_647). Default 2000; it grows ×1.5 per poll up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Longest delay between polls, in ms. Default 10_000 (or `intervalMs` if larger). */
  maxIntervalMs?: number;
  /**
   * Overall limit in ms; APITimeoutError (with `runId`) when exceeded. Default 1_800_000 (30 minutes);
   * `Infinity` waits as long as the run takes.
   */
  timeoutMs?: number;
  /** Called with each snapshot whose status or progress changed; a returned promise is awaited. */
  onProgress?: (run: Run) => unknown;
  signal?: AbortSignal;
}

/**
 * `create` options plus polling options. `timeoutMs`, `maxRetries` and `headers` apply to every request the
 * call makes (the create and each poll); `waitTimeoutMs` bounds the whole wait (default 30 minutes).
 */
export interface CreateAndWaitOptions extends RequestOptions, Omit<WaitOptions, "timeoutMs" | "signal"> {
  waitTimeoutMs?: number;
  /**
   * Default false. When true, `createAndWait` first fetches the technique (`techniques.retrieve`, once per
   * client and technique id: concurrent calls share one fetch, a failed fetch is not kept) and throws a
   * ValidationError, before any run starts, naming each input whose id or type the technique does not declare,
   * each repeated input that does not allow multiple values, and each missing input that is not optional.
   */
  checkInputs?: boolean;
}

/** The create body for `stream`, which sends `mode: "stream"` itself. */
export type StreamRunBody = Omit<CreateTechniqueRunBody, "mode"> & { mode?: "stream" };

/** What `wait` needs: a run from this client, or a run_id with its techniqueId and/or poll_url. */
export type RunReference = Pick<Run, "run_id"> & Partial<Run> & { techniqueId?: string };

export interface RunHelpers {
  /**
   * Polls until the run is `completed` or `failed` and resolves with it. Rejects on the overall timeout, abort,
   * transport failure or a malformed snapshot (e.g. a status the spec does not define), always with `runId`.
   */
  wait(run: RunReference, options?: WaitOptions): Promise<Run>;
  createAndWait(techniqueId: string, body: CreateTechniqueRunBody, options?: CreateAndWaitOptions): Promise<Run>;
  /** Starts a run in mode "stream" and yields each new snapshot, ending after the terminal one. */
  stream(
    techniqueId: string,
    body: StreamRunBody,
    options?: Omit<CreateAndWaitOptions, "checkInputs">,
  ): AsyncGenerator<CreateTechniqueRunStreamData, void, undefined>;
}

export type FloraTechniques = Resources["techniques"] & { runs: Resources["techniques"]["runs"] & RunHelpers };

export interface FloraWebhooks {
  /** Verifies `Flora-Signature` over the raw body and returns the event; throws WebhookVerificationError. */
  unwrap(
    rawBody: WebhookBody,
    headers: WebhookHeaders,
    secret: string,
    options?: UnwrapWebhookOptions,
  ): Promise<FloraWebhookEvent>;
}

// Every generated resource appears on Flora without touching this file.
export interface Flora extends Omit<Resources, "techniques"> {}

export class Flora {
  declare readonly techniques: FloraTechniques;
  declare readonly webhooks: FloraWebhooks;
  declare readonly baseUrl: string;

  // The client's state and helpers are closures of the constructor, not private members: a bundler cannot
  // shorten `this.#name`, and the client keeps nothing else.
  constructor(options: FloraOptions = {}) {
    // what could be the key (a misplaced one: `new Flora(key)`, `baseUrl: key`) is masked in every message below
    const keys = [options, (options as FloraOptions | null)?.apiKey, readTrimmedEnv("FLORA_API_KEY")].filter(
      (key): key is string => typeof key === "string" && key !== "",
    );
    let apiKey: string;
    let baseUrl: string;
    let runtime: Runtime;
    try {
      checkType(options, "options", "object");
      checkType(options.baseUrl, "baseUrl", "string");
      checkType(options.allowedPollOrigins, "allowedPollOrigins", "array");
      options.allowedPollOrigins?.forEach((origin) => checkBaseUrl(origin, "allowedPollOrigins"));
      const key: unknown = options.apiKey ?? readTrimmedEnv("FLORA_API_KEY");
      if (typeof key !== "string" || key.trim() === "") {
        throw new ValidationError(
          "No API key: pass `new Flora({ apiKey })` or set the FLORA_API_KEY environment variable.",
          "apiKey",
        );
      }
      // checked here because the platform's invalid-header error would quote the key
      if (!/^[\x21-\x7e]+$/.test(key)) {
        throw invalid("apiKey", "must be printable ASCII without spaces or line breaks.");
      }
      apiKey = key;
      baseUrl = (options.baseUrl ?? readTrimmedEnv("FLORA_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
      const envLevel = readTrimmedEnv("FLORA_LOG");
      const logLevel = options.logLevel ?? (isLogLevel(envLevel) ? envLevel : "warn");
      runtime = createBaseRuntime({
        baseUrl,
        // the spec's one scheme, BearerAuth (generated `authHeaders` is for clients of any spec's schemes)
        credentials: { authorization: `Bearer ${apiKey}` },
        secrets: [apiKey],
        credentialOrigins: options.allowedPollOrigins,
        defaultHeaders: { "x-flora-sdk": `flora-sdk/${VERSION}` },
        maxRetries: options.maxRetries ?? 2,
        timeoutMs: options.timeoutMs ?? 60_000,
        fetch: options.fetch,
        logger: createLogger(logLevel, options.logger ?? console, [apiKey]),
        sleep: options.sleep,
      });
    } catch (error) {
      throw redactError(error, keys);
    }
    this.baseUrl = baseUrl;
    const sleep: Sleep = options.sleep ?? realSleep;
    const resources: Resources = createResources(runtime);
    /** Where each run object this client returned came from, so `wait(run)` can fall back to retrieve. */
    const origins = new WeakMap<object, RunOrigin>();

    const remember = <T>(run: T, origin: RunOrigin): T => {
      if (typeof run === "object" && run !== null) origins.set(run, origin);
      return run;
    };

    /** Ends a failed phase after the run exists: the error names the run, its last snapshot and the key, and no secret. */
    const annotate = (error: unknown, run: RunReference, idempotencyKey: string | undefined): FloraError => {
      // e.g. an onProgress callback that threw: wrapped, so that it too names the run to resume
      const flora =
        error instanceof FloraError
          ? error
          : new FloraError(
              `${error instanceof Error ? error.message : String(error)} (after run ${run.run_id} started)`,
              {
                cause: error,
              },
            );
      if (typeof run.run_id === "string") flora.runId ??= run.run_id;
      flora.run ??= run;
      if (idempotencyKey !== undefined) flora.idempotencyKey ??= idempotencyKey;
      return runtime.redact(flora);
    };

    const wait = async (run: RunReference, options: WaitOptions = {}, request: RequestOptions = {}): Promise<Run> => {
      checkWaitOptions(options, options?.timeoutMs, runtime.redact);
      if (typeof run !== "object" || run === null)
        throw invalid("run", "must be a run object or { run_id, techniqueId }.");
      const idempotencyKey = origins.get(run)?.idempotencyKey ?? request.idempotencyKey;
      let last = run as Run;
      const limit = startLimit(options.signal, options.timeoutMs);
      try {
        // inside the try: a run_id from the server that is unusable still names the key of its create
        validateId(run.run_id, "run.run_id");
        for await (const snapshot of poll(run, options, request, limit)) {
          last = snapshot;
          await options.onProgress?.(snapshot);
        }
        return last;
      } catch (error) {
        throw annotate(limit.explain(error, run.run_id, last), last, idempotencyKey);
      } finally {
        limit.dispose();
      }
    };

    /** Yields each polled snapshot whose status or progress changed, ending after a terminal one. */
    async function* poll(
      start: RunReference,
      options: WaitOptions,
      request: RequestOptions,
      limit: Limit,
    ): AsyncGenerator<Run, void, undefined> {
      if (start.status !== undefined) checkStatus(start);
      if (isTerminal(start)) return;
      const techniqueId = start.techniqueId ?? origins.get(start)?.techniqueId;
      let pollUrl = usablePollUrl(start.poll_url);
      if (pollUrl === undefined && techniqueId === undefined) {
        throw new ValidationError(
          "wait needs a run with an https poll_url, or its techniqueId: pass a run this client returned, or { techniqueId, run_id }.",
          "techniqueId",
        );
      }
      const { signal } = limit;
      const calls: RequestOptions = {
        signal,
        timeoutMs: request.timeoutMs,
        maxRetries: request.maxRetries,
        headers: request.headers,
      };
      let interval = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
      const maxInterval = Math.max(options.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS, interval);
      let current = start as Run;
      let delay = interval;
      while (!isTerminal(current)) {
        await sleep(delay, signal);
        interval = Math.min(interval * POLL_BACKOFF, maxInterval);
        delay = interval;
        let next: Run;
        try {
          next =
            pollUrl !== undefined
              ? await runtime.getJson<Run>(pollUrl, calls, runShape)
              : await resources.techniques.runs.retrieve(techniqueId as string, current.run_id, calls);
        } catch (error) {
          if (isBusy(error)) {
            delay = Math.max(retryAfterMs(new Headers(error.headers)) ?? 0, interval);
            continue;
          }
          if (pollUrl !== undefined && techniqueId !== undefined && isUnusablePollUrl(error)) {
            pollUrl = undefined; // e.g. a foreign poll_url refusing an unauthenticated request
            delay = 0;
            continue;
          }
          throw error;
        }
        checkSnapshot(next);
        if (next.run_id !== start.run_id) {
          throw snapshotError(
            next,
            `has run_id ${JSON.stringify(next.run_id)} where ${JSON.stringify(start.run_id)} was polled`,
          );
        }
        if (techniqueId !== undefined) remember(next, { ...origins.get(start), techniqueId });
        if (next.status !== current.status || next.progress !== current.progress) yield next;
        current = next;
      }
    }

    /** The run's poll_url resolved against the API, when it is https (or http on loopback); else retrieve is used. */
    const usablePollUrl = (pollUrl: string | undefined): string | undefined => {
      if (!pollUrl) return undefined;
      try {
        return checkBaseUrl(new URL(pollUrl, `${baseUrl}/`).href, "poll_url");
      } catch {
        return undefined;
      }
    };

    /** What `streamRun` needs of this client: its runtime and its private polling and bookkeeping. */
    const streamHost: StreamHost = { runtime, maxRetries: options.maxRetries ?? 2, remember, annotate, poll };

    const generated = resources.techniques;
    const runs = generated.runs;
    const helpers: Resources["techniques"]["runs"] & RunHelpers = {
      ...runs,
      create: async (techniqueId, body, options = {}) => {
        checkType(options, "options", "object");
        checkCreateCall(techniqueId, body, runtime);
        // chosen here so that wait() can name the key of a run this client started
        const idempotencyKey = resolveIdempotencyKey(createIdempotency, body, options.idempotencyKey);
        const run = await runs.create(techniqueId, body, { ...options, idempotencyKey });
        return remember(run, { techniqueId, idempotencyKey });
      },
      retrieve: async (techniqueId, runId, options) => {
        validateId(techniqueId, "techniqueId");
        validateId(runId, "runId");
        return remember(await runs.retrieve(techniqueId, runId, options), { techniqueId });
      },
      wait: (run, options) => wait(run, options),
      createAndWait: async (techniqueId, body, options = {}) => {
        checkWaitOptions(options, options?.waitTimeoutMs, runtime.redact);
        if (options.checkInputs === true) {
          // checked as create checks them (and the JSON the runtime will write) before the technique is fetched
          checkCreateCall(techniqueId, body, runtime, true);
          // loaded with the first check, so apps that never opt in do not bundle it
          await import("./technique-inputs.js").then((check) =>
            check.checkInputs(this, generated.retrieve, techniqueId, body, options),
          );
        }
        const run = await helpers.create(techniqueId, body, options);
        return wait(run, { ...options, timeoutMs: options.waitTimeoutMs }, options);
      },
      stream: async function* (techniqueId, body, options = {}) {
        // streaming loads with the first stream, so apps that only poll never bundle the event-stream reader
        const { streamRun } = await import("./run-stream.js");
        yield* streamRun(streamHost, techniqueId, body, options);
      },
    };

    this.webhooks = {
      // a body or header that echoes the API key must not carry it into a verification error
      unwrap: (rawBody, headers, secret, unwrapOptions) =>
        // loaded on first use, so a bundler splits verification off from apps that never receive webhooks
        import("./runtime/webhooks.js")
          .then(({ unwrapWebhook }) =>
            unwrapWebhook<FloraWebhookEvent>(rawBody, headers, secret, unwrapOptions, [apiKey]),
          )
          .catch((error: unknown) => {
            throw redactError(error, [apiKey, typeof secret === "string" ? secret : ""]);
          }),
    };
    // techniques.list and techniques.retrieve as generated: the runtime refuses an empty techniqueId
    Object.assign(this, resources, { techniques: { ...generated, runs: helpers } });
  }
}
