// Redirects of API requests, handled by hand: loaded only when a 3xx arrives.
import { APIError } from "./errors.js";
import type { FetchLike } from "./fetch.js";

const MAX_REDIRECTS = 5;

/**
 * Follows `first`, a redirect answer to `url`, only within the same origin and only when the request stays as it
 * was (307/308, or any 3xx of a GET/HEAD): a body, an idempotency key or a credential header never reaches
 * another origin, and a POST never silently becomes a GET. Anything else is an APIError naming the redirect.
 */
export async function followWithinOrigin(
  first: Response,
  url: string,
  init: RequestInit,
  fetch: FetchLike,
): Promise<Response> {
  let target = url;
  let response = first;
  for (let hops = 0; ; hops++) {
    if (hops > 0) response = await fetch(target, { ...init, redirect: "manual" });
    // Browsers hide a manual redirect's target and status behind an opaque response.
    if (response.type === "opaqueredirect") throw redirectError(response, target, "to a target the browser hides");
    const location = response.headers.get("location");
    if (response.status < 300 || response.status > 399 || location === null) return response;
    await response.body?.cancel().catch(() => undefined);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      // not quoted: a Location is the server's text and may carry anything
      throw redirectError(response, target, "to a Location that is not a URL");
    }
    if (next.username !== "" || next.password !== "")
      throw redirectError(response, target, "to a URL with credentials");
    if (next.origin !== new URL(target).origin)
      throw redirectError(response, target, `to another origin, ${next.origin}`);
    const method = (init.method ?? "GET").toUpperCase();
    if (response.status !== 307 && response.status !== 308 && method !== "GET" && method !== "HEAD") {
      throw redirectError(response, target, `that would re-send this ${method} as a GET`);
    }
    // what fetch read of a stream is gone, so it refuses to send one twice
    if (init.body instanceof ReadableStream)
      throw redirectError(response, target, "", "the request's body is a stream, which can be sent only once");
    if (hops >= MAX_REDIRECTS) throw redirectError(response, target, `after ${MAX_REDIRECTS} redirects already`);
    target = next.href;
  }
}

function redirectError(
  response: Response,
  url: string,
  what: string,
  why = "API requests never leave the API's origin or change method",
): APIError {
  const headers = Object.fromEntries(response.headers.entries());
  return new APIError(
    response.status,
    undefined,
    headers,
    `Refused to follow the ${response.status} redirect of ${new URL(url).origin}${what && ` ${what}`}: ${why}.`,
  );
}
