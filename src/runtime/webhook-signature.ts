// Flora's webhook signature (HMAC-SHA256 over `${t}.${rawBody}`) with Web Crypto only; shared by signing and
// verification, and small, so the main entry can export signWebhookPayload without the verifier.
import { SDKError } from "./errors.js";

export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** Shared with the verifier, so a bundle holds one encoder. */
export const utf8 = new TextEncoder();

/** Signs a payload the way Flora does and returns the `Flora-Signature` header value, e.g. for tests. */
export async function signWebhookPayload(
  rawBody: WebhookBody,
  secret: string,
  timestampSeconds: number,
): Promise<string> {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new SDKError("Missing webhook secret: pass the whsec_… signing secret.");
  }
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new SDKError(
      `timestampSeconds must be a non-negative whole number of unix seconds, got ${timestampSeconds}.`,
    );
  }
  const payload = await signedPayload(timestampSeconds, toBytes(rawBody));
  const digest = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), payload));
  return `t=${timestampSeconds},v1=${Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The body's bytes: a string as UTF-8, any other view's bytes (a DataView or Uint16Array too, not its elements) or an
 * ArrayBuffer's, copied (so never a view of a SharedArrayBuffer, which Blob may refuse).
 */
export function toBytes(body: WebhookBody): Uint8Array<ArrayBuffer> {
  if (typeof body === "string") return utf8.encode(body);
  // anything else (null, an object: plain JavaScript may pass one) is no bytes, which no signature matches
  const view = body as Partial<ArrayBufferView> | null;
  return new Uint8Array(view?.buffer ?? (body as ArrayBuffer), view?.byteOffset, view?.byteLength).slice();
}

/** `${t}.${rawBody}` as bytes (Blob joins the two), so a binary body is signed exactly as received. */
export const signedPayload = (timestamp: number, body: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> =>
  new Blob([`${timestamp}.`, body]).arrayBuffer();

/** The secret's UTF-8 bytes as an HMAC-SHA256 key for Web Crypto. */
export const hmacKey = (secret: string, usage: "sign" | "verify"): Promise<CryptoKey> =>
  crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
