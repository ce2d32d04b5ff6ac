// The Flora client: generated resources on the runtime, plus run polling, streaming and webhooks.
import {
  authHeaders,
  createResources,
  operationDescriptors,
  serverUrl,
  type CreateTechniqueRunBody,
  type CreateTechniqueRunStreamData,
  type Resources,
  type Run,
} from "../generated/index.js";
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  FloraError,
  MalformedResponseError,
  RateLimitError,
  StreamParseError,
  ValidationError,
  createLogger,
  checkBaseUrl,
  checkNumber,
  checkSignal,
  createRuntime,
  isLogLevel,
  MILLISECONDS,
  redactError,
  resolveIdempotencyKey,
  shapeProblem,
  retryAfterMs,
  sleep as realSleep,
  type FetchLike,
  type Logger,
  type LogLevel,
  type RequestOptions,
  type Runtime,
  type Sleep,
  type ValueShape,
} from "./runtime/index.js";
import { readJsonRun, readRunEvents } from "./run-stream.js";
import { isEventStream } from "./runtime/fetch.js";
import {
  unwrapWebhook,
  type FloraWebhookEvent,
  type UnwrapWebhookOptions,
  type WebhookBody,
  type WebhookHeaders,
} from "./runtime/webhooks.js";
import { validateCreateBody, validateId } from "./validate.js";
import { VERSION } from "./version.js";

