// createRuntime: the OperationInvoker generated wrappers call, built on openapi-fetch's client and middleware.
import createClient, { type Middleware } from "openapi-fetch";
import { APIError, FloraError, MalformedResponseError, ValidationError } from "./errors.js";
import { createRetryingFetch, type FetchLike } from "./fetch.js";
import { redactSecrets, silentLogger, type Logger } from "./log.js";
import { sleep as realSleep, type Sleep } from "./sleep.js";
import type { HttpMethod, IdempotencyDescriptor, OperationArgs, OperationDescriptor, OperationInvoker, RequestOptions } from "./types.js";

export interface RuntimeOptions {
  /** e.g. `https://app.flora.ai/api/v1`; `http:` only for loopback hosts. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`, only to the API origin and `credentialOrigins`. */
  apiKey?: string;
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
  /** The origin requests with credentials go to. */
  readonly apiOrigin: string;
}

type UntypedRequest = (
  method: HttpMethod,
  url: string,
  init: Record<string, unknown>,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export function createRuntime(options: RuntimeOptions): Runtime {
  const baseUrl = checkBaseUrl(options.baseUrl, "baseUrl");
  const apiOrigin = new URL(baseUrl).origin;
  const credentialOrigins = new Set([apiOrigin, ...(options.credentialOrigins ?? []).map((o) => new URL(checkBaseUrl(o, "allowedPollOrigins")).origin)]);
  const secrets = options.apiKey ? [options.apiKey] : [];
  const logger = options.logger ?? silentLogger;
  const client = createClient({ baseUrl, headers: options.defaultHeaders });
  client.use(authMiddleware(options.apiKey, credentialOrigins));
  const request = client.request as unknown as UntypedRequest;

  const retryingFetch = (retrySafe: boolean, callOptions: RequestOptions): FetchLike =>
    createRetryingFetch({
      fetch: options.fetch ?? ((input) => globalThis.fetch(input)),
      maxRetries: callOptions.maxRetries ?? options.maxRetries,
      timeoutMs: callOptions.timeoutMs ?? options.timeoutMs,
      signal: callOptions.signal,
      retrySafe,
      sleep: options.sleep ?? realSleep,
      random: options.random,
      logger,
    });

  async function sendUnlabelled(operation: OperationDescriptor, args: OperationArgs, callOptions: RequestOptions, key: string | undefined) {
    checkPathParams(operation, args.path);
    const headers: Record<string, string> = { ...callOptions.headers };
    if (key !== undefined && operation.idempotency) headers[operation.idempotency.header] = key;
    const bodyField = operation.idempotency?.bodyField;
    const body = key !== undefined && bodyField && isRecord(args.body) ? { ...args.body, [bodyField]: key } : args.body;
    const retrySafe = !isUnsafeMethod(operation.method) || key !== undefined;
    const init: Record<string, unknown> = {
      params: { path: args.path, query: args.query, header: args.header },
      headers,
      parseAs: "stream",
      fetch: retryingFetch(retrySafe, callOptions),
    };
    const contentType = operation.requestBody?.contentType ?? "application/json";
    if (body !== undefined) {
      init.body = body;
      init.bodySerializer = (value: unknown) => serializeBody(contentType, value);
      // multipart needs the boundary the platform writes into Content-Type itself
      if (!contentType.startsWith("multipart/")) headers["content-type"] ??= contentType;
    }
    const { response, error } = await request(operation.method, operation.path, init);
    if (!response.ok) throw errorFromResponse(response, error, secrets);
    return response;
  }

  async function send(operation: OperationDescriptor, args: OperationArgs, callOptions: RequestOptions = {}): Promise<SentResponse> {
    const key = operation.idempotency ? resolveIdempotencyKey(operation.idempotency, args.body, callOptions.idempotencyKey) : undefined;
    const response = await labelErrors(key, () => sendUnlabelled(operation, args, callOptions, key));
    return { response, idempotencyKey: key };
  }

  async function invoke<T>(operation: OperationDescriptor, args: OperationArgs, callOptions: RequestOptions = {}): Promise<T> {
    const { response, idempotencyKey } = await send(operation, args, callOptions);
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

  return { invoke, send, getJson, apiOrigin };
}

/**
 * One key per logical call: the caller's option, else the body field's value, else a fresh UUID.
 * Header and body field always carry the same value, so two different caller values are refused.
 */
export function resolveIdempotencyKey(descriptor: IdempotencyDescriptor, body: unknown, requested: string | undefined): string {
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
  throw new ValidationError(`${field} must use https:// (plain http:// is allowed only for loopback hosts), got ${url.origin}.`, field);
}

export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Every path parameter present and never a `.`/`..` segment: URL parsers resolve those even percent-encoded. */
function checkPathParams(operation: OperationDescriptor, path: OperationArgs["path"]): void {
  for (const name of operation.pathParams) {
    const value = path?.[name];
    if (value === undefined || String(value) === "") throw new ValidationError(`${name} must not be empty.`, name);
    if (String(value) === "." || String(value) === "..") throw new ValidationError(`${name} must not be "." or "..".`, name);
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
  if (body === undefined || (typeof body === "string" && body.trim() === "")) return APIError.generate(response.status, undefined, headers);
  if (typeof body === "string") return new MalformedResponseError(response.status, headers, redactSecrets(body, secrets));
  return APIError.generate(response.status, JSON.parse(redactSecrets(JSON.stringify(body), secrets)), headers);
}

async function readSuccessBody(kind: OperationDescriptor["response"], response: Response, secrets: readonly string[]): Promise<unknown> {
  switch (kind) {
    case "event-stream":
      return response;
    case "binary":
      return response.blob();
    case "text":
      return response.text();
    case "empty":
      await response.body?.cancel();
      return undefined;
    case "json": {
      if (response.headers.get("content-type")?.includes("text/event-stream")) {
        await response.body?.cancel();
        throw new MalformedResponseError(response.status, redactedHeaders(response.headers, secrets), "", "is an event stream, not JSON (use the streaming method)");
      }
      const text = await response.text();
      if (text.trim() === "") return undefined;
      const parsed = parseJson(text);
      if (parsed.ok) return parsed.value;
      throw new MalformedResponseError(response.status, redactedHeaders(response.headers, secrets), redactSecrets(text, secrets));
    }
  }
}

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

/** The key goes only to origins the caller trusts; a caller-supplied Authorization elsewhere is dropped too. */
function authMiddleware(apiKey: string | undefined, credentialOrigins: ReadonlySet<string>): Middleware {
  return {
    onRequest({ request }) {
      if (apiKey && credentialOrigins.has(new URL(request.url).origin)) request.headers.set("authorization", `Bearer ${apiKey}`);
      else request.headers.delete("authorization");
      return request;
    },
  };
}

/** Encodes a request body for its declared media type; JSON unless the spec says otherwise. */
export function serializeBody(contentType: string, body: unknown): BodyInit {
  if (contentType.includes("json")) return JSON.stringify(body);
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return body instanceof URLSearchParams ? body : new URLSearchParams(Object.entries(body as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }
  if (contentType.startsWith("multipart/") && !(body instanceof FormData) && isRecord(body)) {
    const form = new FormData();
    for (const [name, value] of Object.entries(body)) form.append(name, value instanceof Blob ? value : String(value));
    return form;
  }
  if (typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body) || body instanceof FormData || body instanceof URLSearchParams || body instanceof ReadableStream) {
    return body as BodyInit;
  }
  return String(body);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
