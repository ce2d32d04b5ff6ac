// Verifies Flora completion callbacks (`Flora-Signature`) with Web Crypto only, so it bundles for browsers and edge runtimes.
import { checkNumber, describe, invalid, isRecord, maskWebhookSecrets } from "./check.js";
import { WebhookVerificationError } from "./errors.js";
import { hmacKey, signedPayload, toBytes, type WebhookBody } from "./webhook-signature.js";

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
  /** The largest body accepted, in bytes (UTF-8 for a string), 0 to 2_147_483_647. Default 1_048_576 (1 MiB). */
  maxBodyBytes?: number;
}

const SIGNATURE = "Flora-Signature";
/** Lower case, as `Headers` and Node store names. */
const HEADER = "flora-signature";
const TIMESTAMP = `${SIGNATURE} timestamp`;
/** `v1` values accepted at most (each costs an HMAC of the body): rotation needs two; more is a header built to waste time. */
const MAX_SIGNATURES = 8;

/**
 * Verifies a Flora webhook delivery against its raw body and returns the parsed event.
 * Throws `WebhookVerificationError` with a message naming what failed; the secret never appears in it.
 */
export async function unwrapWebhook<TEvent = FloraWebhookEvent>(
  rawBody: WebhookBody,
  headers: WebhookHeaders,
  secret: string,
  options?: UnwrapWebhookOptions,
  /** Further strings never to quote in an error, e.g. the API key; masked before any text is cut short. */
  alsoMask?: readonly string[],
): Promise<TEvent> {
  return parseEvent(await verifyWebhook(rawBody, headers, secret, options, alsoMask)) as TEvent;
}

/**
 * Checks, cheapest first, the `Flora-Signature` header's shape (at most 8 `v1` values), its timestamp against
 * `toleranceSeconds`, the body's size against `maxBodyBytes`, and only then the HMAC-SHA256 over
 * `${t}.${rawBody}` (every `v1` value of 64 hex digits verified by Web Crypto, which compares in constant time;
 * any other is a non-match); resolves with the body's bytes, unparsed.
 * Throws `WebhookVerificationError` naming what failed, or `ValidationError` for a bad option.
 */
export async function verifyWebhook(
  rawBody: WebhookBody,
  headers: WebhookHeaders,
  secret: string,
  options: UnwrapWebhookOptions = {},
  alsoMask: readonly string[] = [],
): Promise<Uint8Array> {
  // written out rather than checkType, the only use of it here: the endpoint bundle is smaller without it
  if (!isRecord(options)) throw invalid("options", `must be an object; got ${describe(options)}.`);
  const tolerance = checkNumber(options.toleranceSeconds, "toleranceSeconds", { min: 0, max: 31_536_000 }) ?? 300;
  // Flora's events carry ids and a status, never outputs: a few kB at most
  const limit = checkNumber(options.maxBodyBytes, "maxBodyBytes", { min: 0, max: 2_147_483_647 }) ?? 1_048_576;
  const now =
    checkNumber(options.now instanceof Date ? options.now.getTime() : options.now, "now", { min: 0, max: 8.64e15 }) ??
    Date.now();
  if (typeof secret !== "string" || secret === "") {
    fail("Missing webhook secret: pass the endpoint's whsec_… signing secret.");
  }
  const headerValue = readHeader(headers).trim();
  if (!headerValue) fail(`Missing ${SIGNATURE} header.`);
  const [timestamp, signatures] = parseSignatureHeader(headerValue, [secret, ...alsoMask].filter(Boolean));

  // before the HMAC, as it needs no secret: a stale replay or an oversized body costs no hashing
  const ageSeconds = Math.floor(now / 1000) - timestamp;
  if (ageSeconds > tolerance) fail(`${TIMESTAMP} is too old: signed ${ageSeconds} s ago, tolerance is ${tolerance} s.`);
  if (-ageSeconds > tolerance) {
    fail(`${TIMESTAMP} is in the future: ${-ageSeconds} s ahead of now, tolerance is ${tolerance} s.`);
  }
  // a string's UTF-8 is never shorter than its length, so limit + 1 characters of a huge one tell it is too large
  const body = toBytes(typeof rawBody === "string" ? rawBody.slice(0, limit + 1) : rawBody);
  if (body.length > limit) fail(`Webhook body is larger than maxBodyBytes (${limit} bytes).`);
  const key = await hmacKey(secret, "verify");
  const payload = await signedPayload(timestamp, body);
  let matched = false;
  for (const candidate of signatures) {
    // Every candidate is verified, and Web Crypto compares in constant time, so the time taken does not say which
    // one matched. One that is not 64 hex digits can match nothing: it is a non-match, not an error, so a value in a
    // form this SDK does not know, beside a good one, does not fail the delivery (nor costs an HMAC).
    const bytes =
      /^[\da-f]{64}$/i.test(candidate) && Uint8Array.from(candidate.match(/../g)!, (hex) => parseInt(hex, 16));
    matched = (bytes && (await crypto.subtle.verify("HMAC", key, bytes, payload))) || matched;
  }
  if (!matched) {
    fail(
      `No ${SIGNATURE} v1 signature matched the body (${signatures.length} checked): check the secret, and pass the raw body, not re-serialized JSON.`,
    );
  }
  return body;
}

