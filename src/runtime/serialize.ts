// Writes parameters and form bodies as the spec's style, explode and encoding say, on openapi-fetch's serializers.
import { serializeArrayParam, serializeObjectParam, serializePrimitiveParam } from "openapi-fetch";
import { checkHeader, isJsonMedia, isPlainObject, isRecord, JSON_SEQUENCE, pathStep, stringifyJson } from "./check.js";
import { APIUserAbortError, ValidationError } from "./errors.js";
import type { AttemptOutcome, StreamBody } from "./fetch.js";
import type {
  EncodingDescriptor,
  OperationArgs,
  OperationDescriptor,
  ParameterEntry,
  ParameterStyle,
} from "./types.js";

export type ParameterLocation = "path" | "query" | "header" | "cookie";

/** How one value is written: the spec's `style`, `explode` and `allowReserved`. */
export interface Serialization {
  style: ParameterStyle;
  explode: boolean;
  allowReserved: boolean;
  /** A parameter declared with `content`: its value is written whole in this media type instead of by a style. */
  contentType?: string;
}

/** A parameter's name and serialization, with the defaults of its location filled in. */
export function parameterSerialization(
  entry: ParameterEntry,
  location: ParameterLocation,
): Serialization & { name: string } {
  const given = typeof entry === "string" ? { name: entry } : entry;
  const style = given.style ?? (location === "path" || location === "header" ? "simple" : "form");
  return {
    name: given.name,
    style,
    explode: given.explode ?? (style === "form" || style === "cookie"),
    allowReserved: given.allowReserved === true,
    contentType: given.contentType,
  };
}

/** Percent-encodes (or not) one name, key or value as its location requires. */
export type Encode = (text: string) => string;

// RFC 6570 reserved expansion keeps these and percent-encoded triples; `#[]` stay encoded, a query cannot hold them.
const RESERVED_KEPT = /%(3A|2F|3F|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)|%25([0-9A-F]{2})/gi;
const encodeReserved: Encode = (text) =>
  encodeURIComponent(text).replace(RESERVED_KEPT, (match, reserved: string | undefined, triple: string | undefined) =>
    reserved ? decodeURIComponent(match) : `%${triple}`,
  );
// application/x-www-form-urlencoded writes a space as "+".
const encodeForm: Encode = (text) => encodeURIComponent(text).replace(/%20/g, "+");
const encodeNothing: Encode = (text) => text;

/** A value sent whole in a media type: JSON for a JSON type, else text, which an object or array cannot be. */
function inMediaType(name: string, value: unknown, contentType: string): string {
  if (isJsonMedia(contentType)) return stringifyJson(value, name);
  if (typeof value === "object" && value !== null)
    throw new ValidationError(`${name} cannot be sent as ${contentType} (only JSON or text): pass a string.`, name);
  return String(value);
}

/** A leaf value of parameter `name` as text: nested objects and arrays, which no style defines, as JSON. */
function text(name: string, value: unknown): string {
  checkValue(name, value);
  return typeof value === "object" && value !== null ? stringifyJson(value, name) : String(value);
}

/**
 * Refuses what no parameter can hold, naming `name`: a function or symbol (String() would send a function's
 * source), a NaN or infinite number (sent as the text `NaN`), or an object that is neither an array nor a plain
 * object (a Promise, Map or Date, whose own entries, usually none, say nothing of its value).
 */
function checkValue(name: string, value: unknown): void {
  const kind = typeof value;
  // a class instance passes as a plain object
  const tag = kindOf(value);
  if (
    kind === "function" ||
    kind === "symbol" ||
    (kind === "number" && !Number.isFinite(value)) ||
    (kind === "object" && value !== null && !Array.isArray(value) && tag !== "Object")
  ) {
    const got = kind === "number" ? String(value) : `a ${kind === "object" ? tag : kind}`;
    throw new ValidationError(
      `${name} must be a string, number, boolean, array or plain object (as its schema says); got ${got}.`,
      name,
    );
  }
}

/**
 * One value as its style writes it: `name=value` pairs for form-like styles, the bare expansion for simple,
 * label and matrix; "" for no value. Names, keys and values are encoded by `encode`.
 */
