// One flat error hierarchy: everything the runtime throws extends SDKError. API-neutral: an API's own entry
// (Flora's `FloraError`) names its root on top of it.
// check.ts throws ValidationError from here: a cycle, safe since each side uses the other only inside functions.
import { isRecord } from "./check.js";

/** One per-field problem from the error envelope's `fields`. */
export interface FieldError {
  field: string;
  message: string;
}

/** The root of every error the runtime and the clients built on it throw. */
export class SDKError extends Error {
  override name = "SDKError";
  /** Set on any error from a call that sent an idempotency key: retry with this key to stay safe. */
  declare idempotencyKey?: string;
  /**
   * Set by helpers that wait on a long-running job (Flora's `createAndWait`, `wait` and `stream`) on any error
   * after the job exists: its id, to resume with `wait({ run_id: runId, techniqueId })`.
   */
  declare runId?: string;
  /** The last snapshot of that job the SDK saw (a `Run` for Flora), when `runId` is set. */
  declare run?: unknown;
  // Error's own constructor: (message, { cause })
}

/** Bad input caught before any request is sent. */
export class ValidationError extends SDKError {
  override name = "ValidationError";
  /** The argument or body field at fault, e.g. `techniqueId` or `inputs[0].type`. */
  declare readonly field: string | undefined;

  constructor(message: string, field?: string) {
    super(message);
    this.field = field;
  }
}

export class WebhookVerificationError extends SDKError {
  override name = "WebhookVerificationError";
}

/** A streamed event whose data is not what the stream promised. */
export class StreamParseError extends SDKError {
  override name = "StreamParseError";
}

