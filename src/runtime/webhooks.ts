// Verifies Flora completion callbacks (`Flora-Signature`) with Web Crypto only, so it bundles for browsers and edge runtimes.
import { checkNumber } from "./check.js";
import { WebhookVerificationError } from "./errors.js";
import { hmacSha256Hex, signedPayload, toBytes, utf8, type WebhookBody } from "./webhook-signature.js";

export { signWebhookPayload, type WebhookBody } from "./webhook-signature.js";

/** The body of a Flora completion callback; outputs are not included, so fetch the run for them. */
export interface FloraWebhookEvent {
  /** Delivery id, `whd_…`. */
  id: string;
  type: "run.completed" | "run.failed";
  /** e.g. `2026-06-11`. */
  api_version: string;
  /** Unix milliseconds. */
  created_at: number;
  data: {
    run_id: string;
    run_type: "generation" | "technique";
    workspace_id: string;
    status: "completed" | "failed";
    error_code?: string;
    error_message?: string;
  };
}

/** A `Headers`, a plain (e.g. Node `IncomingHttpHeaders`) object in any key case, or the raw `Name: value` header block. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined> | string;

export interface UnwrapWebhookOptions {
  /** Maximum distance in seconds between the signed timestamp and now, in either direction, 0 to 31_536_000. Default 300. */
  toleranceSeconds?: number;
  /** The current time; a number is unix milliseconds. Default `Date.now()`. */
  now?: number | Date;
}

const SIGNATURE_HEADER = "flora-signature";
const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Verifies a Flora webhook delivery against its raw body and returns the parsed event.
 * Throws `WebhookVerificationError` with a message naming what failed; the secret never appears in it.
 */
export async function unwrapWebhook<TEvent = FloraWebhookEvent>(
  rawBody: WebhookBody,
  headers: WebhookHeaders,
  secret: string,
  options: UnwrapWebhookOptions = {},
  /** Further strings never to quote in an error, e.g. the API key; masked before any text is cut short. */
  alsoMask: readonly string[] = [],
): Promise<TEvent> {
  const body = await verifyWebhook(rawBody, headers, secret, options, alsoMask);
  return parseEvent(body, rawBody) as TEvent;
}

/**
 * Checks `Flora-Signature` (HMAC-SHA256 over `${t}.${rawBody}`, every `v1` value compared in constant time),
 * then the timestamp against `toleranceSeconds`, and resolves with the body's bytes; nothing is parsed.
 * Throws `WebhookVerificationError` naming what failed, or `ValidationError` for a bad option.
 */
export async function verifyWebhook(
  rawBody: WebhookBody,
  headers: WebhookHeaders,
  secret: string,
  options: UnwrapWebhookOptions = {},
  alsoMask: readonly string[] = [],
): Promise<Uint8Array> {
  checkNumber(options.toleranceSeconds, "toleranceSeconds", { min: 0, max: 31_536_000 });
  checkNumber(options.now instanceof Date ? options.now.getTime() : options.now, "now", { min: 0, max: 8.64e15 });
  if (typeof secret !== "string" || secret.length === 0) {
    throw new WebhookVerificationError("Missing webhook secret: pass the whsec_… signing secret of this endpoint.");
  }
  const headerValue = readHeader(headers, SIGNATURE_HEADER);
  if (headerValue === undefined || headerValue.trim() === "") {
    throw new WebhookVerificationError("Missing Flora-Signature header.");
  }
  const masks = [secret, ...alsoMask].filter((text) => text !== "");
  const { timestamp, signatures } = parseSignatureHeader(headerValue, masks);

  const body = toBytes(rawBody);
  const expected = utf8.encode(await hmacSha256Hex(secret, signedPayload(timestamp, body)));
  let matched = false;
  for (const candidate of signatures) {
    // Evaluate every candidate so the time taken does not say which one matched.
    matched = timingSafeEqual(expected, utf8.encode(candidate.toLowerCase())) || matched;
  }
  if (!matched) {
    throw new WebhookVerificationError(
      `No Flora-Signature v1 signature matched the body (${signatures.length} checked): check the secret, and verify the raw body bytes, not re-serialized JSON.`,
    );
  }

  // Checked after the signature so that a timestamp error means the delivery is authentic but stale or skewed.
  checkTimestamp(timestamp, options);
  return body;
}

/** Finds one header by case-insensitive name; repeated headers are joined with "," as HTTP allows. */
function readHeader(headers: WebhookHeaders, lowerName: string): string | undefined {
  if (headers === null || headers === undefined) return undefined;
  // Duck-typed so Headers from another realm or a fetch polyfill work too.
  if (isHeadersLike(headers)) return headers.get(lowerName) ?? undefined;
  const entries = typeof headers === "string" ? rawHeaderEntries(headers) : Object.entries(headers);
  const values = entries
    .filter(([name, value]) => value !== undefined && name.toLowerCase() === lowerName)
    .flatMap(([, value]) => value as string | string[]);
  return values.length === 0 ? undefined : values.join(",");
}

