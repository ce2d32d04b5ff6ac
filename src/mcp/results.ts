// Tool results: a success as JSON text (and structured content for an object), an error as an MCP error result
// (`isError: true`) whose JSON names code, message and request id, plus the run id and idempotency key when set,
// so a caller can resume instead of starting again. Every secret the server holds is redacted from both.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** What an error result's JSON carries under `error`. */
export interface ToolErrorPayload {
  /** The API's error code (e.g. `not_found`, `idempotency_duplicate`), else the SDK's kind of failure (see below). */
  code: string;
  message: string;
  /** The error class, e.g. `NotFoundError`, `APITimeoutError`, `ValidationError`. */
  type: string;
  /** HTTP status, for an API error. */
  status?: number;
  /** The server's request id, when it sent one. */
  requestId?: string;
  /** Set after a run (or other long-running job) exists: resume it with the `wait` tool instead of starting another. */
  runId?: string;
  /** The key the call sent: give it as the input's idempotency key to retry without a duplicate. */
  idempotencyKey?: string;
  /** The input field at fault, or the API's per-field problems. */
  field?: string;
  fields?: unknown;
}

/** Codes for failures that carry no API error code. */
const KIND_CODES: Record<string, string> = {
  ValidationError: "invalid_input",
  APITimeoutError: "timeout",
  APIConnectionError: "connection_error",
  APIUserAbortError: "aborted",
  MalformedResponseError: "malformed_response",
  StreamParseError: "malformed_response",
  PaginationError: "pagination_error",
};

const REDACTED = "[redacted]";

/** Replaces every occurrence of each secret (4+ characters) in `text`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}

function stringField(error: object, key: string): string | undefined {
  const value = (error as Record<string, unknown>)[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The payload of an error result, read from the SDK's error fields (duck-typed, so copies of the runtime agree). */
export function errorPayload(error: unknown): ToolErrorPayload {
  if (!(error instanceof Error)) return { code: "internal_error", type: "Error", message: String(error) };
  const status = (error as { status?: unknown }).status;
  const type = error.name || "Error";
  const code =
    stringField(error, "code") ??
    KIND_CODES[type] ??
    (typeof status === "number" ? `http_${status}` : "internal_error");
  const fields = (error as { fields?: unknown }).fields;
  const payload: ToolErrorPayload = { code, message: error.message, type };
  if (typeof status === "number") payload.status = status;
  for (const key of ["requestId", "runId", "idempotencyKey", "field"] as const) {
    const value = stringField(error, key);
    if (value !== undefined) payload[key] = value;
  }
  if (Array.isArray(fields) && fields.length) payload.fields = fields;
  return payload;
}

/** An MCP error result for `error`: `{ error: { code, message, requestId, … } }` as JSON text and structured content. */
export function errorResult(error: unknown, secrets: readonly (string | undefined)[]): CallToolResult {
  const payload = JSON.parse(redact(JSON.stringify({ error: errorPayload(error) }), secrets)) as {
    error: ToolErrorPayload;
  };
  return {
    isError: true,
    content: [{ type: "text", text: JSON.stringify(payload, null, 2) }],
    structuredContent: payload as unknown as Record<string, unknown>,
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * A success result: JSON text of the value (and the value as structured content when it is an object); a
 * binary answer (Blob) as an image, or as an embedded resource `uri` of the tool's name; nothing as `null`.
 */
export async function successResult(
  value: unknown,
  toolName: string,
  secrets: readonly (string | undefined)[],
): Promise<CallToolResult> {
  if (typeof Blob !== "undefined" && value instanceof Blob) {
    const data = base64(new Uint8Array(await value.arrayBuffer()));
    const mimeType = value.type || "application/octet-stream";
    return mimeType.startsWith("image/")
      ? { content: [{ type: "image", data, mimeType }] }
      : { content: [{ type: "resource", resource: { uri: `tool://${toolName}/result`, mimeType, blob: data } }] };
  }
  if (typeof value === "string") return { content: [{ type: "text", text: redact(value, secrets) }] };
  const text = redact(JSON.stringify(value ?? null, null, 2) ?? "null", secrets);
  const structured = JSON.parse(text) as unknown;
  return {
    content: [{ type: "text", text }],
    ...(structured && typeof structured === "object" && !Array.isArray(structured)
      ? { structuredContent: structured as Record<string, unknown> }
      : {}),
  };
}