/** The request never got a complete response: DNS, refused or reset connection, body cut short. */
export class APIConnectionError extends SDKError {
  override name = "APIConnectionError";
  constructor(message = "Connection error.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The per-attempt timeout (or `wait`'s overall timeout) elapsed. */
export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
  constructor(message = "Request timed out.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The caller's AbortSignal fired; never retried. */
export class APIUserAbortError extends SDKError {
  override name = "APIUserAbortError";
  constructor(message = "Request was aborted.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A response's request id: the `request-id` header, else `x-request-id` (headers lower-cased). */
const requestIdOf = (headers: Record<string, string>): string | undefined =>
  headers["request-id"] ?? headers["x-request-id"];

/** A response body that should be JSON but is not (HTML error page, truncated JSON, wrong content type). */
export class MalformedResponseError extends SDKError {
  override name = "MalformedResponseError";
  declare readonly status: number;
  declare readonly contentType: string | undefined;
  /** The first 200 characters of the body. */
  declare readonly bodySnippet: string;
  declare readonly requestId: string | undefined;
  declare readonly headers: Record<string, string>;

  constructor(status: number, headers: Record<string, string> = {}, bodyText = "", problem = "is not valid JSON") {
    const contentType = headers["content-type"];
    const bodySnippet = bodyText.slice(0, 200);
    const shown = bodySnippet ? `: ${JSON.stringify(bodySnippet)}` : "";
    super(`${status} response body (${contentType ?? "no content-type"}) ${problem}${shown}`);
    this.status = status;
    this.contentType = contentType;
    this.bodySnippet = bodySnippet;
    this.requestId = requestIdOf(headers);
    this.headers = headers;
  }
}

/** A non-2xx response with a JSON (or empty) body. */
export class APIError extends SDKError {
  override name = "APIError";
  declare readonly status: number;
  /** The code from the error envelope, e.g. `input_validation_error` (Flora's `error.code`). */
  declare readonly code: string | undefined;
  declare readonly fields: FieldError[] | undefined;
  /** The `request-id` response header (Flora's and Stripe's `req_…`), else `x-request-id` (OpenAI's), for support tickets. */
  declare readonly requestId: string | undefined;
  /** Response headers, lower-cased. Never the request's. */
  declare readonly headers: Record<string, string>;
  /** The parsed response body. */
  declare readonly body: unknown;

  /**
   * `message` replaces the one read from the body, e.g. for a refused redirect. `envelope` is the code, message and
   * fields as read from the body (for an API with its own envelope); by default, Flora's
   * `{ error: { code, message, fields } }` or a flat `{ code, message }`.
   */
  constructor(
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
    message?: string,
    envelope: ErrorEnvelope = readErrorEnvelope(body),
  ) {
    const requestId = requestIdOf(headers);
    let detail = envelope.message;
    try {
      detail ??= body === undefined ? "(no body)" : JSON.stringify(body);
    } catch {
      // nested past the engine's stack: the parsed body is still in `body`
      detail = "(too deep to quote)";
    }
    const { code } = envelope;
    super(
      `${status}${code ? ` ${oneLine(code)}` : ""}: ${message ?? oneLine(detail)}${requestId ? ` (request-id ${oneLine(requestId)})` : ""}`,
    );
    this.status = status;
    this.code = envelope.code;
    this.fields = envelope.fields;
    this.requestId = requestId;
    this.headers = headers;
    this.body = body;
  }

  /** Picks the subclass from the status and, for idempotency rejections, the error code. */
  static generate(
    status: number,
    body: unknown,
    headers: Record<string, string>,
    envelope: ErrorEnvelope = readErrorEnvelope(body),
  ): APIError {
    const code = envelope.code;
    const ErrorClass =
      code === "idempotency_duplicate" || code === "idempotency_conflict"
        ? IdempotencyError
        : errorClassForStatus(status);
    return new ErrorClass(status, body, headers, undefined, envelope);
  }
}

export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** 402, e.g. `insufficient_credits`. */
export class PaymentRequiredError extends APIError {
  override name = "PaymentRequiredError";
}
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
export class ConflictError extends APIError {
  override name = "ConflictError";
}
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
export class RateLimitError extends APIError {
  override name = "RateLimitError";
}
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** `idempotency_duplicate` (409) or `idempotency_conflict` (422): the key was already used. Never retried. */
export class IdempotencyError extends APIError {
  override name = "IdempotencyError";
}

function errorClassForStatus(status: number): typeof APIError {
  if (status >= 500) return InternalServerError;
  const byStatus: Record<number, typeof APIError> = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
  };
  return byStatus[status] ?? APIError;
}

/**
 * An APIError whose body and code are typed from a spec's error schema (generated clients export theirs).
 * As the spec declares them: a proxy or an undocumented status may still answer otherwise.
 */
export type TypedAPIError<TBody, TCode extends string = string> = APIError & {
  readonly body: TBody | undefined;
  readonly code: TCode | undefined;
};

/**
 * Where an API's error body keeps its code and message, read from the spec by the generator: each a list of
 * property paths, the first that holds a string wins. RFC 7807 problem details, for example, read as
 * `{ code: [["type"]], message: [["detail"], ["title"]] }`.
 */
export interface ErrorEnvelopeDescriptor {
  readonly code?: readonly (readonly string[])[];
  readonly message?: readonly (readonly string[])[];
}

/** An error body's code, message and per-field problems, as read from it. */
export interface ErrorEnvelope {
  code?: string;
  message?: string;
  fields?: FieldError[];
}

/** Reads `{ error: { code, message, fields } }`, tolerating a flat `{ code, message }` too. */
function readErrorEnvelope(body: unknown): ErrorEnvelope {
  if (!isRecord(body)) return {};
  const inner = isRecord(body.error) ? body.error : body;
  return {
    code: typeof inner.code === "string" ? inner.code : undefined,
    message: typeof inner.message === "string" ? inner.message : undefined,
    fields: Array.isArray(inner.fields) ? inner.fields.filter(isFieldError) : undefined,
  };
}

/**
 * A server's text as part of a message: its first 200 characters (the whole stays in `body`), with control, line
 * separator and bidi characters as spaces, so no terminal or log line takes them as its own.
 */
function oneLine(text: string): string {
  const line = text.slice(0, 200).replace(/[\0-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff]$/g, " ");
  return text.length > 200 ? `${line}…` : line;
}

function isFieldError(value: unknown): value is FieldError {
  return isRecord(value) && typeof value.field === "string" && typeof value.message === "string";
}

/** A network failure as one line: its message and its cause's (the platform's fetch hides the reason there). */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/**
 * The one place an error is built from a response. A non-2xx `body` is read as openapi-fetch reads one: parsed
 * JSON, or the raw text when it is not JSON. `malformed` marks a body that is not what was promised (with the text
 * read and what is wrong). `redact` cleans quoted text; the runtime's gate redacts the rest before a caller sees it.
 * `envelope` is the body's code and message as an API's own envelope holds them (default: read as Flora's).
 */
export function errorFromResponse(
  response: Pick<Response, "status" | "headers">,
  body: unknown,
  malformed?: { problem?: string },
  redact: (text: string) => string = String,
  envelope?: ErrorEnvelope,
): SDKError {
  // redacted before the message quotes (and cuts) the request id, which could otherwise keep half a secret
  const headers = Object.fromEntries([...response.headers].map(([name, value]) => [name, redact(value)]));
  if (malformed || (typeof body === "string" && body.trim() !== "")) {
    // redacted before the error cuts its snippet, which could otherwise keep half a secret
    const text = redact(typeof body === "string" ? body : "");
    return new MalformedResponseError(response.status, headers, text, malformed?.problem);
  }
  return APIError.generate(response.status, typeof body === "string" ? undefined : body, headers, envelope);
}

