/**
 * `flora-sdk/webhooks`: Flora webhook verification on its own, for an endpoint that only receives
 * completion callbacks. Nothing of the client comes with it (no `Flora`, no openapi-fetch, no retries), and
 * it needs only Web Crypto, so it runs in browsers, Node 20+, Deno, Bun and edge runtimes. The functions do
 * what `flora.webhooks.unwrap` does, and throw the same `WebhookVerificationError` and `ValidationError` classes
 * as `flora-sdk`, so `instanceof` holds across the two entries.
 *
 * ```ts
 * import { unwrap, WebhookVerificationError } from "flora-sdk/webhooks";
 * const event = await unwrap(rawBody, request.headers, process.env.FLORA_WEBHOOK_SECRET ?? "");
 * ```
 *
 * @module flora-sdk/webhooks
 */
import { unwrapWebhook, verifyWebhook } from "./runtime/webhooks.js";
import type { FloraWebhookEvent, UnwrapWebhookOptions, WebhookBody, WebhookHeaders } from "./runtime/webhooks.js";

export { ValidationError, WebhookVerificationError } from "./runtime/errors.js";
export { signWebhookPayload } from "./runtime/webhook-signature.js";
export type { FloraWebhookEvent, UnwrapWebhookOptions, WebhookBody, WebhookHeaders } from "./runtime/webhooks.js";

/**
 * Verifies a Flora webhook delivery and returns its event, as `flora.webhooks.unwrap` does.
 *
 * `rawBody` is the body exactly as received (string, `Uint8Array` or `ArrayBuffer`; re-serialized JSON fails).
 * `headers` is a `Headers`, a plain object in any key case (Node's `req.headers`) or the raw header block;
 * `secret` is the endpoint's `whsec_…` signing secret. Checked in this order: `Flora-Signature`'s shape
 * (`t=<unix s>,v1=<hex>`, up to 8 `v1` accepted, e.g. during secret rotation); its timestamp, at most
 * `toleranceSeconds` (default 300, 0 to 31_536_000) from `now` (default `Date.now()`; a number is unix ms)
 * either way; the body's size, at most `maxBodyBytes` (default 1_048_576); then HMAC-SHA256 over
 * `${t}.${rawBody}` in constant time. The body must be a JSON object with string `id` and `type` and an object
 * `data` (a leading BOM is ignored). The event has no outputs: fetch the run with `retrieve` for them.
 *
 * Rejects with `WebhookVerificationError` naming the check that failed (never quoting the secret or the
 * body), or `ValidationError` for an option out of range.
 */
export const unwrap: <TEvent = FloraWebhookEvent>(
  rawBody: WebhookBody,
  headers: WebhookHeaders,
  secret: string,
  options?: UnwrapWebhookOptions,
) => Promise<TEvent> = unwrapWebhook;

/**
 * Checks the signature and timestamp of a delivery as {@link unwrap} does, without parsing the body:
 * resolves with nothing when the delivery is authentic and fresh, rejects as {@link unwrap} does otherwise.
 */
export async function verify(
  rawBody: WebhookBody,
  headers: WebhookHeaders,
  secret: string,
  options?: UnwrapWebhookOptions,
): Promise<void> {
  await verifyWebhook(rawBody, headers, secret, options);
}