/** The spec's first server: https://app.flora.ai/api/v1. */
const DEFAULT_BASE_URL = serverUrl(0);
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_MAX_POLL_INTERVAL_MS = 10_000;
const POLL_BACKOFF = 1.5;
/** The overall limit of `wait`, `createAndWait` and `stream` unless the caller sets one: 30 minutes. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

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
    options?: CreateAndWaitOptions,
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
  readonly webhooks: FloraWebhooks;
  readonly baseUrl: string;
  #runtime: Runtime;
  #resources: Resources;
  #sleep: Sleep;
  #maxRetries: number;
  /** Where each run object this client returned came from, so `wait(run)` can fall back to retrieve. */
  #origins = new WeakMap<object, RunOrigin>();

  constructor(options: FloraOptions = {}) {
    const apiKey: unknown = options.apiKey ?? readEnv("FLORA_API_KEY");
    if (typeof apiKey !== "string" || apiKey.trim() === "") {
      throw new ValidationError(
        "No API key: pass `new Flora({ apiKey })` or set the FLORA_API_KEY environment variable.",
        "apiKey",
      );
    }
    // checked here because the platform's invalid-header error would quote the key
    if (!/^[\x21-\x7e]+$/.test(apiKey)) {
      throw new ValidationError("apiKey must be printable ASCII without spaces or line breaks.", "apiKey");
    }
    this.baseUrl = (options.baseUrl ?? readEnv("FLORA_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
    const logger = options.logger ?? console;
    if (
      !["error", "warn", "info", "debug"].every(
        (level) => typeof (logger as unknown as Record<string, unknown>)[level] === "function",
      )
    ) {
      throw new ValidationError("logger must have error, warn, info and debug methods (console fits).", "logger");
    }
    const envLevel = readEnv("FLORA_LOG");
    const logLevel = options.logLevel ?? (isLogLevel(envLevel) ? envLevel : "warn");
    this.#sleep = options.sleep ?? realSleep;
    this.#maxRetries = options.maxRetries ?? 2;
    this.#runtime = createRuntime({
      baseUrl: this.baseUrl,
      credentials: authHeaders({ BearerAuth: apiKey }),
      secrets: [apiKey],
      credentialOrigins: options.allowedPollOrigins,
      defaultHeaders: { "x-flora-sdk": `flora-sdk/${VERSION}` },
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      fetch: options.fetch,
      logger: createLogger(logLevel, logger, [apiKey]),
      sleep: this.#sleep,
    });
    this.#resources = createResources(this.#runtime);
    this.webhooks = {
      // a body or header that echoes the API key must not carry it into a verification error
      unwrap: (rawBody, headers, secret, unwrapOptions) =>
        unwrapWebhook<FloraWebhookEvent>(rawBody, headers, secret, unwrapOptions, [apiKey]).catch((error: unknown) => {
          throw redactError(error, [apiKey, typeof secret === "string" ? secret : ""]);
        }),
    };
    Object.assign(this, this.#resources, { techniques: this.#buildTechniques() });
  }

  #buildTechniques(): FloraTechniques {
    const generated = this.#resources.techniques;
    const runs = generated.runs;
    const helpers: Resources["techniques"]["runs"] & RunHelpers = {
      ...runs,
      create: async (techniqueId, body, options = {}) => {
        validateId(techniqueId, "techniqueId");
        validateCreateBody(body);
        // chosen here so that wait() can name the key of a run this client started
        const idempotencyKey = resolveIdempotencyKey(createIdempotency, body, options.idempotencyKey);
        const run = await runs.create(techniqueId, body, { ...options, idempotencyKey });
        return this.#remember(run, { techniqueId, idempotencyKey });
      },
      retrieve: async (techniqueId, runId, options) => {
        validateId(techniqueId, "techniqueId");
        validateId(runId, "runId");
        return this.#remember(await runs.retrieve(techniqueId, runId, options), { techniqueId });
      },
      wait: (run, options) => this.#wait(run, options),
      createAndWait: async (techniqueId, body, options = {}) => {
        checkWaitOptions(options, options.waitTimeoutMs);
        const run = await helpers.create(techniqueId, body, options);
        return this.#wait(run, { ...options, timeoutMs: options.waitTimeoutMs }, options);
      },
      stream: (techniqueId, body, options) => this.#stream(techniqueId, body, options),
    };
    return { ...generated, runs: helpers };
  }

  #remember<T>(run: T, origin: RunOrigin): T {
    if (typeof run === "object" && run !== null) this.#origins.set(run, origin);
    return run;
  }

  /** Ends a failed phase after the run exists: the error names the run, its last snapshot and the key, and no secret. */
  #annotate(error: unknown, run: RunReference, idempotencyKey: string | undefined): FloraError {
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
    return this.#runtime.redact(flora);
  }

  async #wait(run: RunReference, options: WaitOptions = {}, request: RequestOptions = {}): Promise<Run> {
    checkWaitOptions(options, options.timeoutMs);
    if (typeof run !== "object" || run === null)
      throw new ValidationError("run must be a run object or { run_id, techniqueId }.", "run");
    const idempotencyKey = this.#origins.get(run)?.idempotencyKey ?? request.idempotencyKey;
    let last = run as Run;
    const limit = startLimit(options.signal, options.timeoutMs);
    try {
      // inside the try: a run_id from the server that is unusable still names the key of its create
      validateId(run.run_id, "run.run_id");
      for await (const snapshot of this.#poll(run, options, request, limit)) {
        last = snapshot;
        await options.onProgress?.(snapshot);
      }
      return last;
    } catch (error) {
      throw this.#annotate(limit.explain(error, run.run_id, last), last, idempotencyKey);
    } finally {
      limit.dispose();
    }
  }

  /** Yields each polled snapshot whose status or progress changed, ending after a terminal one. */
  async *#poll(
    start: RunReference,
    options: WaitOptions,
    request: RequestOptions,
    limit: Limit,
  ): AsyncGenerator<Run, void, undefined> {
    if (start.status !== undefined) checkStatus(start);
    if (isTerminal(start)) return;
    const techniqueId = start.techniqueId ?? this.#origins.get(start)?.techniqueId;
    let pollUrl = this.#usablePollUrl(start.poll_url);
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
      await this.#sleep(delay, signal);
      interval = Math.min(interval * POLL_BACKOFF, maxInterval);
      delay = interval;
      let next: Run;
      try {
        next =
          pollUrl !== undefined
            ? await this.#runtime.getJson<Run>(pollUrl, calls, runShape)
            : await this.#resources.techniques.runs.retrieve(techniqueId as string, current.run_id, calls);
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
      if (techniqueId !== undefined) this.#remember(next, { ...this.#origins.get(start), techniqueId });
      if (next.status !== current.status || next.progress !== current.progress) yield next;
      current = next;
    }
  }

  /** The run's poll_url resolved against the API, when it is https (or http on loopback); else retrieve is used. */
  #usablePollUrl(pollUrl: string | undefined): string | undefined {
    if (!pollUrl) return undefined;
    try {
      return checkBaseUrl(new URL(pollUrl, `${this.baseUrl}/`).href, "poll_url");
    } catch {
      return undefined;
    }
  }

  async *#stream(
    techniqueId: string,
    body: StreamRunBody,
    options: CreateAndWaitOptions = {},
  ): AsyncGenerator<CreateTechniqueRunStreamData, void, undefined> {
    validateId(techniqueId, "techniqueId");
    const streamBody = { ...body, mode: "stream" } as CreateTechniqueRunBody;
    validateCreateBody(streamBody);
    checkWaitOptions(options, options.waitTimeoutMs);
    const idempotencyKey = resolveIdempotencyKey(createIdempotency, streamBody, options.idempotencyKey);
    const limit = startLimit(options.signal, options.waitTimeoutMs);
    const request = { ...options, idempotencyKey, signal: limit.signal };
    let last: Run | undefined;
    try {
      // A stream cut before its first snapshot is re-sent with the same key, which replays the same run.
      for (let attempt = 0; last === undefined; attempt++) {
        const { response } = await this.#runtime.send(
          operationDescriptors.createTechniqueRun,
          { path: { techniqueId }, body: streamBody },
          request,
        );
        if (!isEventStream(response) || !response.body) {
          last = this.#remember(await readJsonRun(response, this.#runtime.redactText), { techniqueId, idempotencyKey });
          checkSnapshot(last);
          await options.onProgress?.(last);
          yield last;
          break;
        }
        try {
          for await (const snapshot of readRunEvents(response.body, limit.signal, this.#runtime.redactText)) {
            // remembered before it is checked: a malformed snapshot still names the run
            last = this.#remember(snapshot, { techniqueId, idempotencyKey });
            checkSnapshot(last);
            await options.onProgress?.(last);
            yield last;
            if (isTerminal(last)) return;
          }
          if (last === undefined) throw new StreamParseError("The event stream ended before sending any run snapshot.");
        } catch (error) {
          // A cut or silent stream is recoverable: by polling once the run is known, else by re-sending.
          if (!isCut(error) || limit.signal.aborted) throw error;
          if (last === undefined && attempt >= (options.maxRetries ?? this.#maxRetries)) throw error;
        }
      }
      for await (const snapshot of this.#poll({ ...last, techniqueId }, options, request, limit)) {
        last = snapshot;
        await options.onProgress?.(snapshot);
        yield snapshot;
      }
    } catch (error) {
      const explained =
        last === undefined ? limit.explain(error, undefined, undefined) : limit.explain(error, last.run_id, last);
      if (last === undefined) {
        if (explained instanceof FloraError) explained.idempotencyKey ??= idempotencyKey;
        throw this.#runtime.redact(explained);
      }
      throw this.#annotate(explained, last, idempotencyKey);
    } finally {
      limit.dispose();
    }
  }
}

/** Where a run object came from, so `wait(run)` can fall back to retrieve and name the key. */
interface RunOrigin {
  techniqueId: string;
  idempotencyKey?: string;
}

/** The create operation's idempotency descriptor: header plus body field. */
const createIdempotency = operationDescriptors.createTechniqueRun.idempotency;
/** What a run snapshot must be, from the spec's Run schema (required fields, their types, the status enum). */
const runShape: ValueShape | undefined = operationDescriptors.retrieveTechniqueRun.responseShape;
const RUN_STATUSES: readonly unknown[] | undefined = runShape?.required?.status?.enum;

/** A polled or streamed snapshot must be a run as the spec's Run schema states: required fields, types, status. */
function checkSnapshot(run: Partial<Run>): void {
  const problem = runShape && shapeProblem(run, runShape, "snapshot");
  if (problem) throw snapshotError(run, problem);
  checkStatus(run);
}

/** A status the spec does not define ends the wait at once: polling could never finish. */
function checkStatus(run: Partial<Run>): void {
  if (typeof run.status !== "string") throw snapshotError(run, "is a run snapshot without a status");
  if (RUN_STATUSES && !RUN_STATUSES.includes(run.status)) {
    const known = RUN_STATUSES.join(", ");
    throw snapshotError(
      run,
      `has status ${JSON.stringify(run.status)}, which the spec does not define (${known}): the wait ends here`,
    );
  }
}

/** A snapshot that broke the spec, as a MalformedResponseError: it arrived in a 200 answer or event. */
function snapshotError(run: Partial<Run>, problem: string): MalformedResponseError {
  return new MalformedResponseError(200, {}, JSON.stringify(run) ?? "", problem);
}

/** A stream broken by the transport or gone silent, as opposed to a malformed event or the caller's abort. */
function isCut(error: unknown): boolean {
  return !(error instanceof FloraError) || error instanceof APIConnectionError;
}

function checkWaitOptions(
  options: Pick<WaitOptions, "intervalMs" | "maxIntervalMs" | "onProgress" | "signal">,
  overall: unknown,
): void {
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new ValidationError("onProgress must be a function.", "onProgress");
  }
  checkSignal(options.signal, "signal");
  checkNumber(options.intervalMs, "intervalMs", MILLISECONDS);
  checkNumber(options.maxIntervalMs, "maxIntervalMs", MILLISECONDS);
  checkNumber(overall, "timeoutMs", { ...MILLISECONDS, infinite: true });
}