export function serializeValue(name: string, value: unknown, how: Serialization, encode: Encode): string {
  if (value === undefined || value === null) return "";
  checkValue(name, value);
  // a content parameter is one string, written as its location writes a primitive
  if (how.contentType !== undefined)
    return serializeValue(name, inMediaType(name, value, how.contentType), { ...how, contentType: undefined }, encode);
  // cookie style belongs to cookies (cookieHeader); anywhere else it is read as form, its nearest kin
  const style = how.style === "cookie" ? "form" : how.style;
  const key = encode(name);
  // Everything arrives encoded, so openapi-fetch is told not to encode again (its allowReserved).
  const options = { explode: how.explode, allowReserved: true };
  if (Array.isArray(value)) {
    if (value.length === 0) return "";
    const items = value.flatMap((v, i) => (v === undefined || v === null ? [] : [encode(text(`${name}[${i}]`, v))]));
    return serializeArrayParam(key, items, { ...options, style: style === "deepObject" ? "form" : style });
  }
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    const encoded = entries.map(([k, v]) => [encode(k), encode(text(name + pathStep(k, false), v))]);
    // openapi-fetch writes these two object styles without the name; as a list of keys and values they come out right
    if (style === "spaceDelimited" || style === "pipeDelimited")
      return serializeArrayParam(key, encoded.flat(), { ...options, style, explode: false });
    // deepObject is defined only exploded
    const explode = how.explode || style === "deepObject";
    return serializeObjectParam(key, Object.fromEntries(encoded), { ...options, style, explode });
  }
  const encoded = encode(text(name, value));
  if (style === "simple") return encoded;
  if (style === "label") return `.${encoded}`;
  if (style === "matrix") return encoded === "" ? `;${key}` : `;${key}=${encoded}`;
  return serializePrimitiveParam(key, encoded, options);
}

function byName(entries: readonly ParameterEntry[], location: ParameterLocation) {
  const map = new Map(entries.map((entry) => parameterSerialization(entry, location)).map((p) => [p.name, p]));
  return (name: string) => map.get(name) ?? parameterSerialization(name, location);
}

/** openapi-fetch's per-request `querySerializer`: each parameter as its own style says. */
export function querySerializer(entries: readonly ParameterEntry[]): (query: Record<string, unknown>) => string {
  const find = byName(entries, "query");
  return (query) =>
    Object.entries(query)
      .map(([name, value]) => {
        const how = find(name);
        return serializeValue(name, value, how, how.allowReserved ? encodeReserved : encodeURIComponent);
      })
      .filter(Boolean)
      .join("&");
}

/**
 * openapi-fetch's per-request `pathSerializer`: fills each `{name}` of the URL with its style. A segment that
 * comes out `.` or `..` is refused: URL parsers resolve those even percent-encoded.
 */
export function pathSerializer(
  entries: readonly ParameterEntry[],
): (url: string, path: Record<string, unknown>) => string {
  const known = new Map(entries.map((entry) => parameterSerialization(entry, "path")).map((p) => [p.name, p]));
  return (url, path) =>
    url.replace(/\{([^{}]+)\}/g, (template, name: string) => {
      const how = known.get(name);
      if (!how) return template;
      const segment = serializeValue(name, path[name], how, encodeURIComponent);
      if (segment === "." || segment === "..") throw new ValidationError(`${name} must not be "." or "..".`, name);
      return segment;
    });
}

/** Header parameters as their values (simple style, not percent-encoded); absent values are left out. */
export function headerValues(
  entries: readonly ParameterEntry[],
  header: Record<string, unknown> | undefined,
): Record<string, string> {
  const find = byName(entries, "header");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(header ?? {})) {
    if (value !== undefined && value !== null) out[name] = serializeValue(name, value, find(name), encodeNothing);
  }
  return out;
}

/** The `Cookie` header for cookie parameters (form style, percent-encoded), or undefined when none has a value. */
export function cookieHeader(
  entries: readonly ParameterEntry[],
  cookie: Record<string, unknown> | undefined,
): string | undefined {
  const find = byName(entries, "cookie");
  const pairs = Object.entries(cookie ?? {})
    .map(([name, value]) => {
      const how = find(name);
      if (how.style === "cookie") return cookieStyleValue(name, value, how.explode);
      return serializeValue(name, value, how, how.allowReserved ? encodeReserved : encodeURIComponent);
    })
    .filter(Boolean);
  return pairs.length > 0 ? pairs.join("; ") : undefined;
}

/**
 * How the runtime writes a call serialized here: its query and path serializers (for the URL, which the runtime
 * joins as openapi-fetch's `createFinalURL` does), and the `cookie` parameters' value (as `cookieHeader` writes
 * them), which the runtime appends to whatever Cookie header defaults, options or credentials already set; absent
 * when none has a value. A cookie value fetch would refuse (CR, LF) is a ValidationError.
 */
