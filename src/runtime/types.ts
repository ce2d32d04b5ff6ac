// The contract between generated wrappers and the runtime. Generated code imports only from
// the runtime entry (src/runtime/index.ts), never from a deeper module.
import type { PagePromise, PaginationDescriptor } from "./pagination.js";

/** The path item methods, OpenAPI 3.2's `query`, or an `additionalOperations` key as sent (e.g. `PURGE`). */
export type HttpMethod =
  "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace" | "query" | (string & {});

/** How an operation accepts an idempotency key, read from the spec by the generator. */
export interface IdempotencyDescriptor {
  /** Request header that carries the key, e.g. `Idempotency-Key`. */
  readonly header: string;
  /** Top-level request-body property that must carry the same key, when the spec declares one. */
  readonly bodyField?: string;
  /** How long the server remembers a key, in seconds, when the spec says so. */
  readonly windowSeconds?: number;
}

/** How the runtime should read a successful response body. */
export type ResponseKind = "json" | "text" | "binary" | "event-stream" | "empty";

/** A JSON type as JSON Schema names it; "integer" is a whole number. */
export type JsonType = "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

/**
 * What the runtime checks of a JSON value, read from a schema by the generator: its types, and for an object
 * its required properties with theirs. `enum` is recorded but not enforced by the generic check (servers add
 * values); a caller that must reject unknown values (a run's `status`) checks it itself.
 */
export interface ValueShape {
  readonly types?: readonly JsonType[];
  readonly enum?: readonly (string | number | boolean | null)[];
  readonly required?: { readonly [property: string]: ValueShape };
}

/** How a parameter or form field is written on the wire (OpenAPI `style`). */
export type ParameterStyle =
  "form" | "spaceDelimited" | "pipeDelimited" | "deepObject" | "simple" | "label" | "matrix" | "cookie";

/**
 * A parameter serialized other than its location's default. `style` defaults to form (query, cookie) or simple
 * (path, header); `explode` to true for form and false otherwise, as in the OpenAPI specification.
 */
export interface ParameterDescriptor {
  /** Name as written in the spec. */
  readonly name: string;
  readonly style?: ParameterStyle;
  readonly explode?: boolean;
  /** Query only: RFC 3986 reserved characters (`:/?#[]@!$&'()*+,;=`) are sent unencoded. */
  readonly allowReserved?: boolean;
  /** Declared with `content`, not `schema`: the value is sent whole in this media type (JSON, else text), no style. */
  readonly contentType?: string;
}

/** A parameter: its spec name alone when it is serialized the default way. */
export type ParameterEntry = string | ParameterDescriptor;

/** How one field of a form body is written (an OpenAPI Encoding Object), when not the default. */
export interface EncodingDescriptor {
  /** multipart: the part's media type (objects: JSON only, default application/json; untyped Blobs: the first listed). */
  readonly contentType?: string;
  /** urlencoded: written like a query parameter with this style (default: objects as JSON, arrays repeated). */
  readonly style?: ParameterStyle;
  readonly explode?: boolean;
  readonly allowReserved?: boolean;
}

/**
 * How an event's `data` is read: parsed as JSON or kept as text, for every event or, when an itemSchema's oneOf
 * branches differ, by event name (`otherwise` for a name no branch pins).
 */
export type EventDataFormat =
  | "json"
  | "text"
  | { readonly events: { readonly [event: string]: "json" | "text" }; readonly otherwise: "json" | "text" };

