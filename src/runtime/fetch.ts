// The fetch that sends each request the runtime writes (client.ts): per-attempt timeouts and retries, which
// openapi-fetch's middleware cannot do (it can't re-send a request). One instance per logical call, so every retry
// re-sends the same request, idempotency key included.
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  SDKError,
  MalformedResponseError,
  describeNetworkError,
} from "./errors.js";
import { onAbort } from "./abort.js";
import type { Logger } from "./log.js";
import { retryDelayMs, shouldRetry } from "./retry.js";
import type { Sleep } from "./sleep.js";

/** The standard fetch signature; `globalThis.fetch` fits. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface AttemptPolicy {
  fetch: FetchLike;
  /** Retries after the first attempt; ignored (no retries) unless `retrySafe`, and for a stream body (sent once). */
  maxRetries: number;
  /** Per attempt: covers connecting, the headers and, for non-streaming responses, the whole body. */
  timeoutMs: number;
  /** The caller's signal: its abort is final, never retried. */
  signal?: AbortSignal;
  /** False for a POST/PATCH without an idempotency key: re-sending it could act twice. */
  retrySafe: boolean;
  /**
   * The serialized body, re-sent as is by every attempt (read from the request when absent); or a stream's
   * `StreamBody` (serialize.ts's `streamBody`), which is sent by one attempt only: the call is never retried.
   */
  body?: BodyInit | StreamBody;
  sleep: Sleep;
  random?: () => number;
  logger: Logger;
  /** Removes secrets from response text before anything reads it (a server may echo the key). */
  redact?: (text: string) => string;
  /**
   * Before each attempt: the URL and init to send instead, with credentials added (to copies: never in place).
   * Inside the attempt's time: `signal` aborts on its timeout or the caller's abort, and it must then reject.
   */
  authorize?: (url: string, init: RequestInit, signal: AbortSignal) => Promise<[string, RequestInit]>;
  /** Once per logical call, before its first attempt: sets (or strips) the fixed credentials on the request's headers. */
  credentials?: (url: string, headers: Headers) => void;
}

/** A failed attempt is returned, not thrown, so the loop can decide to retry it. */
export type AttemptOutcome = Response | APIConnectionError;

/**
 * A request body that can be sent only once (a ReadableStream; serialize.ts's `streamBody`): given the call's init
 * and `attempt`, it makes the call's one attempt with the body added (`duplex: "half"`) and resolves with its
 * outcome, or rejects as the attempt did; the call is never retried. `retried` says whether a failed attempt would
 * otherwise have been retried: a connection error's message then says why it was not.
 */
export type StreamBody = (
  init: RequestInit,
  attempt: (init: RequestInit) => Promise<AttemptOutcome>,
  retried: boolean,
) => Promise<AttemptOutcome>;

/** A 2xx body read inside its attempt; for a JSON content type, also its parsed value. */
export interface BufferedBody {
  bytes: ArrayBuffer;
  text?: string;
  json?: { value: unknown } | "malformed";
}

/**
 * Where a 2xx response read inside its attempt keeps its body; the Response itself is then spent. A property of
 * the response, not a WeakMap entry: every call makes one, and weak entries cost the garbage collector more.
 */
const BUFFERED = Symbol("bufferedBody");

/** The body of a successful response that the retrying fetch already read, if it did. */
export function bufferedBody(response: Response): BufferedBody | undefined {
  return (response as Response & { [BUFFERED]?: BufferedBody })[BUFFERED];
}

/** A response's body as text: what the retrying fetch read inside its attempt, else read now. */
export async function bodyText(response: Response): Promise<string> {
  const buffered = bufferedBody(response);
  return buffered === undefined ? response.text() : (buffered.text ?? utf8.decode(buffered.bytes));
}

export function createRetryingFetch(policy: AttemptPolicy): (request: Request) => Promise<Response> {
  return async (request) => {
    // Request's url getter serializes the URL on each read
    const { url, method } = request;
    policy.credentials?.(url, request.headers);
    const body = policy.body ?? (request.body === null ? undefined : await request.arrayBuffer());
    const init = attemptInit(request, body);
    const retries = policy.retrySafe ? Math.max(0, policy.maxRetries) : 0;
    // a stream body is sent once: one attempt
    const attempts = typeof body === "function" ? 1 : retries + 1;
    for (let attempt = 1; ; attempt++) {
      policy.logger.debug(`${method} ${url} (attempt ${attempt} of ${attempts})`);
      const outcome = await (typeof body === "function"
        ? body(init, (sent) => attemptOnce(url, sent, policy), retries > 0)
        : attemptOnce(url, init, policy));
      const failed = outcome instanceof APIConnectionError;
      if (attempt >= attempts || !(failed || shouldRetry(outcome) || isMalformedJson(outcome))) {
        if (failed) throw outcome;
        return outcome;
      }
      const delay = retryDelayMs(attempt - 1, failed ? undefined : outcome.headers, policy.random);
      const reason = failed ? outcome.message : describeRetriedResponse(outcome);
      policy.logger.info(`retrying ${method} ${url} in ${delay} ms after ${reason}`);
      await policy.sleep(delay, policy.signal);
    }
  };
}

