// createRuntime: the OperationInvoker generated wrappers call. A call with plain path segments and a JSON body (all
// of Flora's but the list) is written here; one with a query, styled or structured parameters, cookies or a form
// body loads serialize.ts, whose serializers are openapi-fetch's. The retrying fetch sends it.
import type { Authorize, CredentialProvider } from "./credentials.js";
import {
  errorFromResponse,
  ValidationError,
  type ErrorEnvelope,
  type ErrorEnvelopeDescriptor,
  SDKError,
} from "./errors.js";
import {
  bodyText,
  bufferedBody,
  createRetryingFetch,
  isEventStream,
  parseJson,
  type FetchLike,
  type StreamBody,
} from "./fetch.js";
import {
  checkHeader,
  checkHeaders,
  checkNumber,
  checkSignal,
  checkType,
  invalid,
  isRecord,
  MILLISECONDS,
  RETRIES,
  shapeProblem,
  stringifyJson,
  isJsonMedia,
  isPlainObject,
} from "./check.js";
import { redactErrorWith, secretRedactor, silentLogger, type Logger } from "./log.js";
import { sleep as realSleep, type Sleep } from "./sleep.js";
import { paginate } from "./pagination.js";
import type {
  HttpMethod,
  IdempotencyDescriptor,
  OperationArgs,
  OperationDescriptor,
  OperationInvoker,
  RequestOptions,
  ValueShape,
} from "./types.js";

export interface RuntimeOptions {
  /**
   * e.g. `https://app.flora.ai/api/v1`; `http:` only for loopback hosts unless `allowInsecureHttp`. It replaces the
   * spec's root `servers`; an operation whose path item or operation declares its own servers goes to those instead
   * (see `serverUrls`).
   */
  baseUrl: string;
  /** Lets every URL (base, servers, origins) be plain `http://` to any host, credentials too, e.g. an internal API. */
  allowInsecureHttp?: boolean;
  /**
   * Where an operation with its own servers goes instead: keyed by its descriptor's `server` (the spec's URL,
   * variables at their defaults), e.g. `{ "https://uploads.example.com/v1": "http://127.0.0.1:4010/v1" }`.
   * Each URL given here is the caller's choice, like `baseUrl`: its origin receives the credentials.
   */
  serverUrls?: Readonly<Record<string, string>>;
  /**
   * Whether an operation's own server, as the spec declares it (not replaced through `serverUrls`), receives the
   * credentials on another origin than `baseUrl`'s. Default false: such a server gets none unless its origin is
   * in `credentialOrigins`. A generated `createClient` sets it when `baseUrl` is the spec's own (no `baseUrl`
   * option or environment variable), since the spec then names every server the API has.
   */
  trustOperationServers?: boolean;
  /** Credential headers (e.g. `{ authorization: "Bearer …" }`), sent only to the API origin and `credentialOrigins`. */
  credentials?: Record<string, string>;
  /**
   * Credentials obtained at run time (a token provider, a query-string key): asked before every attempt to the API
   * origin or `credentialOrigins`, never for another origin. Every value it returns is redacted from errors and
   * from lines given to `logger`.
   */
  credentialProvider?: CredentialProvider;
  /** Strings never to show in errors or logs (the raw credentials). */
  secrets?: readonly string[];
  /** Where this API's error bodies keep their code and message; default Flora's `{ error: { code, message, fields } }`. */
  errorEnvelope?: ErrorEnvelopeDescriptor;
  /** Further origins (e.g. where poll URLs live) that may receive the API key. */
  credentialOrigins?: readonly string[];
  /** Sent with every request, e.g. an SDK identification header. */
  defaultHeaders?: Record<string, string>;
  /** Retries after the first attempt, an integer from 0 to 100; default 2. */
  maxRetries?: number;
  /** Per attempt (sending the request body included), in milliseconds, from 1 to 2_147_483_647; default 60_000. */
  timeoutMs?: number;
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
  /**
   * GETs an absolute https (or loopback http) URL, e.g. a poll URL, as JSON with the same retries; credentials
   * only for allowed origins. A body that does not fit `shape` is a MalformedResponseError.
   */
  getJson<T>(url: string, options?: RequestOptions, shape?: ValueShape): Promise<T>;
  /** Redacts the configured secrets, in place, from an error and all it reaches; returns it. */
  redact<E>(error: E): E;
  /** The configured secrets replaced in text, e.g. an event's data before it is parsed or quoted. */
  redactText(text: string): string;
}

