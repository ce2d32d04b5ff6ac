// Reads the error body a spec declares (4XX, 5XX and default JSON responses) and finds its envelope: where the
// code and message sit, for the runtime to read them and the generated client to type them.
import type { ErrorEnvelopeDescriptor } from "../../../src/runtime/errors.js";
import { pathItemOperations } from "./methods.js";
import { asObject, isObject, type Json } from "./refs.js";
import type { ErrorModel } from "./types.js";

const SCHEMA_REF = /^#\/components\/schemas\/([^/]+)$/;

/** Error responses' `components.schemas` bodies, most used first, and where each keeps its code and message. */
export function readErrorModel(document: Json): ErrorModel {
  const uses = new Map<string, number>();
  const paths = isObject(document.paths) ? document.paths : {};
  for (const rawItem of Object.values(paths)) {
    const item = asObject(document, rawItem);
    if (!item) continue;
    for (const [, rawOperation] of pathItemOperations(item)) {
      const responses = asObject(document, asObject(document, rawOperation)?.responses) ?? {};
      for (const [status, rawResponse] of Object.entries(responses)) {
        if (!/^([45](\d\d|XX)|default)$/i.test(status)) continue;
        const content = asObject(document, asObject(document, rawResponse)?.content) ?? {};
        for (const [mediaType, media] of Object.entries(content)) {
          const ref = isObject(media) && isObject(media.schema) ? media.schema.$ref : undefined;
          const name = typeof ref === "string" && /json/i.test(mediaType) ? SCHEMA_REF.exec(ref)?.[1] : undefined;
          if (name) uses.set(decodePointer(name), (uses.get(decodePointer(name)) ?? 0) + 1);
        }
      }
    }
  }
  const schemas = [...uses.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const components = asObject(document, asObject(document, document.components)?.schemas);
  const found = schemas.map((name) => {
    const schema = asObject(document, components?.[name]);
    return schema ? findEnvelope(document, schema) : undefined;
  });
  // every body's paths, the most used body's first: the runtime reads the first that holds a string
  const merge = (key: "code" | "message") => {
    const paths = new Map(found.flatMap((f) => f?.envelope?.[key] ?? []).map((path) => [path.join("\0"), path]));
    return paths.size ? { [key]: [...paths.values()] } : {};
  };
  const envelope = { ...merge("code"), ...merge("message") };
  // typed codes only when every body lists its codes
  const codes = found.every((f) => f?.codes) ? [...new Set(found.flatMap((f) => f?.codes ?? []))] : [];
  return {
    schemas,
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
  const props: Record<string, Json | undefined> = {};
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

function decodePointer(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
}
