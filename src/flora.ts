// The Flora client: generated resources on the runtime, plus run polling, streaming and webhooks.
import {
  authHeaders,
  createResources,
  operationDescriptors,
  serverUrl,
  type CreateTechniqueRunBody,
  type Resources,
  type Run,
} from "../generated/index.js";
import {
  APIError,
  APITimeoutError,
  APIUserAbortError,
  FloraError,
  MalformedResponseError,
  RateLimitError,
  StreamParseError,
  ValidationError,
  createLogger,
  createRuntime,
  isLogLevel,
  retryAfterMs,
  sleep as realSleep,
  type FetchLike,
  type Logger,
  type LogLevel,
  type RequestOptions,
  type Runtime,
  type Sleep,
} from "./runtime/index.js";
import { asFloraError, readJsonRun, readRunEvents } from "./run-stream.js";
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
  /** First delay between polls. Default 2000; it grows ×1.5 per poll up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Default 10_000 (or `intervalMs` if larger). */
  maxIntervalMs?: number;
  /** Overall limit; APITimeoutError when exceeded. Default none. */
  timeoutMs?: number;
  /** Called with each snapshot whose status or progress changed. */
  onProgress?: (run: Run) => void;
  signal?: AbortSignal;
}

/** `create` options plus polling options; `timeoutMs` stays per attempt, `waitTimeoutMs` bounds the whole wait. */
export interface CreateAndWaitOptions extends RequestOptions, Omit<WaitOptions, "timeoutMs" | "signal"> {
  waitTimeoutMs?: number;
}

/** The create body for `stream`, which sends `mode: "stream"` itself. */
export type StreamRunBody = Omit<CreateTechniqueRunBody, "mode"> & { mode?: "stream" };

/** What `wait` needs: a run from this client, or a run_id with its techniqueId and/or poll_url. */
export type RunReference = Pick<Run, "run_id"> & Partial<Run> & { techniqueId?: string };

export interface RunHelpers {
  /** Polls until the run is `completed` or `failed` and resolves with it; rejects only on timeout, abort or transport failure. */
  wait(run: RunReference, options?: WaitOptions): Promise<Run>;
  createAndWait(techniqueId: string, body: CreateTechniqueRunBody, options?: CreateAndWaitOptions): Promise<Run>;
  /** Starts a run in mode "stream" and yields each new snapshot, ending after the terminal one. */
  stream(
    techniqueId: string,
    body: StreamRunBody,
    options?: CreateAndWaitOptions,
  ): AsyncGenerator<Run, void, undefined>;
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
  readonly webhooks: FloraWebhooks = { unwrap: unwrapWebhook };
  readonly baseUrl: string;
  #runtime: Runtime;
  #resources: Resources;
  #sleep: Sleep;
  /** The techniqueId of each run object this client returned, so `wait(run)` can fall back to retrieve. */
  #techniqueIds = new WeakMap<object, string>();

  constructor(options: FloraOptions = {}) {
    const apiKey = options.apiKey ?? readEnv("FLORA_API_KEY");
    if (!apiKey || apiKey.trim() === "") {
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
    const envLevel = readEnv("FLORA_LOG");
    const logLevel = options.logLevel ?? (isLogLevel(envLevel) ? envLevel : "warn");
    this.#sleep = options.sleep ?? realSleep;
    this.#runtime = createRuntime({
      baseUrl: this.baseUrl,
      credentials: authHeaders({ BearerAuth: apiKey }),
      secrets: [apiKey],
      credentialOrigins: options.allowedPollOrigins,
      defaultHeaders: { "x-flora-sdk": `flora-sdk/${VERSION}` },
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 60_000,
      fetch: options.fetch,
      logger: createLogger(logLevel, options.logger ?? console, [apiKey]),
      sleep: this.#sleep,
    });
    this.#resources = createResources(this.#runtime);
    Object.assign(this, this.#resources, { techniques: this.#buildTechniques() });
  }

