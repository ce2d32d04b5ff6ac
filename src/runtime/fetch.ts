// The fetch handed to openapi-fetch: per-attempt timeouts and retries, which its middleware cannot do
// (it can't re-send a request). One instance per logical call, so every retry re-sends the same
// request, idempotency key included.
import { APIConnectionError, APITimeoutError, APIUserAbortError } from "./errors.js";
import type { Logger } from "./log.js";
import { retryDelayMs, shouldRetry } from "./retry.js";
import type { Sleep } from "./sleep.js";

/** The standard fetch signature; `globalThis.fetch` fits. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface AttemptPolicy {
  fetch: FetchLike;
  /** Retries after the first attempt; ignored (no retries) unless `retrySafe`. */
  maxRetries: number;
  /** Per attempt: covers connecting, the headers and, for non-streaming responses, the whole body. */
  timeoutMs: number;
  /** The caller's signal: its abort is final, never retried. */
  signal?: AbortSignal;
  /** False for a POST/PATCH without an idempotency key: re-sending it could act twice. */
  retrySafe: boolean;
  /** The serialized body, re-sent as is by every attempt; read from the request when absent. */
  body?: BodyInit;
  sleep: Sleep;
  random?: () => number;
  logger: Logger;
}

/** A failed attempt is returned, not thrown, so the loop can decide to retry it. */
type AttemptOutcome = Response | APIConnectionError;

/** A 2xx body read inside its attempt; for a JSON content type, also its parsed value. */
export interface BufferedBody {
  bytes: ArrayBuffer;
  text?: string;
  json?: { value: unknown } | "malformed";
}

/** Bodies of 2xx responses already read inside their attempt; the Response itself is then spent. */
const bufferedBodies = new WeakMap<Response, BufferedBody>();

/** The body of a successful response that the retrying fetch already read, if it did. */
export function bufferedBody(response: Response): BufferedBody | undefined {
  return bufferedBodies.get(response);
}

export function createRetryingFetch(policy: AttemptPolicy): (request: Request) => Promise<Response> {
  return async (request) => {
    const body = policy.body ?? (request.body === null ? undefined : await request.arrayBuffer());
    const init = attemptInit(request, body);
    const attempts = (policy.retrySafe ? Math.max(0, policy.maxRetries) : 0) + 1;
    for (let attempt = 1; ; attempt++) {
      policy.logger.debug(`${request.method} ${request.url} (attempt ${attempt} of ${attempts})`);
      const outcome = await attemptOnce(request.url, init, policy);
      const failed = outcome instanceof APIConnectionError;
      if (attempt >= attempts || !(failed || shouldRetry(outcome) || isMalformedJson(outcome))) {
        if (failed) throw outcome;
        return outcome;
      }
      const delay = retryDelayMs(attempt - 1, failed ? undefined : outcome.headers, policy.random);
      const reason = failed ? outcome.message : describeRetriedResponse(outcome);
      policy.logger.info(`retrying ${request.method} ${request.url} in ${delay} ms after ${reason}`);
      await policy.sleep(delay, policy.signal);
    }
  };
}

function attemptInit(request: Request, body: BodyInit | undefined): RequestInit {
  let headers = request.headers;
  if (body instanceof FormData) {
    // each send encodes the form with a fresh boundary, which fetch writes into Content-Type itself
    headers = new Headers(headers);
    headers.delete("content-type");
  }
  return { method: request.method, headers, body, redirect: request.redirect };
}

async function attemptOnce(url: string, init: RequestInit, policy: AttemptPolicy): Promise<AttemptOutcome> {
  const caller = policy.signal;
  if (caller?.aborted) throw new APIUserAbortError(undefined, { cause: caller.reason });
  // Linked by hand: AbortSignal.any costs far more than a listener on the hot path.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
  const onCallerAbort = () => controller.abort(caller?.reason);
  caller?.addEventListener("abort", onCallerAbort, { once: true });
  let streaming = false;
  try {
    const response = await policy.fetch(url, { ...init, signal: controller.signal });
    streaming = isEventStream(response);
    return streaming ? response : await readWhole(response);
  } catch (error) {
    if (caller?.aborted) throw new APIUserAbortError(undefined, { cause: caller.reason });
    if (controller.signal.aborted) return new APITimeoutError(`Request timed out after ${policy.timeoutMs} ms.`);
    return new APIConnectionError(`Connection error: ${describeNetworkError(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
    // an event stream stays linked so the caller's abort still ends it
    if (!streaming) caller?.removeEventListener("abort", onCallerAbort);
  }
}

export function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.includes("text/event-stream") ?? false;
}

/**
 * Reads the whole body inside the attempt, so a connection cut mid-body (or a 2xx JSON body cut
 * short) is a retryable failure rather than an error after the call "succeeded". A 2xx keeps its
 * (now spent) Response and its body goes to `bufferedBody`; an error response is rebuilt, since
 * openapi-fetch reads it again.
 */
async function readWhole(response: Response): Promise<Response> {
  const bytes = await response.arrayBuffer();
  if (response.ok) {
    const body: BufferedBody = { bytes };
    if (response.headers.get("content-type")?.includes("json")) {
      body.text = utf8.decode(bytes);
      body.json = parseJson(body.text);
    }
    bufferedBodies.set(response, body);
    return response;
  }
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  // statuses whose Response may not have a body
  return new Response([101, 103, 204, 205, 304].includes(response.status) ? null : bytes, init);
}

const utf8 = new TextDecoder();

/** Blank text is no value; anything else must parse. */
export function parseJson(text: string): NonNullable<BufferedBody["json"]> {
  if (text.trim() === "") return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return "malformed";
  }
}

function isMalformedJson(response: Response): boolean {
  return bufferedBodies.get(response)?.json === "malformed";
}

function describeRetriedResponse(response: Response): string {
  return isMalformedJson(response) ? `a malformed JSON body (status ${response.status})` : `status ${response.status}`;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