function isHeadersLike(headers: WebhookHeaders): headers is Headers {
  return typeof (headers as Headers).get === "function";
}

/** The `Name: value` lines of a raw header block; lines without a colon (a request line, blank lines) are not headers. */
function rawHeaderEntries(block: string): Array<[string, string]> {
  return block.split("\n").flatMap((line): Array<[string, string]> => {
    const colon = line.indexOf(":");
    return colon > 0 ? [[line.slice(0, colon).trim(), line.slice(colon + 1).trim()]] : [];
  });
}

interface SignatureHeader {
  timestamp: number;
  signatures: string[];
}

/** Parses `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`; unknown schemes such as `v0` are ignored. */
function parseSignatureHeader(value: string, masks: readonly string[]): SignatureHeader {
  let rawTimestamp: string | undefined;
  const signatures: string[] = [];
  const parts = value.split(",");
  for (const [index, rawPart] of parts.entries()) {
    const part = rawPart.trim();
    if (part === "") continue;
    const equals = part.indexOf("=");
    if (equals <= 0) {
      throw new WebhookVerificationError(
        `Malformed Flora-Signature header: part ${index + 1} (${quoteHeaderText(part, masks)}) is not a key=value pair.`,
      );
    }
    const key = part.slice(0, equals).trim();
    const partValue = part.slice(equals + 1).trim();
    if (key === "t") {
      if (rawTimestamp !== undefined) {
        throw new WebhookVerificationError("Malformed Flora-Signature header: more than one t= timestamp.");
      }
      rawTimestamp = partValue;
    } else if (key === "v1") {
      signatures.push(partValue);
    }
  }
  if (rawTimestamp === undefined) {
    throw new WebhookVerificationError("Malformed Flora-Signature header: no t= timestamp.");
  }
  if (signatures.length === 0) {
    throw new WebhookVerificationError("Flora-Signature header has no v1 signature.");
  }
  const timestamp = Number(rawTimestamp);
  if (!/^\d+$/.test(rawTimestamp) || !Number.isSafeInteger(timestamp)) {
    throw new WebhookVerificationError(
      `Flora-Signature timestamp is not a number of unix seconds: ${quoteHeaderText(rawTimestamp, masks)}.`,
    );
  }
  return { timestamp, signatures };
}

/** Quotes header text for a message; a misplaced secret must not leak into logs. */
function quoteHeaderText(text: string, masks: readonly string[]): string {
  const masked = maskSecret(text, masks);
  return JSON.stringify(masked.length > 40 ? `${masked.slice(0, 40)}…` : masked);
}

/** Masks the secrets, and anything shaped like a Flora secret, in text bound for an error message. */
function maskSecret(text: string, masks: readonly string[]): string {
  let masked = text;
  for (const mask of masks) masked = masked.replaceAll(mask, "<secret>");
  return masked.replace(/whsec_\S*/g, "whsec_…");
}

function checkTimestamp(timestamp: number, options: UnwrapWebhookOptions): void {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const ageSeconds = Math.floor(nowMs / 1000) - timestamp;
  if (ageSeconds > tolerance) {
    throw new WebhookVerificationError(
      `Flora-Signature timestamp is too old: signed ${ageSeconds} s ago, tolerance is ${tolerance} s.`,
    );
  }
  if (-ageSeconds > tolerance) {
    throw new WebhookVerificationError(
      `Flora-Signature timestamp is in the future: ${-ageSeconds} s ahead of now, tolerance is ${tolerance} s.`,
    );
  }
}

function parseEvent(body: Uint8Array, rawBody: WebhookBody): FloraWebhookEvent {
  const text = typeof rawBody === "string" ? rawBody : new TextDecoder().decode(body);
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    // V8's message quotes the body, which is the sender's and may hold anything
    throw new WebhookVerificationError("Webhook body is not JSON.");
  }
  const missing = missingEventFields(event);
  if (missing.length > 0) {
    throw new WebhookVerificationError(`Webhook body is not a Flora event: missing or invalid ${missing.join(", ")}.`);
  }
  return event as FloraWebhookEvent;
}

function missingEventFields(event: unknown): string[] {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return ["id", "type", "data"];
  const record = event as Record<string, unknown>;
  const missing = ["id", "type"].filter((field) => typeof record[field] !== "string");
  if (typeof record.data !== "object" || record.data === null) missing.push("data");
  return missing;
}

/** Compares without an early exit; a length mismatch still walks `expected` so timing does not reveal content. */
function timingSafeEqual(expected: Uint8Array, candidate: Uint8Array): boolean {
  const sameLength = expected.length === candidate.length;
  const other = sameLength ? candidate : expected;
  let difference = sameLength ? 0 : 1;
  for (let i = 0; i < expected.length; i++) difference |= expected[i] ^ other[i];
  return difference === 0;
}
