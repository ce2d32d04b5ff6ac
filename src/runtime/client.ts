// createRuntime: the OperationInvoker generated wrappers call, built on openapi-fetch's client and middleware.
import createClient, { type Middleware } from "openapi-fetch";
import { APIError, FloraError, MalformedResponseError, ValidationError } from "./errors.js";
import { bufferedBody, createRetryingFetch, type FetchLike } from "./fetch.js";
import { redactSecrets, silentLogger, type Logger } from "./log.js";
import { sleep as realSleep, type Sleep } from "./sleep.js";
import type {
  HttpMethod,
  IdempotencyDescriptor,
  OperationArgs,
  OperationDescriptor,
  OperationInvoker,
  RequestOptions,
} from "./types.js";

export interface RuntimeOptions {
  /** e.g. `https://app.flora.ai/api/v1`; `http:` only for loopback hosts. */
  baseUrl: string;
  /** Credential headers (e.g. `{ authorization: "Bearer …" }`), sent only to the API origin and `credentialOrigins`. */
  credentials?: Record<string, string>;
  /** Strings never to show in errors or logs (the raw credentials). */
  secrets?: readonly string[];
  /** Further origins (e.g. where poll URLs live) that may receive the API key. */
  credentialOrigins?: readonly string[];
  /** Sent with every request, e.g. an SDK identification header. */
  defaultHeaders?: Record<string, string>;
  maxRetries: number;
  timeoutMs: number;
  fetch?: FetchLike;
  logger?: Logger;
  sleep?: Sleep;
  random?: () => number;
}

/** A sent request's successful response, before its body is read. */
export interface SentResponse {
  response: Response;
  idempotencyKey: string | undefined;
}

export interface Runtime extends OperationInvoker {
  /** Sends an operation; resolves with the raw 2xx response (an event stream stays unread), throws typed errors otherwise. */
  send(operation: OperationDescriptor, args: OperationArgs, options?: RequestOptions): Promise<SentResponse>;
  /** GETs an absolute URL (e.g. a poll URL) as JSON, with the same retries; credentials only for allowed origins. */
  getJson<T>(url: string, options?: RequestOptions): Promise<T>;
}

