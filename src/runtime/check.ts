// Checks of caller-supplied options, headers and JSON bodies, run before any request so a bad value never reaches the
// network; and the response-shape check every JSON answer passes.
import { ValidationError } from "./errors.js";
import type { JsonType, ValueShape } from "./types.js";

/** setTimeout's largest delay; a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A ValidationError naming `field`, as its message's first word too: `${field} ${problem}`. */
export const invalid = (field: string, problem: string): ValidationError =>
  new ValidationError(`${field} ${problem}`, field);

export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** Also accept `Infinity` ("no limit"), knowingly passed. */
  infinite?: boolean;
}

/**
 * Returns `value` when it is a number in `range` (or undefined when absent); otherwise throws a
 * ValidationError naming `field`. NaN (as from `Number(process.env.UNSET)`) is never a number here.
 */
export function checkNumber(value: unknown, field: string, range: NumberRange): number | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === "number" &&
    ((range.infinite === true && value === Infinity) ||
      (Number.isFinite(value) &&
        value >= range.min &&
        value <= range.max &&
        (range.integer !== true || Number.isInteger(value))));
  if (ok) return value;
  const kind = range.integer ? "an integer" : "a number";
  const infinite = range.infinite ? " (or Infinity)" : "";
  // not invalid(): a webhook endpoint's bundle needs this check alone
  throw new ValidationError(
    `${field} must be ${kind} from ${range.min} to ${range.max}${infinite}; got ${describe(value)}.`,
    field,
  );
}

/** Throws a ValidationError naming `field` unless `value` is absent or a `type` (an "object" is no array, no null). */
export function checkType(value: unknown, field: string, type: "object" | "function" | "string" | "array"): void {
  if (
    value !== undefined &&
    (type == "array" ? !Array.isArray(value) : typeof value !== type || value === null || Array.isArray(value))
  )
    throw new ValidationError(
      `${field} must be ${/^[ao]/.test(type) ? "an" : "a"} ${type}; got ${describe(value)}.`,
      field,
    );
}

export const RETRIES: NumberRange = { min: 0, max: 100, integer: true };
/** Milliseconds, at least 1 so a poll loop or a timeout can never spin. */
export const MILLISECONDS: NumberRange = { min: 1, max: MAX_TIMER_MS };

/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value as HTTP defines it (RFC 9110 field-value): tab, visible ASCII and obs-text, no controls. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the platform sets itself; one from a caller would corrupt or hijack the request. Any case. */
const FORBIDDEN_HEADER = /^(connection|content-length|expect|host|keep-alive|te|trailer|transfer-encoding|upgrade)$/i;

/** Throws a ValidationError naming the header when fetch would refuse it (and quote the value in its TypeError). */
export function checkHeader(name: string, value: unknown, field: string): void {
  if (!HEADER_NAME.test(name))
    throw new ValidationError(`${field}: ${JSON.stringify(name)} is not a valid header name.`, field);
  if (FORBIDDEN_HEADER.test(name)) {
    throw new ValidationError(`${field}: ${name} is set by the HTTP client itself and cannot be passed.`, field);
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    throw new ValidationError(`${field}: header ${name} must be a string; got ${describe(value)}.`, field);
  }
  if (!HEADER_VALUE.test(String(value))) {
    throw new ValidationError(
      `${field}: header ${name} must be Latin-1 text without control characters such as CR or LF (its value is not shown: it may be a secret).`,
      field,
    );
  }
}

/**
 * Every header of a record (or a `Headers`), returned as a plain record; undefined values are left out.
 * Anything else is a ValidationError naming `field`.
 */
export function checkHeaders(headers: unknown, field: string): Record<string, string> {
  if (headers === undefined) return {};
  const entries =
    typeof Headers !== "undefined" && headers instanceof Headers
      ? [...headers.entries()]
      : isRecord(headers)
        ? Object.entries(headers)
        : undefined;
  if (!entries) throw invalid(field, "must be an object of header names to values, or a Headers.");
  const record: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    checkHeader(name, value, `${field}.${name}`);
    record[name] = String(value);
  }
  return record;
}