export function requestInit(
  operation: OperationDescriptor,
  args: OperationArgs,
): {
  querySerializer: (query: Record<string, unknown>) => string;
  pathSerializer: (url: string, path: Record<string, unknown>) => string;
  cookie?: string;
} {
  const cookie = cookieHeader(operation.cookieParams ?? [], args.cookie);
  if (cookie !== undefined) checkHeader("cookie", cookie, "cookie");
  return {
    querySerializer: querySerializer(operation.queryParams),
    pathSerializer: pathSerializer(operation.pathParams),
    ...(cookie !== undefined && { cookie }),
  };
}

/**
 * OpenAPI 3.2's `style: cookie`: like form but joined with "; " and never percent-encoded (the value must already
 * be cookie-safe; the runtime refuses CR/LF in the header it builds).
 */
function cookieStyleValue(name: string, value: unknown, explode: boolean): string {
  if (value === undefined || value === null) return "";
  checkValue(name, value);
  if (Array.isArray(value)) {
    const items = value.flatMap((item, i) =>
      item === undefined || item === null ? [] : [text(`${name}[${i}]`, item)],
    );
    return explode ? items.map((item) => `${name}=${item}`).join("; ") : `${name}=${items.join(",")}`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined && item !== null);
    return explode
      ? entries.map(([key, item]) => `${key}=${text(name + pathStep(key, false), item)}`).join("; ")
      : `${name}=${entries.flatMap(([key, item]) => [key, text(name + pathStep(key, false), item)]).join(",")}`;
  }
  return `${name}=${text(name, value)}`;
}

const FORM: Serialization = { style: "form", explode: true, allowReserved: false };

/**
 * An application/x-www-form-urlencoded body. A field whose encoding gives a style is written like a query
 * parameter; otherwise, as its media type decides, an object is JSON and an array repeats the name.
 */
export function urlencodedBody(
  body: Record<string, unknown>,
  encoding: { readonly [field: string]: EncodingDescriptor } = {},
): string {
  return Object.entries(body)
    .map(([name, value]) => {
      const field = encoding[name];
      if (field && (field.style || field.explode !== undefined || field.allowReserved)) {
        const style = field.style ?? "form";
        const how = { style, explode: field.explode ?? style === "form", allowReserved: field.allowReserved === true };
        return serializeValue(name, value, how, how.allowReserved ? encodeReserved : encodeForm);
      }
      const plain = isRecord(value) ? stringifyJson(value, name) : value;
      return serializeValue(name, plain, FORM, encodeForm);
    })
    .filter(Boolean)
    .join("&");
}

// FormData's own escaping of names and filenames in a part's Content-Disposition (HTML's multipart/form-data).
const escapeQuoted = (text: string) => text.replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/"/g, "%22");

/**
 * A multipart/form-data body as a Blob typed with its boundary: one part per array item; Blobs as files (an
 * untyped one takes its encoding's first contentType); objects as JSON parts without a filename (FormData can
 * label a part only by making it a file), refused for a non-JSON contentType; strings and numbers as text,
 * labelled with their encoding's contentType when it has one.
 */
export function multipartBody(
  body: Record<string, unknown>,
  encoding: { readonly [field: string]: EncodingDescriptor } = {},
): Blob {
  const boundary = `----formdata-${globalThis.crypto.randomUUID()}`;
  const chunks: BlobPart[] = [];
  for (const [name, value] of Object.entries(body)) {
    const declared = encoding[name]?.contentType?.split(",")[0].trim();
    // a range such as image/* names no type a part can carry
    const type = declared && !declared.includes("*") ? declared : undefined;
    for (const [index, item] of (Array.isArray(value) ? value : [value]).entries()) {
      const at = Array.isArray(value) ? `${name}[${index}]` : name;
      if (item === undefined || item === null) continue;
      let disposition = `form-data; name="${escapeQuoted(name.replace(/\r?\n|\r/g, "\r\n"))}"`;
      let partType = type;
      let content: BlobPart;
      if (item instanceof Blob) {
        disposition += `; filename="${escapeQuoted(item instanceof File ? item.name : "blob")}"`;
        partType = item.type || type || "application/octet-stream";
        content = item;
      } else if (typeof item === "object") {
        partType ??= "application/json";
        if (!isJsonMedia(partType))
          throw new ValidationError(
            `${name} is an object, which cannot be sent as ${partType}: pass a string or Blob.`,
            name,
          );
        content = stringifyJson(item, at);
      } else {
        // a function's source, a symbol's or NaN's text would be sent: refused, naming the field
        checkValue(at, item);
        content = String(item).replace(/\r?\n|\r/g, "\r\n");
      }
      const headers = `Content-Disposition: ${disposition}\r\n${partType ? `Content-Type: ${partType}\r\n` : ""}`;
      chunks.push(`--${boundary}\r\n${headers}\r\n`, content, "\r\n");
    }
  }
  chunks.push(`--${boundary}--\r\n`);
  return new Blob(chunks, { type: `multipart/form-data; boundary=${boundary}` });
}