/** Where and how one request goes: the URL's parts and the headers, as openapi-fetch's request options name them. */
interface RequestTarget {
  /** Instead of the runtime's `baseUrl` (an operation's own server, a poll URL's origin). */
  baseUrl?: string;
  params?: { path?: Record<string, unknown>; query?: Record<string, unknown>; header?: Record<string, string> };
  headers: Record<string, string>;
  /** A styled call's serializers (serialize.ts); else `plainPath`, and no query. */
  querySerializer?: (query: Record<string, unknown>) => string;
  pathSerializer?: (url: string, path: Record<string, unknown>) => string;
  /** Cookie parameters, appended to whatever Cookie header the other headers set. */
  cookie?: string;
}

/**
 * The path of a call that did not load serialize.ts: each `{name}` whose value is present, percent-encoded. Such a
 * call's path parameters are plain names with string or number values (see needsSerializer), checked by
 * checkPathParams; openapi-fetch's default serializer writes them the same way (its styles and structures would
 * bring its serializers into every client: they load with serialize.ts instead).
 */
const plainPath = (url: string, path: Record<string, unknown>): string =>
  url.replace(/\{([^{}]+)\}/g, (template, name: string) =>
    path[name] == null ? template : encodeURIComponent(path[name] as string | number),
  );

/**
 * What only some APIs need of a runtime: operations on servers of their own, credentials obtained at run time, an
 * error envelope of their own. `createRuntime` builds them from its options; a client that needs none of them
 * (Flora's) calls `createBaseRuntime` without, so a bundler leaves their code out.
 */
export interface RuntimeExtras {
  /** Origins of `serverUrls`, which receive the credentials too. */
  origins: readonly string[];
  /** The base URL an operation with its own `server` goes to; may trust its origin by adding it to `origins`. */
  operationBaseUrl(server: string, origins: Set<string>): string;
  /** With the first request: the provider's per-attempt `authorize` and the logger to use instead. */
  attemptHooks?(
    origins: ReadonlySet<string>,
    secrets: readonly string[],
    redactOnly: (secrets: string[]) => void,
    redactText: (text: string) => string,
  ): Promise<{ authorize: Authorize; logger?: Logger }>;
  /** An error body's code and message, read from the API's own envelope. */
  readEnvelope?(body: unknown): Promise<ErrorEnvelope>;
}

const LOG_METHODS = ["error", "warn", "info", "debug"] as const;

/** `sink` with every line passed through `redact` first. */
const redactingSink = (sink: Logger, redact: (text: string) => string): Logger => ({
  error: (line) => sink.error(redact(line)),
  warn: (line) => sink.warn(redact(line)),
  info: (line) => sink.info(redact(line)),
  debug: (line) => sink.debug(redact(line)),
});

/** A runtime with every option: servers per operation, credential providers, an API's own error envelope. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const http = options.allowInsecureHttp;
  const baseUrl = checkApiUrl(options.baseUrl, "baseUrl", http);
  const serverUrls = Object.fromEntries(
    Object.entries(options.serverUrls ?? {}).map(([server, url]) => [
      server,
      checkApiUrl(url, `serverUrls[${server}]`, http),
    ]),
  );
  const { credentialProvider: provider, errorEnvelope, logger } = options;
  const secrets = (options.secrets ?? []).filter((secret) => secret !== "");
  // a line that quotes a secret (a connection error's text) is redacted as errors are (a provider's hooks redact theirs)
  const redactLines =
    logger && !provider && secrets.length > 0 && LOG_METHODS.every((m) => typeof logger[m] === "function");
  return createBaseRuntime(
    redactLines ? { ...options, logger: redactingSink(logger, secretRedactor(secrets)) } : options,
    {
      origins: Object.values(serverUrls),
      /** The caller's replacement for an operation's own server, else that server (a relative one against baseUrl). */
      operationBaseUrl(server, origins) {
        const url = serverUrls[server] ?? checkBaseUrl(new URL(server, baseUrl).href, "server", http);
        // the spec's own server is the API's only while the spec's base URL is in use (serverUrls' already are)
        if (options.trustOperationServers) origins.add(new URL(url).origin);
        return url;
      },
      attemptHooks:
        provider &&
        ((origins, secrets, redactOnly, redactText) =>
          import("./credentials.js").then((module) =>
            module.providerHooks(provider, origins, secrets, redactOnly, redactText, options.logger),
          )),
      // an API's own envelope is read by a module loaded with its first error response
      readEnvelope:
        errorEnvelope && (async (body) => (await import("./error-envelope.js")).readEnvelope(body, errorEnvelope)),
    },
  );
}