/** An AbortSignal, or undefined; a look-alike without `aborted` and `addEventListener` would fail later, obscurely. */
export function checkSignal(signal: unknown, field: string): void {
  if (signal === undefined) return;
  const like = signal as Partial<AbortSignal> | null;
  if (typeof like?.aborted !== "boolean" || typeof like.addEventListener !== "function") {
    throw invalid(field, "must be an AbortSignal.");
  }
}

/** `text` with anything shaped like a Flora webhook signing secret (`whsec_…`) masked, for a message. */
export const maskWebhookSecrets = (text: string): string => text.replace(/whsec_\S*/g, "whsec_…");

/**
 * A caller's value in a message: a number as it is; a string quoted whole when it has at most 200 characters (never
 * cut, so a secret in it stays whole for the redaction that follows), with anything shaped like a webhook secret
 * (`whsec_…`) masked, else only its length; else its type.
 */
export function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "string")
    return value.length > 200
      ? `a string of ${value.length} characters`
      : `the string ${JSON.stringify(maskWebhookSecrets(value))}`;
  return value === null ? "null" : typeof value;
}

/**
 * What is wrong with `value` against `shape`, as a phrase for MalformedResponseError ("lacks run_id"), or
 * undefined when it fits. Only types and required properties are checked, one level deep.
 */
export function shapeProblem(value: unknown, shape: ValueShape, path = "body"): string | undefined {
  if (shape.types && !shape.types.some((type) => hasJsonType(value, type))) {
    return `${path} is ${jsonTypeOf(value)}, not ${shape.types.join(" or ")}`;
  }
  const { required } = shape;
  if (required && isRecord(value)) {
    // on every response: no path string or entry array is built unless something is wrong
    for (const name in required) {
      if (!Object.hasOwn(value, name)) return `${path} lacks the required property ${name}`;
      const { types } = required[name];
      const inner = value[name];
      if (types && !types.some((type) => hasJsonType(inner, type)))
        return `${path}.${name} is ${jsonTypeOf(inner)}, not ${types.join(" or ")}`;
    }
  }
  return undefined;
}