/** The overall limit of a wait or stream: one signal for the caller's abort and the deadline, linked by hand. */
interface Limit {
  signal: AbortSignal;
  /** The error to throw: an APITimeoutError past the deadline, APIUserAbortError after the caller's abort. */
  explain(error: unknown, runId: string | undefined, last: Partial<Run> | undefined): unknown;
  dispose(): void;
}

function startLimit(caller: AbortSignal | undefined, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Limit {
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs === Infinity
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
  const onAbort = () => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    explain(error, runId, last) {
      if (timedOut && !caller?.aborted) {
        const what = runId === undefined ? "The run's event stream" : `Run ${runId}`;
        return new APITimeoutError(`${what} was still ${last?.status ?? "unfinished"} after ${timeoutMs} ms.`, {
          cause: error,
        });
      }
      if (caller?.aborted && !(error instanceof APIUserAbortError))
        return new APIUserAbortError(undefined, { cause: caller.reason });
      return error;
    },
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    },
  };
}

function isTerminal(run: Partial<Run>): boolean {
  return run.status === "completed" || run.status === "failed";
}

/** 429 and 503 mean "poll later", not "give up". */
function isBusy(error: unknown): error is APIError {
  return error instanceof RateLimitError || (error instanceof APIError && error.status === 503);
}

function isUnusablePollUrl(error: unknown): boolean {
  return (
    error instanceof MalformedResponseError || (error instanceof APIError && [401, 403, 404].includes(error.status))
  );
}

/** Reads an environment variable where one exists (Node, Deno, Bun); browsers have no `process`. */
function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value ? value : undefined;
}