/**
 * Encodes a request body for its declared media type; JSON unless the spec says otherwise. A string, Blob,
 * ArrayBuffer, typed array or DataView, FormData, URLSearchParams or ReadableStream is returned as it is (a
 * BodyInit for fetch), a number or boolean as its text. Any other value (a Node Readable or another async iterable,
 * a plain object for a media type that is neither JSON nor a form, a function, symbol or null) is a ValidationError
 * naming `body`: String() would send `[object Object]`, a function's source or the text `null`. For JSON, see
 * stringifyJson (check.ts): what JSON cannot carry is refused too.
 */
export function serializeBody(
  contentType: string,
  body: unknown,
  encoding?: { readonly [field: string]: EncodingDescriptor },
): BodyInit {
  // a form's fields, or a sequence's one document, are a plain record's: a Node Readable's internals
  // (`_readableState`…) are not
  const fields = isRecord(body) && !isBodyInit(body) && !(Symbol.asyncIterator in body);
  // a sequence's documents one a line (json-seq: each after a record separator): an array's items, or one object;
  // text is sent as it is
  if (JSON_SEQUENCE.test(contentType)) {
    if (Array.isArray(body) || fields) {
      const separator = /json-seq/i.test(contentType) ? "\x1e" : "";
      const items = Array.isArray(body) ? body : [body];
      return items
        .map((item, i) => `${separator}${stringifyJson(item, Array.isArray(body) ? `body[${i}]` : "body")}\n`)
        .join("");
    }
  } else if (isJsonMedia(contentType)) return stringifyJson(body);
  if (contentType.startsWith("application/x-www-form-urlencoded") && fields) return urlencodedBody(body, encoding);
  if (contentType.startsWith("multipart/") && fields) return multipartBody(body, encoding);
  if (isBodyInit(body)) return body;
  if (typeof body === "object" || typeof body === "function" || typeof body === "symbol") {
    const tag = typeof body === "object" ? kindOf(body) : typeof body;
    const kind =
      body === null
        ? "null"
        : typeof body === "object" && Symbol.asyncIterator in body
          ? "an async iterable (a Node Readable?)"
          : `${/^[AEIOU]/i.test(tag) ? "an" : "a"} ${tag}`;
    throw new ValidationError(
      `body cannot be sent as ${contentType}: it is ${kind}. Pass a string, Blob, ArrayBuffer, Uint8Array or ReadableStream (Readable.toWeb() turns a Node stream into one).`,
      "body",
    );
  }
  return String(body);
}

/**
 * serializeBody for the runtime's own sending: a ReadableStream becomes the `StreamBody` the retrying fetch sends
 * once (streamBody); everything else as serializeBody returns it. Not exported from the runtime's entry.
 */
export function wireBody(
  contentType: string,
  body: unknown,
  encoding?: { readonly [field: string]: EncodingDescriptor },
): BodyInit | StreamBody {
  const serialized = serializeBody(contentType, body, encoding);
  return serialized instanceof ReadableStream ? streamBody(serialized) : serialized;
}

function isBodyInit(body: unknown): body is BodyInit {
  return (
    typeof body === "string" ||
    ArrayBuffer.isView(body) ||
    [Blob, ArrayBuffer, FormData, URLSearchParams, ReadableStream].some((type) => body instanceof type)
  );
}

/** An object's kind as its tag names it: `Object`, `Array`, `Map`… (cross-realm safe, unlike a prototype check). */
const kindOf = (value: unknown): string => Object.prototype.toString.call(value).slice(8, -1);

let streamsSupported: boolean | undefined;

/**
 * Whether this platform's fetch sends a ReadableStream request body: a Request given one sets no Content-Type.
 * Firefox and older Safari turn the stream into the text `[object ReadableStream]` (a `text/plain` body), which
 * would be sent whole. Node 18+, Chromium 105+, Deno and Bun keep it a stream. This is the no-Content-Type half of
 * the detection https://developer.chrome.com/docs/capabilities/web-apis/fetch-streaming-requests describes; its
 * other half, that the Request reads `duplex`, is left out because Deno sends streams without reading it.
 * (Chromium sends one only over HTTP/2 or later: over HTTP/1.1 its fetch fails, a connection error.)
 */
