// Retry policy and backoff: which responses to retry, and how long to wait before the next attempt.

const INITIAL_DELAY_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A server-requested wait longer than this is shortened to it. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Whether a response is worth another attempt; for a non-2xx, `x-should-retry` from the server wins. */
export function shouldRetry(response: Pick<Response, "status" | "headers">): boolean {
  // an answer that succeeded is never thrown away, whatever the header says
  if (response.status >= 200 && response.status < 300) return false;
  const hint = response.headers.get("x-should-retry");
  if (hint === "true") return true;
  if (hint === "false") return false;
  return response.status === 408 || response.status === 429 || response.status >= 500;
}

/** The wait a server asked for via `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date; capped. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = parseNonNegative(headers.get("retry-after-ms"));
  if (ms !== undefined) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  const seconds = parseNonNegative(value);
  if (seconds !== undefined) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(date - now, 0), MAX_RETRY_AFTER_MS);
}

/**
 * Delay before retry number `retry` (0 for the first retry), in ms: 0.5 s doubling to an 8 s cap, minus up to
 * 25% jitter so clients do not retry in lockstep; a longer Retry-After wins, a shorter one (0, negative, a
 * date in the past) never shortens it.
 */
export function retryDelayMs(
  retry: number,
  headers?: Headers,
  random: () => number = Math.random,
  now = Date.now(),
): number {
  const backoff = Math.round(Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_BACKOFF_MS) * (1 - random() * 0.25));
  return Math.max(retryAfterMs(headers, now) ?? 0, backoff);
}

function parseNonNegative(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}