/**
 * A runtime for an API whose operations all go to `baseUrl` (an operation's own `server` needs `extras`), with
 * fixed credentials and Flora's error envelope; `serverUrls`, `trustOperationServers`, `credentialProvider` and
 * `errorEnvelope` are read only by `createRuntime`, which passes them as `extras`.
 */
export function createBaseRuntime(options: RuntimeOptions, extras?: RuntimeExtras): Runtime {
  const http = options.allowInsecureHttp;
  const baseUrl = checkApiUrl(options.baseUrl, "baseUrl", http);
  checkRequestOptions(options, "options");
  checkType(options.fetch, "fetch", "function");
  checkType(options.sleep, "sleep", "function");
  checkType(options.credentialOrigins, "credentialOrigins", "array");
  // as checked: a later change to the caller's object cannot slip an unchecked value into a request
  const defaultHeaders = checkHeaders(options.defaultHeaders, "defaultHeaders");
  const { maxRetries = 2, timeoutMs = 60_000 } = options;
  checkHeaders(options.credentials, "credentials");
  const credentialOrigins = new Set(
    [
      baseUrl,
      ...(extras?.origins ?? []),
      ...(options.credentialOrigins ?? []).map((origin) => checkBaseUrl(origin, "credentialOrigins", http)),
    ].map((url) => new URL(url).origin),
  );
  const secrets = (options.secrets ?? []).filter((secret) => secret !== "");
  const attemptHooks = extras?.attemptHooks;
  // a credential provider's module (loaded with the first request) swaps in a redactor as its values arrive
  let known: readonly string[] = secrets;
  let redactor = secrets.length > 0 ? secretRedactor(secrets) : undefined;
  const redactText = redactor || attemptHooks ? (text: string) => redactor?.(text) ?? text : undefined;
  /**
   * Redacts the client's secrets and those one call obtained (`own`, filled by its attempts): a call's own token
   * stays redacted in its error however many newer calls have pushed it out of the client-wide set.
   */
  const callRedactor = (own: string[]) => {
    if (!redactText) return undefined;
    // one redactor of all the secrets, longest first (so none is cut by a shorter one inside it), rebuilt only when
    // the call obtained another or the client's set changed
    let built: { for: readonly string[]; size: number; redact: (text: string) => string } | undefined;
    return (text: string) => {
      if (own.length === 0) return redactText(text);
      if (built?.for !== known || built.size !== own.length)
        built = { for: known, size: own.length, redact: secretRedactor([...known, ...own]) };
      return built.redact(text);
    };
  };
  const redactWith = <E>(error: E, redactCall: ((text: string) => string) | undefined): E =>
    redactCall ? redactErrorWith(error, redactCall) : error;
  const redact = <E>(error: E): E => redactWith(error, redactText);
  let hooks: ReturnType<NonNullable<RuntimeExtras["attemptHooks"]>> | undefined;
  const withCredentials = credentialsFor(options.credentials ?? {}, baseUrl, credentialOrigins);

  /**
   * One logical request, written as openapi-fetch's `createClient` writes it (base URL without its trailing slash,
   * path, query; headers set in order: defaults, the call's, header parameters) and sent by the retrying fetch; a
   * non-2xx response throws its typed error.
   */
  async function request(
    method: HttpMethod,
    path: string,
    target: RequestTarget,
    callOptions: RequestOptions,
    retrySafe: boolean,
    own: string[],
    body?: BodyInit | StreamBody,
  ): Promise<Response> {
    const { authorize, logger = options.logger } = attemptHooks
      ? await (hooks ??= attemptHooks(
          credentialOrigins,
          secrets,
          (all) => {
            known = all;
            redactor = secretRedactor(all);
          },
          redactText!,
        ))
      : {};
    const fetch = createRetryingFetch({
      fetch: options.fetch ?? ((input, fetchInit) => globalThis.fetch(input, fetchInit)),
      maxRetries: callOptions.maxRetries ?? maxRetries,
      timeoutMs: callOptions.timeoutMs ?? timeoutMs,
      signal: callOptions.signal,
      retrySafe,
      body,
      sleep: options.sleep ?? realSleep,
      random: options.random,
      redact: callRedactor(own),
      logger: logger ?? silentLogger,
      authorize: authorize && ((url, init, signal) => authorize(url, init, signal, (values) => own.push(...values))),
      credentials: withCredentials,
    });
    const { params = {} } = target;
    const headers = new Headers();
    for (const values of [defaultHeaders, target.headers, params.header])
      for (const [name, value] of Object.entries(values ?? {})) headers.set(name, value);
    if (target.cookie !== undefined) {
      const before = headers.get("cookie");
      headers.set("cookie", before ? `${before}; ${target.cookie}` : target.cookie);
    }
    let url = `${(target.baseUrl ?? baseUrl).replace(/\/$/, "")}${path}`;
    if (params.path) url = (target.pathSerializer ?? plainPath)(url, params.path);
    // a call with query parameters always loads serialize.ts (see needsSerializer), whose serializer writes them
    const query = target.querySerializer?.(params.query ?? {}).replace(/^\?/, "");
    // A path with its own query (OpenAI's `/responses/{id}/input_items?beta=true`) takes the rest after "&": path
    // values are percent-encoded and a base URL has no query, so a "?" here is the path template's.
    if (query) url += `${url.includes("?") ? "&" : "?"}${query}`;
    // A Request as openapi-fetch builds it: its constructor normalizes the URL, writes GET, POST, PUT, DELETE, HEAD
    // and OPTIONS in capitals (in any case), and refuses an invalid or forbidden method, which method.ts then
    // explains. PATCH and QUERY are path item fields, written in lower case; any other key is sent as written.
    let sent: Request;
    try {
      sent = new Request(url, { method: /^(patch|query)$/.test(method) ? method.toUpperCase() : method, headers });
    } catch (error) {
      throw (await import("./method.js")).methodError(method, path, error);
    }
    const response = await fetch(sent);
    if (!response.ok) {
      const error = await errorBody(response, method);
      const envelope = await extras?.readEnvelope?.(error);
      throw errorFromResponse(response, error, undefined, callRedactor(own), envelope);
    }
    return response;
  }

  /** Sends an operation; every error after the key is chosen carries it. The 2xx body may already sit in `bufferedBody`. */
  async function sendOperation(
    operation: OperationDescriptor,
    args: OperationArgs,
    callOptions: RequestOptions,
    own: string[] = [],
  ): Promise<SentResponse> {
    const { idempotency } = operation;
    const key = idempotency && resolveIdempotencyKey(idempotency, args.body, callOptions.idempotencyKey);
    try {
      checkPathParams(operation, args.path);
      const callHeaders = checkRequestOptions(callOptions, "options");
      const contentType = operation.requestBody?.contentType ?? "application/json";
      // Styles, cookies and form bodies load their serializer on first use: a bundler splits it off for APIs
      // (like Flora's) whose calls are JSON with plain path segments.
      const serialize = needsSerializer(operation, args, contentType) ? await import("./serialize.js") : undefined;
      const header = serialize?.headerValues(operation.headerParams, args.header) ?? {};
      checkHeaders(header, "header");
      if (key !== undefined && idempotency) checkHeader(idempotency.header, key, "idempotencyKey");
      const headers: Record<string, string> = { ...callHeaders };
      const bodyField = idempotency?.bodyField;
      let body = args.body;
      if (key !== undefined && idempotency) {
        headers[idempotency.header] = key;
        if (bodyField && isRecord(body)) {
          body =
            isPlainObject(body) && !("toJSON" in body)
              ? { ...body, [bodyField]: key }
              : // a class instance, a form or bytes: written by the serializer's module, loaded for them
                (serialize ?? (await import("./serialize.js"))).withBodyField(
                  body,
                  bodyField,
                  key,
                  isJsonMedia(contentType),
                );
        }
      }
      // Serialized once and handed to the retrying fetch, which sends it on every attempt; the Request request()
      // builds stays body-less, so no stream is built for a body nobody reads.
      const serialized =
        body === undefined
          ? undefined
          : serialize
            ? serialize.wireBody(contentType, body, operation.requestBody?.encoding)
            : stringifyJson(body);
      // a multipart body's Content-Type, with its boundary, is its Blob's type (the platform's, for a FormData)
      // unless the caller's headers name one, in any case
      if (
        serialized !== undefined &&
        !contentType.startsWith("multipart/") &&
        !Object.keys(headers).some((name) => name.toLowerCase() === "content-type")
      )
        headers["content-type"] = contentType;
      const params = { path: args.path, query: args.query, header };
      const init: RequestTarget = { params, headers, ...serialize?.requestInit(operation, args) };
      if (operation.server !== undefined) init.baseUrl = extras?.operationBaseUrl(operation.server, credentialOrigins);
      const retrySafe = !isUnsafeMethod(operation.method) || key !== undefined;
      const response = await request(operation.method, operation.path, init, callOptions, retrySafe, own, serialized);
      return { response, idempotencyKey: key };
    } catch (error) {
      throw redactWith(withIdempotencyKey(error, key), callRedactor(own));
    }
  }

  const runtime: Runtime = {
    async send(operation, args, callOptions = {}) {
      const sent = await sendOperation(operation, args, callOptions);
      return { ...sent, response: unreadResponse(sent.response) };
    },
    async invoke<T>(operation: OperationDescriptor, args: OperationArgs, callOptions: RequestOptions = {}) {
      const own: string[] = [];
      const { response, idempotencyKey } = await sendOperation(operation, args, callOptions, own);
      const redactCall = callRedactor(own);
      try {
        return (await readSuccessBody(operation.response, response, operation.responseShape, redactCall)) as T;
      } catch (error) {
        throw redactWith(withIdempotencyKey(error, idempotencyKey), redactCall);
      }
    },
    async *stream<T>(operation: OperationDescriptor, args: OperationArgs, callOptions: RequestOptions = {}) {
      const own: string[] = [];
      const { response, idempotencyKey } = await sendOperation(operation, args, callOptions, own);
      const redactCall = callRedactor(own);
      try {
        // checked before the reader loads: an answer that is not a stream fails without it
        if (!isEventStream(response) || !response.body)
          throw errorFromResponse(
            response,
            await bodyText(response),
            { problem: "is not an event stream" },
            redactCall,
          );
        // loaded with the first stream, so clients that never stream never bundle it
        const { operationEvents } = await import("./sse.js");
        yield* operationEvents(response.body, operation, callOptions.signal, redactCall) as AsyncGenerator<T>;
      } catch (error) {
        throw redactWith(withIdempotencyKey(error, idempotencyKey), redactCall);
      }
    },
    async getJson<T>(url: string, callOptions: RequestOptions = {}, shape?: ValueShape) {
      const own: string[] = [];
      try {
        const target = new URL(checkBaseUrl(url, "url", http));
        const headers = checkRequestOptions(callOptions, "options");
        const init = { baseUrl: target.origin, headers };
        const response = await request("get", `${target.pathname}${target.search}`, init, callOptions, true, own);
        return (await readSuccessBody("json", response, shape, callRedactor(own))) as T;
      } catch (error) {
        throw redactWith(error, callRedactor(own));
      }
    },
    paginate: (operation, args, callOptions, pagination) => paginate(runtime, operation, args, callOptions, pagination),
    redact,
    redactText: redactText ?? String,
  };
  return runtime;
}