function canSendStreams(): boolean {
  if (streamsSupported === undefined) {
    try {
      const init = { method: "POST", body: new ReadableStream(), duplex: "half" };
      streamsSupported = !new Request("http://localhost/", init as RequestInit).headers.has("content-type");
    } catch {
      streamsSupported = false;
    }
  }
  return streamsSupported;
}

/**
 * A ReadableStream request body, sent as fetch reads it (`duplex: "half"`, which Node's fetch requires), never
 * buffered whole, and sent once: what was read of a stream cannot be read again, so a call with one makes one
 * attempt and is never retried (a connection error says so when the call would otherwise have been; a Blob or
 * ArrayBuffer body is retried), nor follows a redirect (redirect.ts). A stream that is locked, or was read from or
 * cancelled, is a ValidationError naming `body`: the Fetch standard's body extraction (`new Response(stream)`)
 * refuses it, and accepts a fresh one without locking or reading it. It is checked when the call serializes its
 * body and again as the attempt starts, which then locks the stream (a second call given it is refused); a call
 * that fails before that leaves the stream untouched. fetch reads the caller's stream through a view; when the call ends (any outcome, thrown or returned) before the stream was read to its end, or fetch gives
 * the body up, the caller's stream is cancelled with the reason (the caller's abort reason, the call's error, or
 * an early answer's status), so nothing reads it further (Node's fetch never cancels a body it abandons) and a
 * source behind it (a file) closes; the view then errors, so a read cut short never passes for the stream's end.
 */
export function streamBody(source: ReadableStream<Uint8Array>): StreamBody {
  if (!canSendStreams())
    throw new ValidationError(
      "body is a ReadableStream, and this platform's fetch cannot send one as a request body (it would send its text): pass a Blob or ArrayBuffer.",
      "body",
    );
  const check = () => {
    try {
      new Response(source);
    } catch {
      throw new ValidationError(
        "body is a ReadableStream that is locked or was already read from or cancelled: pass a stream nothing has read yet.",
        "body",
      );
    }
  };
  check();
  return async (init, attempt, retried) => {
    // Checked again and locked as the attempt starts: another call given the same stream meanwhile is refused.
    // Until then the caller's stream is untouched (a call that fails before sending leaves it as it was).
    check();
    const reader = source.getReader();
    // read to its end, or cancelled with this reason
    let done = false;
    let ended: { reason: unknown } | undefined;
    const end = (reason: unknown) => {
      if (done || ended) return;
      ended = { reason };
      return reader.cancel(reason).catch(() => undefined);
    };
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const { done: last, value } = await reader.read();
          // a read the cancel cut short ends as if the stream had: the body fails instead
          if (ended) throw ended.reason;
          if (!last) return controller.enqueue(value);
          done = true;
          controller.close();
        },
        // fetch gave the body up
        cancel: end,
      },
      // no read ahead: the caller's stream is read only as fetch reads the body
      { highWaterMark: 0 },
    );
    let outcome: AttemptOutcome;
    try {
      outcome = await attempt({ ...init, body, duplex: "half" } as RequestInit);
    } catch (error) {
      void end(error instanceof APIUserAbortError ? error.cause : error);
      throw error;
    }
    if (outcome instanceof Response)
      void end(new Error(`The server answered ${outcome.status} before the request body was read to its end.`));
    else {
      void end(outcome);
      if (retried)
        outcome.message = outcome.message.replace(
          /\.?$/,
          ". Not retried: the request body is a stream, which can be sent only once.",
        );
    }
    return outcome;
  };
}

/**
 * The body with the idempotency key in `field`: a plain object spread; for JSON, any other object by its JSON (a
 * class instance's getters and toJSON are on its prototype, which a spread leaves behind), when that is an object;
 * a URLSearchParams or FormData copied with the field set. Anything else (an array, text, bytes, a stream) as it is:
 * the key goes in the header only.
 */
export function withBodyField(body: unknown, field: string, key: string, json: boolean): unknown {
  if (body instanceof URLSearchParams || body instanceof FormData) {
    const copy = body instanceof FormData ? new FormData() : new URLSearchParams(body);
    if (copy instanceof FormData) for (const [name, value] of body as FormData) copy.append(name, value);
    copy.set(field, key);
    return copy;
  }
  if (!isRecord(body) || body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body;
  if (isPlainObject(body) && !("toJSON" in body)) return { ...body, [field]: key };
  if (!json) return body;
  const written: unknown = JSON.parse(stringifyJson(body));
  return isRecord(written) ? { ...written, [field]: key } : body;
}
