// The fetch handed to openapi-fetch: per-attempt timeouts and retries, which its middleware cannot do
// (it can't re-send a request). One instance per logical call, so every retry re-sends the same
// request, idempotency key included.
import { APIConnectionError, APITimeoutError, APIUserAbortError } from "./errors.js";
import type { Logger } from "./log.js";
import { retryDelayMs, shouldRetry } from "./retry.js";
import type { Sleep } from "./sleep.js";

export type FetchLike = (input: Request) => Promise<Response>;

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
  sleep: Sleep;
  random?: () => number;
  logger: Logger;
}

type AttemptOutcome = { response: Response } | { failure: APIConnectionError };

export function createRetryingFetch(policy: AttemptPolicy): FetchLike {
  return async (request) => {
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const attempts = (policy.retrySafe ? Math.max(0, policy.maxRetries) : 0) + 1;
    for (let attempt = 1; ; attempt++) {
      policy.logger.debug(`${request.method} ${request.url} (attempt ${attempt} of ${attempts})`);
      const outcome = await attemptOnce(request, body, policy);
      const isLast = attempt >= attempts;
      if ("failure" in outcome) {
        if (isLast) throw outcome.failure;
      } else if (isLast || !shouldRetry(outcome.response)) {
        return outcome.response;
      }
      const headers = "response" in outcome ? outcome.response.headers : undefined;
      const delay = retryDelayMs(attempt - 1, headers, policy.random);
      const reason = "response" in outcome ? `status ${outcome.response.status}` : outcome.failure.message;
      policy.logger.info(`retrying ${request.method} ${request.url} in ${delay} ms after ${reason}`);
      await policy.sleep(delay, policy.signal);
    }
  };
}

async function attemptOnce(request: Request, body: ArrayBuffer | undefined, policy: AttemptPolicy): Promise<AttemptOutcome> {
  if (policy.signal?.aborted) throw new APIUserAbortError(undefined, { cause: policy.signal.reason });
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), policy.timeoutMs);
  const signal = policy.signal ? AbortSignal.any([policy.signal, timeout.signal]) : timeout.signal;
  const fetchImpl = policy.fetch;
  try {
    const attemptRequest = new Request(request.url, {
      method: request.method,
      headers: request.headers,
      body,
      redirect: request.redirect,
      signal,
    });
    return { response: await bufferUnlessStreaming(await fetchImpl(attemptRequest)) };
  } catch (error) {
    if (policy.signal?.aborted) throw new APIUserAbortError(undefined, { cause: policy.signal.reason });
    if (timeout.signal.aborted) return { failure: new APITimeoutError(`Request timed out after ${policy.timeoutMs} ms.`) };
    return { failure: new APIConnectionError(`Connection error: ${describeNetworkError(error)}`, { cause: error }) };
  } finally {
    clearTimeout(timer);
  }
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Reads the whole body inside the attempt, so a connection cut mid-body is a retryable failure
 * rather than an error after the call "succeeded". Event streams pass through untouched.
 */
async function bufferUnlessStreaming(response: Response): Promise<Response> {
  if (response.headers.get("content-type")?.includes("text/event-stream")) return response;
  const bytes = await response.arrayBuffer();
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  return new Response(NULL_BODY_STATUSES.has(response.status) ? null : bytes, init);
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}