/** The numeric, signal and header options every call accepts, checked before anything is sent; returns the headers. */
function checkRequestOptions(
  options: Pick<RequestOptions, "maxRetries" | "timeoutMs" | "headers" | "signal">,
  field: string,
): Record<string, string> {
  checkType(options, field, "object");
  checkNumber(options.maxRetries, `${field}.maxRetries`, RETRIES);
  checkNumber(options.timeoutMs, `${field}.timeoutMs`, MILLISECONDS);
  checkSignal(options.signal, `${field}.signal`);
  return checkHeaders(options.headers, `${field}.headers`);
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
    throw invalid(descriptor.bodyField!, "must be a string.");
  }
  if (requested !== undefined && fromBody !== undefined && requested !== fromBody) {
    throw new ValidationError(
      `options.idempotencyKey and body.${descriptor.bodyField} differ; pass the key once (or the same value in both).`,
      "idempotencyKey",
    );
  }
  if (requested !== undefined && typeof requested !== "string") {
    throw invalid("idempotencyKey", "must be a string.");
  }
  const key = requested ?? fromBody ?? globalThis.crypto.randomUUID();
  if (key.trim() === "") throw invalid("idempotencyKey", "must not be empty.");
  return key;
}

/** `checkBaseUrl` for a URL that paths are appended to: a query or fragment would swallow them. */
function checkApiUrl(value: string, field: string, allowHttp?: boolean): string {
  if (/[?#]/.test(checkBaseUrl(value, field, allowHttp)))
    throw invalid(field, "must not have a query (?) or fragment (#).");
  return value;
}

/** Refuses cleartext HTTP except to loopback, where nothing crosses a network, or when `allowHttp` says so. */
export function checkBaseUrl(value: string, field: string, allowHttp?: boolean): string {
  checkType(value, field, "string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, `is not a valid absolute URL: ${JSON.stringify(value)}.`);
  }
  if (url.username !== "" || url.password !== "") {
    throw invalid(field, "must not carry credentials (user:password@); pass them as options.");
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && (allowHttp || isLoopbackHost(url.hostname))))
    return value;
  throw invalid(field, `must use https:// (plain http:// is allowed only for loopback hosts), got ${url.origin}.`);
}

export function isLoopbackHost(hostname: string): boolean {
  // not *.localhost: Node hands those names to the system resolver, which may answer anything
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Every path parameter present (the path serializer refuses `.`/`..` segments). */
function checkPathParams(operation: OperationDescriptor, path: OperationArgs["path"]): void {
  for (const entry of operation.pathParams) {
    const name = typeof entry === "string" ? entry : entry.name;
    const raw = path?.[name];
    if (raw === undefined || raw === null || String(raw) === "") throw invalid(name, "must not be empty.");
    // a styled or structured value is checked by its serializer, once written
    if (raw === "." || raw === "..") throw invalid(name, 'must not be "." or "..".');
    if (typeof raw === "number" && !Number.isFinite(raw)) throw invalid(name, `must be a finite number; got ${raw}.`);
    // encodeURIComponent throws a bare URIError on these
    if (LONE_SURROGATE.test(String(raw))) throw invalid(name, "is not well-formed Unicode (a lone surrogate).");
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a call needs more than openapi-fetch's defaults: styled or structured parameters, cookies, a form body. */
function needsSerializer(operation: OperationDescriptor, args: OperationArgs, contentType: string): boolean {
  return (
    args.query !== undefined ||
    args.header !== undefined ||
    args.cookie !== undefined ||
    // and any path value but a string or number: the serializer refuses a function (whose source String() would send)
    operation.pathParams.some((entry) => {
      const type = typeof entry === "string" ? typeof args.path?.[entry] : "styled";
      return type !== "string" && type !== "number";
    }) ||
    (args.body !== undefined && !isJsonMedia(contentType))
  );
}

// The idempotent methods as they go out: fetch writes GET, PUT, DELETE, OPTIONS and HEAD in capitals whatever the
// case (an `additionalOperations` key may be spelled `Get`), and QUERY (OpenAPI 3.2) is the `query` field or a key
// spelled `QUERY` (a key `Query` goes out as written, another method). TRACE, which fetch refuses, is never sent.
// Any other method (`PURGE`, `post`, `Query`) may act twice.
function isUnsafeMethod(method: HttpMethod): boolean {
  return !(/^(get|put|delete|options|head)$/i.test(method) || /^(query|QUERY)$/.test(method));
}

/** Lets the caller retry safely: an error from a call that sent a key says which key. */
/**
 * The body with the idempotency key in `field`: a plain object spread; for JSON, any other object by its JSON (a
 * class instance's getters and toJSON are on its prototype, which a spread leaves behind), when that is an object;
 * a URLSearchParams or FormData copied with the field set. Anything else (an array, text, bytes, a stream) as it is:
 * the key goes in the header only.
 */
function withIdempotencyKey(error: unknown, idempotencyKey: string | undefined): unknown {
  // only an SDK error: the caller's own (a getter's, a toJSON's) is theirs, and nothing was sent
  if (idempotencyKey !== undefined && error instanceof SDKError && Object.isExtensible(error))
    error.idempotencyKey = idempotencyKey;
  return error;
}

/**
 * A non-2xx body as openapi-fetch reads one: none for HEAD or a declared empty body, else its JSON when it parses,
 * else its text (already redacted by the retrying fetch).
 */
async function errorBody(response: Response, method: HttpMethod): Promise<unknown> {
  const { headers } = response;
  if (
    method === "head" ||
    (headers.get("content-length") === "0" && !headers.get("transfer-encoding")?.includes("chunked"))
  )
    return undefined;
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A response whose body the retrying fetch already read, made readable again (a 204 or 205 may have none). */
function unreadResponse(response: Response): Response {
  const buffered = bufferedBody(response);
  if (buffered === undefined) return response;
  return new Response([204, 205].includes(response.status) ? null : buffered.bytes, response);
}

/** Only an event stream arrives unread: every other 2xx body was read inside its attempt. */
async function readSuccessBody(
  kind: OperationDescriptor["response"],
  response: Response,
  shape: ValueShape | undefined,
  redact: ((text: string) => string) | undefined,
): Promise<unknown> {
  if (kind === "event-stream") return unreadResponse(response);
  const buffered = bufferedBody(response);
  if (kind === "empty") {
    if (buffered === undefined) await response.body?.cancel();
    return undefined;
  }
  if (kind === "json" && buffered === undefined && isEventStream(response)) {
    await response.body?.cancel();
    throw errorFromResponse(
      response,
      "",
      { problem: "is an event stream, not JSON (use the streaming method)" },
      redact,
    );
  }
  if (kind === "binary") {
    if (buffered === undefined) return response.blob();
    return new Blob([buffered.bytes], { type: response.headers.get("content-type") ?? "" });
  }
  const text = await bodyText(response);
  if (kind === "text") return text;
  const parsed = buffered?.json ?? parseJson(text);
  if (parsed === "malformed") throw errorFromResponse(response, text, {}, redact);
  const problem = shape && shapeProblem(parsed.value, shape);
  if (problem) {
    throw errorFromResponse(response, text, { problem: `does not match the response schema: ${problem}` }, redact);
  }
  return parsed.value;
}

/**
 * Credentials go only to origins the caller trusts; caller-supplied ones elsewhere are dropped too. Set on the
 * request's headers before its first attempt (not as openapi-fetch middleware, which costs every call an id and a
 * frozen options object).
 */
function credentialsFor(
  credentials: Record<string, string>,
  baseUrl: string,
  credentialOrigins: ReadonlySet<string>,
): (url: string, headers: Headers) => void {
  const entries = Object.entries(credentials);
  // a request's url is normalized, so one that starts with an origin and "/" has that origin: no parse per call
  const basePrefix = `${new URL(baseUrl).origin}/`;
  return (url, headers) => {
    if (url.startsWith(basePrefix) || credentialOrigins.has(new URL(url).origin)) {
      for (const [name, value] of entries) headers.set(name, value);
    } else {
      // Headers.delete ignores case; a caller's own cookie or proxy credentials stay home too
      for (const name of ["authorization", "cookie", "proxy-authorization", ...Object.keys(credentials)])
        headers.delete(name);
    }
  };
}