function fail(message: string): never {
  throw new WebhookVerificationError(message);
}

/**
 * The `Flora-Signature` value: headers are found by case-insensitive name, and repeated ones joined with ","
 * as HTTP allows. A string is the raw header block, whose lines without a colon (a request line) are skipped.
 */
function readHeader(headers: WebhookHeaders): string {
  // Duck-typed so Headers from another realm or a fetch polyfill work too; what its `get` answers is read as text
  if (typeof (headers as Headers | null)?.get === "function") return `${(headers as Headers).get(HEADER) ?? ""}`;
  const values: Array<string | string[] | undefined> = [];
  if (typeof headers === "string") {
    for (const line of headers.split("\n")) {
      const colon = line.indexOf(":");
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === HEADER) values.push(line.slice(colon + 1));
    }
  } else {
    for (const [name, value] of Object.entries(headers ?? {})) {
      // an undefined value joins as "", a part the parser skips
      if (name.toLowerCase() === HEADER) values.push(value);
    }
  }
  // "" when absent, which the caller takes for a missing header
  return values.flat().join(",");
}

type SignatureHeader = [timestamp: number, signatures: string[]];

/** Parses `t=<unix seconds>,v1=<hex>[,v1=<hex>…]` (8 `v1` at most); unknown schemes such as `v0` are ignored. */
function parseSignatureHeader(value: string, masks: readonly string[]): SignatureHeader {
  const malformed = `Malformed ${SIGNATURE} header:`;
  let rawTimestamp: string | undefined;
  const signatures: string[] = [];
  for (const [index, rawPart] of value.split(",").entries()) {
    const part = rawPart.trim();
    if (!part) continue;
    const equals = part.indexOf("=");
    if (equals <= 0) fail(`${malformed} part ${index + 1} (${quote(part, masks)}) is not a key=value pair.`);
    const key = part.slice(0, equals).trim();
    const partValue = part.slice(equals + 1).trim();
    if (key === "t") {
      if (rawTimestamp !== undefined) fail(`${malformed} more than one t= timestamp.`);
      rawTimestamp = partValue;
    } else if (key === "v1" && signatures.push(partValue) > MAX_SIGNATURES) {
      fail(`${malformed} more than ${MAX_SIGNATURES} v1 signatures.`);
    }
  }
  if (rawTimestamp === undefined) fail(`${malformed} no t= timestamp.`);
  if (!signatures.length) fail(`${malformed} no v1 signature.`);
  // at most 15 digits: a safe integer (unix seconds have 10 until the year 2286)
  if (!/^\d{1,15}$/.test(rawTimestamp)) {
    fail(`${TIMESTAMP} is not a whole number of up to 15 digits: ${quote(rawTimestamp, masks)}.`);
  }
  return [Number(rawTimestamp), signatures];
}

/**
 * Quotes header text for a message, cut to 40 characters once the secrets, and anything shaped like a Flora
 * secret, are masked: a misplaced secret must not leak into logs.
 */
function quote(text: string, masks: readonly string[]): string {
  for (const mask of masks) text = text.replaceAll(mask, "<secret>");
  text = maskWebhookSecrets(text);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function parseEvent(body: Uint8Array): FloraWebhookEvent {
  let event: unknown;
  try {
    // from the bytes for every body kind, so a leading BOM (which the decoder drops) is accepted alike
    event = JSON.parse(new TextDecoder().decode(body));
  } catch {
    // V8's message quotes the body, which is the sender's and may hold anything
    fail("Webhook body is not JSON.");
  }
  // what an event must have: string `id` and `type`, an object `data`
  const record = isRecord(event) ? event : {};
  const missing = ["id", "type"].filter((field) => typeof record[field] !== "string");
  if (!isRecord(record.data)) missing.push("data");
  if (missing.length) fail(`Webhook body is not a Flora event: missing or invalid ${missing.join(", ")}.`);
  return event as FloraWebhookEvent;
}