function hasJsonType(value: unknown, type: JsonType): boolean {
  if (type === "integer") return Number.isInteger(value);
  if (type === "number") return typeof value === "number" && Number.isFinite(value);
  return jsonTypeOf(value) === type;
}

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonTypeOf(value: unknown): string {
  if (value === undefined) return "empty";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * A sequence of JSON documents (JSON Lines, NDJSON, RFC 7464's json-seq, `+json-seq`): OpenAPI 3.2's sequential
 * media types, which the runtime writes one document a line (serialize.ts).
 */
export const JSON_SEQUENCE = /^(application|text)\/([\w.-]+\+)?(x-)?(ndjson|jsonl|jsonlines|json-seq)\s*(;|$)/i;

/** Whether a media type is JSON: its type (not a parameter) names `json` (`application/x-amz-json-1.1` too), and it is no JSON_SEQUENCE. */
export const isJsonMedia = (mediaType: string): boolean =>
  /json/i.test(mediaType.split(";")[0]) && !JSON_SEQUENCE.test(mediaType);

/** JSON nesting past this many levels is refused with its place (JSON.stringify overflows the stack near 4,000). */
const MAX_JSON_DEPTH = 1_000;

/**
 * The JSON text of a request body (or of a JSON form field or parameter, `field` then naming it). What is checked is
 * what JSON.stringify writes (after a `toJSON`, so a Date is its string and Node's Buffer its `{ type, data }`): plain
 * data only. Anything it would write as `{}`, `null` or nothing in its place is a ValidationError naming where it
 * sits (e.g. `body.inputs[0].value`), before anything is sent: a bigint, a NaN or infinite number, binary data (a
 * Blob, File, ReadableStream, ArrayBuffer, typed array), a Promise (an `await` missed), a Map or Set, an Error, a
 * RegExp, an async iterable (a Node Readable), any object but a plain one, an array or a boxed primitive (a class
 * instance is plain unless it sets `Symbol.toStringTag`), a `toJSON` that gives `null` for a value that is not (an
 * invalid Date); `undefined`, a function or a symbol at the top or in an array (or an array's hole); a body that is
 * nothing; a cycle; nesting deeper than 1,000 levels. Omitted as JSON omits them: a property whose value is
 * `undefined`, a function (a method) or a symbol. An error thrown by the caller's own getter or `toJSON` propagates
 * as it is. A getter of a plain object is read twice (a check, then JSON.stringify).
 */
export function stringifyJson(body: unknown, field = "body"): string {
  // plain data throughout, the usual body, is written by JSON.stringify's own fast path (a replacer makes it 2-3×
  // slower on a large body); anything else is checked value by value as it is written
  if (isPlainData(body, 0)) return JSON.stringify(body);
  // the objects being written, outermost first, each with the key it sits under: the place of a refused value
  const open: Array<[value: object, key: string, inArray: boolean]> = [];
  return JSON.stringify(body, function (this: Record<string, unknown>, key, value: unknown) {
    while (open.length > 0 && open[open.length - 1][0] !== this) open.pop();
    const inArray = Array.isArray(this);
    const isObject = typeof value === "object" && value !== null;
    const kind =
      notJson(value, inArray || open.length === 0) ??
      // null from a toJSON (an invalid Date's) stands for a value: read the property again only then
      (value === null && this[key] !== null ? "null from toJSON" : undefined) ??
      (isObject && open.some(([ancestor]) => ancestor === value) ? "a cycle" : undefined) ??
      (isObject && open.length >= MAX_JSON_DEPTH ? `nested deeper than ${MAX_JSON_DEPTH} levels` : undefined);
    if (kind !== undefined) {
      let at = field;
      for (const [, step, arrayStep] of open.slice(1)) at += pathStep(step, arrayStep);
      if (open.length > 0) at += pathStep(key, inArray);
      throw new ValidationError(`${at} (${kind}) cannot be sent as JSON: a JSON body holds only plain data.`, at);
    }
    if (isObject) open.push([value, key, inArray]);
    return value;
  }) as string; // never undefined: a body that writes as nothing is refused above
}

/**
 * `key` as a step of a field path: `[0]`, `.name`, or `["odd key"]`; a key of more than 200 characters as its length
 * (never cut, so a secret in it stays whole for the redaction that follows).
 */
export const pathStep = (key: string, inArray: boolean): string =>
  inArray
    ? `[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `.${key}`
      : `[${key.length > 200 ? `a key of ${key.length} characters` : JSON.stringify(key)}]`;

/** An object whose prototype is Object's or null: an object literal, parsed JSON, `Object.create(null)`; no array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether JSON.stringify writes `value` exactly as it is: strings, booleans, finite numbers, null, and arrays
 * (without holes or `undefined`) and plain objects (no `toJSON`) of them, nested at most 64 deep.
 */
function isPlainData(value: unknown, depth: number): boolean {
  if (typeof value === "string" || typeof value === "boolean" || value === null) return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth > 64 || "toJSON" in value) return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && !isPlainData(item, depth + 1)) return false;
  }
  return true;
}

/** What a value is when JSON cannot carry it where it sits (`strict`: at the top or in an array); else undefined. */
function notJson(value: unknown, strict: boolean): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "undefined":
      return strict ? "undefined" : undefined;
    case "number":
      return Number.isFinite(value) ? undefined : String(value);
    case "function":
    case "symbol":
      return strict ? typeof value : undefined;
    case "object": {
      if (value === null || Array.isArray(value)) return undefined;
      const tag = isPlainObject(value) ? "Object" : Object.prototype.toString.call(value).slice(8, -1);
      if (tag === "Object") return Symbol.asyncIterator in value ? "an async iterable: a Node Readable?" : undefined;
      if (tag === "String" || tag === "Boolean" || (tag === "Number" && Number.isFinite(Number(value))))
        return undefined;
      return tag === "Promise" ? "Promise: an await missed?" : tag;
    }
    default:
      return typeof value;
  }
}
