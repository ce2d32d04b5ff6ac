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
  const signature = await hmacSha256Hex(secret, signedPayload(timestampSeconds, toBytes(rawBody)));
  return `t=${timestampSeconds},v1=${signature}`;
}

export function toBytes(body: WebhookBody): Uint8Array {
  if (typeof body === "string") return utf8.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

/** `${t}.${rawBody}` as bytes, so a binary body is signed exactly as received. */
export function signedPayload(timestamp: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = utf8.encode(`${timestamp}.`);
  const payload = new Uint8Array(prefix.length + body.length);
  payload.set(prefix, 0);
  payload.set(body, prefix.length);
  return payload;
}

export async function hmacSha256Hex(secret: string, payload: Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await globalThis.crypto.subtle.importKey(
    "raw",
    utf8.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const digest = new Uint8Array(await globalThis.crypto.subtle.sign("HMAC", key, payload));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