type UntypedRequest = (
  method: HttpMethod,
  url: string,
  init: Record<string, unknown>,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export function createRuntime(options: RuntimeOptions): Runtime {
  const baseUrl = checkBaseUrl(options.baseUrl, "baseUrl");
  const apiOrigin = new URL(baseUrl).origin;
  const credentialOrigins = new Set([
    apiOrigin,
    ...(options.credentialOrigins ?? []).map((o) => new URL(checkBaseUrl(o, "allowedPollOrigins")).origin),
  ]);
  const secrets = options.secrets ?? [];
  const logger = options.logger ?? silentLogger;
  const client = createClient({ baseUrl, headers: options.defaultHeaders });
  client.use(authMiddleware(options.credentials ?? {}, credentialOrigins));
  const request = client.request as unknown as UntypedRequest;

  const retryingFetch = (retrySafe: boolean, callOptions: RequestOptions, body?: BodyInit) =>
    createRetryingFetch({
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      maxRetries: callOptions.maxRetries ?? options.maxRetries,
      timeoutMs: callOptions.timeoutMs ?? options.timeoutMs,
      signal: callOptions.signal,
      retrySafe,
      body,
      sleep: options.sleep ?? realSleep,
      random: options.random,
      logger,
    });

  async function sendUnlabelled(
    operation: OperationDescriptor,
    args: OperationArgs,
    callOptions: RequestOptions,
    key: string | undefined,
  ) {
    checkPathParams(operation, args.path);
    const headers: Record<string, string> = { ...callOptions.headers };
    if (key !== undefined && operation.idempotency) headers[operation.idempotency.header] = key;
    const bodyField = operation.idempotency?.bodyField;
    const body = key !== undefined && bodyField && isRecord(args.body) ? { ...args.body, [bodyField]: key } : args.body;
    const retrySafe = !isUnsafeMethod(operation.method) || key !== undefined;
    const contentType = operation.requestBody?.contentType ?? "application/json";
    // Serialized once and handed to the retrying fetch, which sends it on every attempt; openapi-fetch's
    // own Request stays body-less, so no stream is built for a body nobody reads.
    const serialized = body === undefined ? undefined : serializeBody(contentType, body);
    // multipart needs the boundary the platform writes into Content-Type itself
    if (serialized !== undefined && !contentType.startsWith("multipart/")) headers["content-type"] ??= contentType;
    const init: Record<string, unknown> = {
      params: { path: args.path, query: args.query, header: args.header },
      headers,
      parseAs: "stream",
      fetch: retryingFetch(retrySafe, callOptions, serialized),
    };
    const { response, error } = await request(operation.method, operation.path, init);
    if (!response.ok) throw errorFromResponse(response, error, secrets);
    return response;
  }

  async function sendLabelled(operation: OperationDescriptor, args: OperationArgs, callOptions: RequestOptions) {
    const key = operation.idempotency
      ? resolveIdempotencyKey(operation.idempotency, args.body, callOptions.idempotencyKey)
      : undefined;
    const response = await labelErrors(key, () => sendUnlabelled(operation, args, callOptions, key));
    return { response, idempotencyKey: key };
  }

  async function send(
    operation: OperationDescriptor,
    args: OperationArgs,
    callOptions: RequestOptions = {},
  ): Promise<SentResponse> {
    const { response, idempotencyKey } = await sendLabelled(operation, args, callOptions);
    const buffered = bufferedBody(response);
    return { response: buffered === undefined ? response : new Response(buffered.bytes, response), idempotencyKey };
  }

  async function invoke<T>(
    operation: OperationDescriptor,
    args: OperationArgs,
    callOptions: RequestOptions = {},
  ): Promise<T> {
    const { response, idempotencyKey } = await sendLabelled(operation, args, callOptions);
    return labelErrors(idempotencyKey, () => readSuccessBody(operation.response, response, secrets) as Promise<T>);
  }

  async function getJson<T>(url: string, callOptions: RequestOptions = {}): Promise<T> {
    const target = new URL(url);
    const { response, error } = await request("get", `${target.pathname}${target.search}`, {
      baseUrl: target.origin,
      headers: { ...callOptions.headers },
      parseAs: "stream",
      fetch: retryingFetch(true, callOptions),
    });
    if (!response.ok) throw errorFromResponse(response, error, secrets);
    return (await readSuccessBody("json", response, secrets)) as T;
  }

  return { invoke, send, getJson };
}

/**
 * One key per logical call: the caller's option, else the body field's value, else a fresh UUID.
 * Header and body field always carry the same value, so two different caller values are refused.
 */
export function resolveIdempotencyKey(
  descriptor: IdempotencyDescriptor,
  body: unknown,
  requested: string | undefined,
): string {
  const fromBody = descriptor.bodyField && isRecord(body) ? body[descriptor.bodyField] : undefined;
  if (fromBody !== undefined && typeof fromBody !== "string") {
    throw new ValidationError(`${descriptor.bodyField} must be a string.`, descriptor.bodyField);
  }
  if (requested !== undefined && fromBody !== undefined && requested !== fromBody) {
    throw new ValidationError(
      `options.idempotencyKey and body.${descriptor.bodyField} differ; pass the key once (or the same value in both).`,
      "idempotencyKey",
    );
  }
  const key = requested ?? fromBody ?? globalThis.crypto.randomUUID();
  if (key.trim() === "") throw new ValidationError("idempotencyKey must not be empty.", "idempotencyKey");
  return key;
}

/** Refuses cleartext HTTP except to loopback, where nothing crosses a network. */
export function checkBaseUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${field} is not a valid absolute URL: ${JSON.stringify(value)}.`, field);
  }
  if (url.protocol === "https:") return value;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return value;
  throw new ValidationError(
    `${field} must use https:// (plain http:// is allowed only for loopback hosts), got ${url.origin}.`,
    field,
  );
}

export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname.endsWith(".localhost") ||
    hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/** Every path parameter present and never a `.`/`..` segment: URL parsers resolve those even percent-encoded. */
function checkPathParams(operation: OperationDescriptor, path: OperationArgs["path"]): void {
  for (const name of operation.pathParams) {
    const value = path?.[name];
    if (value === undefined || String(value) === "") throw new ValidationError(`${name} must not be empty.`, name);
    if (String(value) === "." || String(value) === "..")
      throw new ValidationError(`${name} must not be "." or "..".`, name);
  }
}

function isUnsafeMethod(method: HttpMethod): boolean {
  return method === "post" || method === "patch";
}