/** Everything the runtime needs to send one operation; emitted by the generator, one per operation. */
export interface OperationDescriptor {
  /** operationId from the spec, or one derived from method and path. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path template exactly as in the spec, e.g. `/techniques/{techniqueId}/runs`. */
  readonly path: string;
  /**
   * Base URL of the server the spec declares for this operation or its path item (the first, variables at
   * their defaults; relative to the client's base URL when relative). Absent: the client's base URL.
   */
  readonly server?: string;
  /**
   * The operation's own `security`, when it differs from the spec's root one: each alternative as the names of the
   * security schemes it needs together, scopes left out (`[]` within: no credentials needed). Absent: the root's.
   * The ready client (`createClientRuntime`) sends the credentials of the first alternative the caller configured.
   */
  readonly security?: readonly (readonly string[])[];
  /** The path parameters, in the order they appear in the path. */
  readonly pathParams: readonly ParameterEntry[];
  readonly queryParams: readonly ParameterEntry[];
  readonly headerParams: readonly ParameterEntry[];
  /** Sent in one `Cookie` header; absent when there are none. */
  readonly cookieParams?: readonly ParameterEntry[];
  /** Present when the operation has a request body. */
  readonly requestBody?: {
    /** The media type the wrapper sends: application/json, multipart/form-data, application/x-www-form-urlencoded, application/octet-stream, text/plain, … */
    readonly contentType: string;
    readonly required: boolean;
    /** Form bodies: fields the spec encodes other than by default, by field name. */
    readonly encoding?: { readonly [field: string]: EncodingDescriptor };
  };
  /** How to read the success body. */
  readonly response: ResponseKind;
  /** What a JSON success body must be, from the response schema; a body that is not is a MalformedResponseError. */
  readonly responseShape?: ValueShape;
  /** Present when the operation accepts an idempotency key. */
  readonly idempotency?: IdempotencyDescriptor;
  /** True when a success response may be `text/event-stream`. */
  readonly streaming?: boolean;
  /** Present when the spec types each event (OpenAPI 3.2 `itemSchema`): how an event's `data` is read. */
  readonly eventData?: EventDataFormat;
}

/** Per-call options, the last argument of every generated method. */
export interface RequestOptions {
  /** Reuse a key from an earlier call, e.g. after an ambiguous failure; otherwise one is generated. */
  idempotencyKey?: string;
  /** Aborts the call: no further attempt, and the call rejects with APIUserAbortError. */
  signal?: AbortSignal;
  /**
   * Per attempt, in milliseconds, from 1 to 2_147_483_647: from sending the request, its body included (a long
   * upload needs a longer one), until the response has arrived, its body too unless it is an event stream.
   * Default: the client's (60_000). An attempt that runs out is an APITimeoutError, retried like a connection error.
   */
  timeoutMs?: number;
  /**
   * Retries after the first attempt, an integer from 0 to 100; default: the client's (2). Only for a call that may
   * act twice safely: a GET, HEAD, OPTIONS, PUT, DELETE or QUERY, or one sent with an idempotency key; never for a
   * ReadableStream body, which can be sent only once.
   */
  maxRetries?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /**
   * List methods only (those returning a `PagePromise`; other methods ignore it): the most pages a `for await`
   * or `.pages()` walk requests, the first page included. Reaching it with more pages to come is a
   * `PaginationError` whose `pageQuery` resumes the walk. A whole number ≥ 1; default `Infinity` (no cap).
   */
  maxPages?: number;
}

/** The values a generated wrapper hands to the runtime; keys are the spec's parameter names. */
export interface OperationArgs {
  path?: Record<string, unknown>;
  query?: Record<string, unknown>;
  header?: Record<string, unknown>;
  cookie?: Record<string, unknown>;
  body?: unknown;
}

/** What generated resource factories call: `createRuntime` implements it (src/runtime/client.ts). */
export interface OperationInvoker {
  invoke<T>(operation: OperationDescriptor, args: OperationArgs, options?: RequestOptions): Promise<T>;
  /**
   * Sends the operation and yields each event of its text/event-stream answer, `data` parsed as `eventData` says.
   * `T` is the event type the generator derived from the spec's `itemSchema`; the runtime checks only that data is JSON.
   */
  stream<T>(
    operation: OperationDescriptor,
    args: OperationArgs,
    options?: RequestOptions,
  ): AsyncGenerator<T, void, undefined>;
  /**
   * A list operation's result: awaitable to its first page (`Page`), async-iterable over every `Item` of every
   * page, each page sent like `invoke` with the same options. `paginate` from the runtime entry implements it
   * for any invoker: `paginate: (...a) => paginate(invoker, ...a)`.
   */
  paginate<Page, Item>(
    operation: OperationDescriptor,
    args: OperationArgs,
    options: RequestOptions | undefined,
    pagination: PaginationDescriptor,
  ): PagePromise<Page, Item>;
}