function attemptInit(request: Request, body: AttemptPolicy["body"]): RequestInit {
  let headers = request.headers;
  if (body instanceof FormData) {
    // each send encodes the form with a fresh boundary, which fetch writes into Content-Type itself
    headers = new Headers(headers);
    headers.delete("content-type");
  }
  // manual: a body, an idempotency key or a credential header never follows a redirect on its own
  return { method: request.method, headers, body: body as BodyInit, redirect: "manual" };
}

async function attemptOnce(url: string, init: RequestInit, policy: AttemptPolicy): Promise<AttemptOutcome> {
  const caller = policy.signal;
  if (caller?.aborted) throw new APIUserAbortError(undefined, { cause: caller.reason });
  // Linked by hand: AbortSignal.any costs far more than a listener on the hot path, and on Node 20 it
  // keeps every combined signal alive as long as the caller's.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
  const unlink = onAbort(caller, () => controller.abort(caller?.reason));
  let handedOver = false;
  let response: Response | undefined;
  try {
    // fresh credentials for every attempt, within its timeout: a token provider is asked again each time
    if (policy.authorize) [url, init] = await policy.authorize(url, init, controller.signal);
    const sent = { ...init, signal: controller.signal };
    response = await policy.fetch(url, sent);
    if (isRedirect(response)) {
      // loaded only when a redirect arrives
      const { followWithinOrigin } = await import("./redirect.js");
      response = await followWithinOrigin(response, url, sent, policy.fetch);
    }
    const contentType = response.headers.get("content-type")?.toLowerCase() ?? "";
    // Only a successful event stream is handed on unread; an error answer is read whole, timed and capped.
    if (response.ok && contentType.includes("text/event-stream") && response.body) {
      clearTimeout(timer);
      // loaded with the first event stream, together with the reader that parses it (one chunk, not two):
      // clients that never stream never bundle either
      const { idleTimedStream } = await import("./sse.js");
      handedOver = true;
      return idleTimedStream(response, controller, policy, unlink);
    }
    return await readWhole(response, contentType, policy.redact);
  } catch (error) {
    // a body nobody will read must not hold its socket (and the process) open
    await response?.body?.cancel().catch(() => undefined);
    if (caller?.aborted) throw new APIUserAbortError(undefined, { cause: caller.reason });
    if (error instanceof SDKError) throw error;
    if (controller.signal.aborted) return new APITimeoutError(`Request timed out after ${policy.timeoutMs} ms.`);
    return new APIConnectionError(`Connection error: ${describeNetworkError(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
    if (!handedOver) unlink();
  }
}

/** A redirect answer, handed to `followWithinOrigin`: the request was sent with `redirect: "manual"`. */
function isRedirect(response: Response): boolean {
  return (
    response.type === "opaqueredirect" ||
    (response.status >= 300 && response.status <= 399 && response.headers.has("location"))
  );
}

export function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.toLowerCase().includes("text/event-stream") ?? false;
}

/** The largest response body read into memory: 64 MiB, counted after decompression. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads a body whole, failing past MAX_BODY_BYTES (a compressed body can expand a thousandfold). */
async function readCapped(response: Response): Promise<ArrayBuffer> {
  if (!response.body) return new ArrayBuffer(0);
  // An uncompressed body that declares its length is read in one go: the length is what arrives.
  const length = Number(response.headers.get("content-length") ?? NaN);
  if (!response.headers.has("content-encoding") && length <= MAX_BODY_BYTES) return response.arrayBuffer();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      const headers = Object.fromEntries(response.headers.entries());
      throw new MalformedResponseError(response.status, headers, "", `is larger than ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(value);
  }
  // one chunk that fills its buffer (a small body's usual case) needs no copy
  const [only] = chunks;
  if (chunks.length === 1 && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength)
    return only.buffer as ArrayBuffer;
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes.buffer;
}

/**
 * Reads the whole body inside the attempt, so a connection cut mid-body (or a 2xx JSON body cut
 * short) is a retryable failure rather than an error after the call "succeeded". A 2xx keeps its
 * (now spent) Response and its body goes to `bufferedBody`; an error response is rebuilt, since
 * the runtime reads it again as openapi-fetch would.
 */
async function readWhole(
  response: Response,
  contentType: string,
  redact: ((text: string) => string) | undefined,
): Promise<Response> {
  const bytes = await readCapped(response);
  if (response.ok) {
    // a 2xx body reaches the caller as sent: it is redacted only where it enters an error
    const text = contentType.includes("json") || contentType.startsWith("text/") ? utf8.decode(bytes) : undefined;
    const body: BufferedBody = { bytes, text };
    if (contentType.includes("json")) body.json = parseJson(text ?? "");
    Object.defineProperty(response, BUFFERED, { value: body });
    return response;
  }
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  // statuses whose Response may not have a body; an error's text is redacted whole, before any parse or snippet
  // could cut a secret in two
  const bodyless = [101, 103, 204, 205, 304].includes(response.status);
  return new Response(bodyless ? null : redact ? redact(utf8.decode(bytes)) : bytes, init);
}

const utf8 = new TextDecoder();

/** Blank text is no value; anything else must parse. */
export function parseJson(text: string): NonNullable<BufferedBody["json"]> {
  // not trim(): that copies the whole text
  if (!/\S/.test(text)) return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return "malformed";
  }
}

function isMalformedJson(response: Response): boolean {
  return bufferedBody(response)?.json === "malformed";
}

function describeRetriedResponse(response: Response): string {
  return isMalformedJson(response) ? `a malformed JSON body (status ${response.status})` : `status ${response.status}`;
}
