// Reads the error bodies a spec declares (4XX, 5XX and default JSON responses) and finds their envelope: where the
// code and message sit, for the runtime to read them and the generated client to type them.
import type { ErrorEnvelopeDescriptor } from "../../../src/runtime/errors.js";
import { isFixedMethod, pathItemOperations } from "./methods.js";
import { asObject, decodePointerSegment, dict, isObject, type Json } from "./refs.js";
import type { ErrorBodyModel, ErrorModel } from "./types.js";

/** The runtime's error classes, which the generated client.ts re-exports under their API-neutral names. */
export const ERROR_CLASSES = [
  "SDKError",
  "APIError",
  "BadRequestError",
  "AuthenticationError",
  "PaymentRequiredError",
  "PermissionDeniedError",
  "NotFoundError",
  "ConflictError",
  "UnprocessableEntityError",
  "RateLimitError",
  "InternalServerError",
  "IdempotencyError",
  "APIConnectionError",
  "APITimeoutError",
  "APIUserAbortError",
  "MalformedResponseError",
  "ValidationError",
  "StreamParseError",
];

const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;
const RESPONSE_REF = /^#\/components\/responses\/([^/]+)$/;

/**
 * The JSON bodies of error responses (4XX, 5XX, default), most used first, and where each keeps its code and
 * message. A body is the whole response schema: a `components.schemas` one it names, or an inline one (Spotify's
 * `{ error: { $ref: ErrorObject } }`) typed where it sits; inline schemas that are written alike count as one.
 */
export function readErrorModel(document: Json): ErrorModel {
  const found = new Map<string, { body: ErrorBodyModel; schema: Json | undefined; uses: number; order: number }>();
  const paths = isObject(document.paths) ? document.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = asObject(document, rawItem);
    if (!item) continue;
    for (const [method, rawOperation] of pathItemOperations(item)) {
      const responses = asObject(document, asObject(document, rawOperation)?.responses) ?? {};
      for (const [status, rawResponse] of Object.entries(responses)) {
        if (!/^([45](\d\d|XX)|default)$/i.test(status)) continue;
        const responseRef = isObject(rawResponse) && typeof rawResponse.$ref === "string" ? rawResponse.$ref : "";
        const responseName = RESPONSE_REF.exec(responseRef)?.[1];
        const content = asObject(document, asObject(document, rawResponse)?.content) ?? {};
        for (const [mediaType, media] of Object.entries(content)) {
          if (!/json/i.test(mediaType) || !isObject(media) || !isObject(media.schema)) continue;
          const ref = typeof media.schema.$ref === "string" ? SCHEMA_REF.exec(media.schema.$ref)?.[1] : undefined;
          let key: string;
          let body: ErrorBodyModel;
          if (ref !== undefined) {
            body = { schema: decodePointerSegment(ref) };
            key = `schema:${body.schema}`;
          } else if (responseName !== undefined) {
            body = { response: decodePointerSegment(responseName), mediaType };
            key = `inline:${JSON.stringify(media.schema)}`;
          } else if (isFixedMethod(method)) {
            body = { path, method, status, mediaType };
            key = `inline:${JSON.stringify(media.schema)}`;
          } else continue; // openapi-typescript types no other method's responses
          const seen = found.get(key);
          if (seen) seen.uses++;
          else found.set(key, { body, schema: asObject(document, media.schema), uses: 1, order: found.size });
        }
      }
    }
  }
  const ranked = [...found.values()].sort((a, b) => b.uses - a.uses || a.order - b.order);
  const envelopes = ranked.map(({ schema }) => (schema ? findEnvelope(document, schema) : undefined));
  // every body's paths, the most used body's first: the runtime reads the first that holds a string
  const merge = (key: "code" | "message") => {
    const paths = new Map(envelopes.flatMap((f) => f?.envelope?.[key] ?? []).map((path) => [path.join("\0"), path]));
    return paths.size ? { [key]: [...paths.values()] } : {};
  };
  const envelope = { ...merge("code"), ...merge("message") };
  // typed codes only when every body lists its codes
  const codes = envelopes.every((f) => f?.codes) ? [...new Set(envelopes.flatMap((f) => f?.codes ?? []))] : [];
  return {
    bodies: ranked.map(({ body }) => body),
    ...(Object.keys(envelope).length ? { envelope } : {}),
    ...(codes.length ? { codes } : {}),
  };
}

/**
 * The envelope of an error schema, by the shapes APIs use: `{ error: { code | type, message } }` (OpenAI, Flora),
 * OAuth's `{ error, error_description }`, RFC 7807 problem details `{ type, title, detail, status }`, and a flat
 * `{ code, message }`. The code's enum values come along when the schema lists them.
 */
export function findEnvelope(
  document: Json,
  schema: Json,
): { envelope: ErrorEnvelopeDescriptor; codes?: string[] } | undefined {
  const props = propertiesOf(document, schema);
  const nested = props.error && propertiesOf(document, props.error);
  if (nested && nested.message) {
    const code = (["code", "type"] as const).filter((key) => nested[key]);
    return described(
      code.map((key) => ["error", key]),
      [["error", "message"]],
      nested[code[0]],
    );
  }
  if (props.error && props.error_description) return described([["error"]], [["error_description"]], props.error);
  if (props.title || props.detail) {
    const message = (["detail", "title"] as const).filter((key) => props[key]).map((key) => [key]);
    return described(props.type ? [["type"]] : [], message, props.type);
  }
  if (props.code || props.message) {
    return described(props.code ? [["code"]] : [], props.message ? [["message"]] : [], props.code);
  }
  return undefined;

  function described(code: string[][], message: string[][], codeSchema: Json | undefined) {
    const values = codeSchema && enumOf(document, codeSchema);
    return {
      envelope: { ...(code.length ? { code } : {}), ...(message.length ? { message } : {}) },
      ...(values ? { codes: values } : {}),
    };
  }
}

/** A schema's properties, each resolved (also through one level of allOf). */
function propertiesOf(document: Json, schema: Json): Record<string, Json | undefined> {
  const resolved = asObject(document, schema) ?? {};
  const parts = [resolved, ...(Array.isArray(resolved.allOf) ? resolved.allOf : [])];
  const props = dict<Json | undefined>();
  for (const part of parts) {
    const properties = asObject(document, asObject(document, part)?.properties) ?? {};
    for (const [name, value] of Object.entries(properties)) props[name] = asObject(document, value);
  }
  return props;
}

/** The string values of an enum (or const), when every value is a string. */
function enumOf(document: Json, schema: Json): string[] | undefined {
  const resolved = asObject(document, schema) ?? {};
  const values = Array.isArray(resolved.enum) ? resolved.enum : "const" in resolved ? [resolved.const] : undefined;
  return values && values.length > 0 && values.every((v) => typeof v === "string") ? (values as string[]) : undefined;
}