async function labelErrors<T>(idempotencyKey: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (idempotencyKey !== undefined && typeof error === "object" && error !== null) {
      (error as FloraError).idempotencyKey = idempotencyKey;
    }
    throw error;
  }
}

/** `body` is what openapi-fetch read from an error response: parsed JSON, or the raw text when it is not JSON. */
function errorFromResponse(response: Response, body: unknown, secrets: readonly string[]): FloraError {
  const headers = redactedHeaders(response.headers, secrets);
  if (body === undefined || (typeof body === "string" && body.trim() === ""))
    return APIError.generate(response.status, undefined, headers);
  if (typeof body === "string")
    return new MalformedResponseError(response.status, headers, redactSecrets(body, secrets));
  return APIError.generate(response.status, JSON.parse(redactSecrets(JSON.stringify(body), secrets)), headers);
}

async function readSuccessBody(
  kind: OperationDescriptor["response"],
  response: Response,
  secrets: readonly string[],
): Promise<unknown> {
  const buffered = bufferedBody(response);
  switch (kind) {
    case "event-stream":
      return buffered === undefined ? response : new Response(buffered.bytes, response);
    case "binary":
      if (buffered === undefined) return response.blob();
      return new Blob([buffered.bytes], { type: response.headers.get("content-type") ?? "" });
    case "text":
      return buffered === undefined ? response.text() : (buffered.text ?? utf8.decode(buffered.bytes));
    case "empty":
      if (buffered === undefined) await response.body?.cancel();
      return undefined;
    case "json": {
      if (buffered?.json !== undefined && buffered.json !== "malformed") return buffered.json.value;
      if (buffered === undefined && response.headers.get("content-type")?.includes("text/event-stream")) {
        await response.body?.cancel();
        const problem = "is an event stream, not JSON (use the streaming method)";
        throw new MalformedResponseError(response.status, redactedHeaders(response.headers, secrets), "", problem);
      }
      const text = buffered === undefined ? await response.text() : (buffered.text ?? utf8.decode(buffered.bytes));
      if (text.trim() === "") return undefined;
      const parsed = parseJson(text);
      if (parsed.ok) return parsed.value;
      throw new MalformedResponseError(
        response.status,
        redactedHeaders(response.headers, secrets),
        redactSecrets(text, secrets),
      );
    }
  }
}

const utf8 = new TextDecoder();

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

export function headersToRecord(headers: Headers): Record<string, string> {
  return Object.fromEntries(headers.entries());
}

/** Response headers for an error object; a server echoing the key must not put it there. */
function redactedHeaders(headers: Headers, secrets: readonly string[]): Record<string, string> {
  return Object.fromEntries([...headers.entries()].map(([name, value]) => [name, redactSecrets(value, secrets)]));
}

/** Credentials go only to origins the caller trusts; caller-supplied ones elsewhere are dropped too. */
function authMiddleware(credentials: Record<string, string>, credentialOrigins: ReadonlySet<string>): Middleware {
  // request.url is normalized, so an origin followed by "/" is an exact origin match
  const prefixes = [...credentialOrigins].map((origin) => `${origin}/`);
  const entries = Object.entries(credentials);
  const names = new Set(["authorization", ...entries.map(([name]) => name.toLowerCase())]);
  return {
    onRequest({ request }) {
      if (prefixes.some((prefix) => request.url.startsWith(prefix))) {
        for (const [name, value] of entries) request.headers.set(name, value);
      } else {
        for (const name of names) request.headers.delete(name);
      }
      return request;
    },
  };
}

/** Encodes a request body for its declared media type; JSON unless the spec says otherwise. */
export function serializeBody(contentType: string, body: unknown): BodyInit {
  if (contentType.includes("json")) return JSON.stringify(body);
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return body instanceof URLSearchParams
      ? body
      : new URLSearchParams(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  if (contentType.startsWith("multipart/") && !(body instanceof FormData) && isRecord(body)) {
    const form = new FormData();
    for (const [name, value] of Object.entries(body)) form.append(name, value instanceof Blob ? value : String(value));
    return form;
  }
  if (
    typeof body === "string" ||
    body instanceof Blob ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof FormData ||
    body instanceof URLSearchParams ||
    body instanceof ReadableStream
  ) {
    return body as BodyInit;
  }
  return String(body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