  #buildTechniques(): FloraTechniques {
    const generated = this.#resources.techniques;
    const runs = generated.runs;
    const helpers: Resources["techniques"]["runs"] & RunHelpers = {
      ...runs,
      create: async (techniqueId, body, options) => {
        validateId(techniqueId, "techniqueId");
        validateCreateBody(body);
        return this.#remember(await runs.create(techniqueId, body, options), techniqueId);
      },
      retrieve: async (techniqueId, runId, options) => {
        validateId(techniqueId, "techniqueId");
        validateId(runId, "runId");
        return this.#remember(await runs.retrieve(techniqueId, runId, options), techniqueId);
      },
      wait: (run, options) => this.#wait(run, options),
      createAndWait: async (techniqueId, body, options = {}) => {
        const run = await helpers.create(techniqueId, body, options);
        return this.#wait(run, { ...options, timeoutMs: options.waitTimeoutMs });
      },
      stream: (techniqueId, body, options) => this.#stream(techniqueId, body, options),
    };
    return { ...generated, runs: helpers };
  }

  #remember<T>(run: T, techniqueId: string): T {
    if (typeof run === "object" && run !== null) this.#techniqueIds.set(run, techniqueId);
    return run;
  }

  async #wait(run: RunReference, options: WaitOptions = {}): Promise<Run> {
    let last = run as Run;
    for await (const snapshot of this.#poll(run, options)) {
      last = snapshot;
      options.onProgress?.(snapshot);
    }
    return last;
  }

  /** Yields each polled snapshot whose status or progress changed, ending after a terminal one. */
  async *#poll(start: RunReference, options: WaitOptions): AsyncGenerator<Run, void, undefined> {
    validateId(start?.run_id, "run.run_id");
    if (isTerminal(start)) return;
    const techniqueId = start.techniqueId ?? this.#techniqueIds.get(start);
    let pollUrl = this.#resolvePollUrl(start.poll_url);
    if (pollUrl === undefined && techniqueId === undefined) {
      throw new ValidationError(
        "wait needs a run with poll_url, or its techniqueId: pass a run this client returned, or { techniqueId, run_id }.",
        "techniqueId",
      );
    }
    const deadline = new AbortController();
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => deadline.abort(), options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
    let interval = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const maxInterval = Math.max(options.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS, interval);
    let current = start as Run;
    let delay = interval;
    try {
      while (!isTerminal(current)) {
        await this.#sleep(delay, signal);
        interval = Math.min(interval * POLL_BACKOFF, maxInterval);
        delay = interval;
        let next: Run;
        try {
          next =
            pollUrl !== undefined
              ? await this.#runtime.getJson<Run>(pollUrl, { signal })
              : await this.#resources.techniques.runs.retrieve(techniqueId as string, current.run_id, { signal });
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
        if (techniqueId !== undefined) this.#remember(next, techniqueId);
        if (next.status !== current.status || next.progress !== current.progress) yield next;
        current = next;
      }
    } catch (error) {
      if (deadline.signal.aborted && !options.signal?.aborted) {
        throw new APITimeoutError(
          `Run ${start.run_id} was still ${current.status ?? "unfinished"} after ${options.timeoutMs} ms.`,
        );
      }
      if (options.signal?.aborted && !(error instanceof APIUserAbortError))
        throw new APIUserAbortError(undefined, { cause: options.signal.reason });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #resolvePollUrl(pollUrl: string | undefined): string | undefined {
    if (!pollUrl) return undefined;
    try {
      return new URL(pollUrl, `${this.baseUrl}/`).href;
    } catch {
      return undefined;
    }
  }

  async *#stream(
    techniqueId: string,
    body: StreamRunBody,
    options: CreateAndWaitOptions = {},
  ): AsyncGenerator<Run, void, undefined> {
    validateId(techniqueId, "techniqueId");
    const streamBody = { ...body, mode: "stream" } as CreateTechniqueRunBody;
    validateCreateBody(streamBody);
    const sent = await this.#runtime.send(
      operationDescriptors.createTechniqueRun,
      { path: { techniqueId }, body: streamBody },
      options,
    );
    let last: Run | undefined;
    try {
      const { response } = sent;
      if (isEventStream(response) && response.body) {
        try {
          for await (const snapshot of readRunEvents(response.body, options.signal)) {
            last = this.#remember(snapshot, techniqueId);
            yield last;
            if (isTerminal(last)) return;
          }
        } catch (error) {
          if (options.signal?.aborted) throw new APIUserAbortError(undefined, { cause: options.signal.reason });
          // A stream cut after the run started is recoverable by polling it; anything else is not.
          if (error instanceof FloraError || last === undefined) throw asFloraError(error);
        }
        if (last === undefined) throw new StreamParseError("The event stream ended before sending any run snapshot.");
      } else {
        last = this.#remember(await readJsonRun(response), techniqueId);
        yield last;
      }
      for await (const snapshot of this.#poll(
        { ...last, techniqueId },
        { ...options, timeoutMs: options.waitTimeoutMs },
      ))
        yield snapshot;
    } catch (error) {
      if (sent.idempotencyKey !== undefined && error instanceof FloraError) error.idempotencyKey = sent.idempotencyKey;
      throw error;
    }
  }
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
