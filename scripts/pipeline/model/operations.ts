// Reads each operation of the bundled document into an OperationModel (names are settled in resources.ts).
import type {
  EncodingDescriptor,
  HttpMethod,
  IdempotencyDescriptor,
  ParameterStyle,
  ResponseKind,
} from "../../../src/runtime/types.js";
import { PipelineError } from "../errors.js";
import { NamePool, variableName } from "./names.js";
import { asObject, isObject, pointer, type Json } from "./refs.js";
import { pathItemOperations } from "./methods.js";
import { readPagination } from "./pagination.js";
import { readServerList } from "./servers.js";
import { responseShape } from "./shapes.js";
import { readBodyFields, readValue } from "./values.js";
import { readEventStream } from "./streams.js";
import type { OperationModel, ParameterModel } from "./types.js";

const MUTATING = new Set<HttpMethod>(["post", "put", "patch", "delete"]);
const IDEMPOTENCY_HEADER = /^idempotency-key$/i;
const IDEMPOTENCY_BODY_FIELDS = ["idempotency_key", "idempotencyKey"];
// Preferred request media types, most convenient for a caller first.
const REQUEST_MEDIA_ORDER = [
  /^application\/(.+\+)?json\b/i,
  /^multipart\/form-data/i,
  /^application\/x-www-form-urlencoded/i,
  /^application\/octet-stream/i,
  /^text\//i,
];

/** One OperationModel per operation, in spec order (paths, then methods in the order OpenAPI lists them). */
export function readOperations(
  document: Json,
): Omit<OperationModel, "key" | "typeStem" | "resourcePath" | "methodName">[] {
  const paths = document.paths ?? {};
  if (!isObject(paths)) throw new PipelineError("`paths` must be a mapping", { pointer: "#/paths" });
  const out: Omit<OperationModel, "key" | "typeStem" | "resourcePath" | "methodName">[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    // `x-` keys are extensions, and an empty path item (`/pets:` with nothing under it) has no operations.
    if (path.startsWith("x-") || rawItem === null) continue;
    const item = withPointer(pointer("paths", path), () => asObject(document, rawItem));
    if (!item) throw new PipelineError(`path item must be a mapping`, { pointer: pointer("paths", path) });
    for (const [method, raw] of pathItemOperations(item)) {
      const where = pointer("paths", path, method);
      const operation = withPointer(where, () => asObject(document, raw));
      if (!operation) throw new PipelineError(`operation must be a mapping`, { pointer: where });
      out.push(withPointer(where, () => readOperation(document, path, method, item, operation)));
    }
  }
  return out;
}

/** A problem found while reading one spec object (e.g. a dangling $ref) is reported at that object. */
function withPointer<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof PipelineError && !error.location)
      throw new PipelineError(error.message, { pointer: where }, error.exitCode, error.details);
    throw error;
  }
}

function readOperation(document: Json, path: string, method: HttpMethod, item: Json, operation: Json) {
  const where = pointer("paths", path, method);
  const hasOperationId = typeof operation.operationId === "string" && operation.operationId.trim() !== "";
  const parameters = mergeParameters(document, item.parameters, operation.parameters, where);
  const idempotencyHeader = parameters.find((p) => p.in === "header" && IDEMPOTENCY_HEADER.test(String(p.name)));
  const body = readRequestBody(document, operation.requestBody, `${where}/requestBody`);
  const idempotency = readIdempotency(operation, idempotencyHeader, body?.schema);
  const success = readSuccess(document, operation.responses, where);

  const pathOrder = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  // Positional argument names must not shadow the wrapper's own parameters and locals.
  const idents = new NamePool(["body", "params", "options", "invoker", "operationDescriptors"]);
  const toModel = (p: Json, declared = true): ParameterModel => {
    const content = p.schema === undefined ? parameterContent(document, p.content) : undefined;
    return {
      name: String(p.name),
      identifier: p.in === "path" ? idents.claim(variableName(String(p.name), "param")) : String(p.name),
      in: p.in as ParameterModel["in"],
      required: p.in === "path" || p.required === true,
      // a content parameter's value is written whole (as JSON or text), so any schema types it
      specTyped:
        declared &&
        (content ? content.schema !== undefined : isSerializableSchema(document, asObject(document, p.schema))),
      ...readSerialization(p, p.in === "path" || p.in === "header" ? "simple" : "form"),
      allowReserved: p.in === "query" && p.allowReserved === true,
      ...(content ? { contentType: content.contentType } : {}),
      description: typeof p.description === "string" ? p.description : undefined,
      value: readValue(document, content ? content.schema : p.schema),
    };
  };
  const declaredPath = parameters.filter((p) => p.in === "path");
  // Path parameters follow the template's order; a template name the spec forgot to declare still becomes a string argument.
  const pathParams = [...new Set(pathOrder)].map((name) => {
    const declared = declaredPath.find((p) => p.name === name);
    return toModel(declared ?? { name, in: "path", required: true }, declared !== undefined);
  });
  return {
    id: hasOperationId ? (operation.operationId as string).trim() : `${method} ${path}`,
    idFromSpec: hasOperationId,
    method,
    path,
    summary: typeof operation.summary === "string" ? operation.summary : undefined,
    description: typeof operation.description === "string" ? operation.description : undefined,
    deprecated: operation.deprecated === true,
    pathParams,
    queryParams: parameters.filter((p) => p.in === "query").map((p) => toModel(p)),
    headerParams: parameters.filter((p) => p.in === "header" && p !== idempotencyHeader).map((p) => toModel(p)),
    cookieParams: parameters.filter((p) => p.in === "cookie").map((p) => toModel(p)),
    requestBody: body && {
      contentType: body.contentType,
      required: body.required,
      description: body.description,
      ...(body.encoding ? { encoding: body.encoding } : {}),
      ...(/^multipart\//i.test(body.contentType) ? { fileFields: fileFields(document, body.schema) } : {}),
      ...bodyFieldsOf(document, body.schema),
    },
    ...readOperationServers(operation, item, where),
    successResponses: success.responses,
    response: success.kind,
    ...(success.shape ? { responseShape: success.shape } : {}),
    mutating: MUTATING.has(method),
    idempotency,
    streaming: success.streaming,
    ...eventStreamOf(document, operation.responses),
    ...paginationOf(document, operation, method, path, parameters, where),
  };
}

/** The top-level fields of a body whose schema is an object with properties. */
function bodyFieldsOf(document: Json, schema: Json | undefined) {
  const fields = schema ? readBodyFields(document, schema) : undefined;
  return fields ? { fields } : {};
}

/** How a list operation pages, when it does (see model/pagination.ts). */
function paginationOf(
  document: Json,
  operation: Json,
  method: string,
  path: string,
  parameters: Json[],
  where: string,
) {
  const query = parameters
    .filter((p) => p.in === "query")
    .map((p) => ({ name: String(p.name), schema: asObject(document, p.schema) }));
  const pagination = readPagination(document, operation, method, path, query, where);
  return pagination ? { pagination } : {};
}

/** OpenAPI 3.2: the text/event-stream response whose itemSchema types each event; its method is named in resources.ts. */
function eventStreamOf(document: Json, responses: unknown) {
  const stream = readEventStream(document, responses);
  return stream ? { eventStream: { ...stream, methodName: "" } } : {};
}

/** A parameter's `content` (OpenAPI allows exactly one entry): its media type and schema. */
function parameterContent(document: Json, raw: unknown): { contentType: string; schema?: Json } | undefined {
  const content = asObject(document, raw);
  const contentType = content ? Object.keys(content)[0] : undefined;
  if (!content || contentType === undefined) return undefined;
  const media = asObject(document, content[contentType]);
  return { contentType, schema: media ? asObject(document, media.schema) : undefined };
}

/** A file in a multipart body: `format: binary` (3.0), or a `contentMediaType` without `contentEncoding` (3.1). */
function isFileSchema(schema: Json | undefined): boolean {
  return schema?.format === "binary" || (typeof schema?.contentMediaType === "string" && !schema.contentEncoding);
}

/** The properties of a multipart body (its allOf/oneOf/anyOf members' too) that hold a file or an array of files. */
function fileFields(document: Json, schema: Json | undefined, seen = new Set<Json>()): string[] {
  if (!schema || seen.has(schema)) return [];
  seen.add(schema);
  const properties = isObject(schema.properties) ? Object.entries(schema.properties) : [];
  const own = properties.filter(([, raw]) => {
    const property = asObject(document, raw);
    return isFileSchema(property) || (property?.type === "array" && isFileSchema(asObject(document, property.items)));
  });
  const members = ["allOf", "oneOf", "anyOf"].flatMap((key) => (Array.isArray(schema[key]) ? schema[key] : []));
  const nested = members.flatMap((member) => fileFields(document, asObject(document, member), seen));
  return [...new Set([...own.map(([name]) => name), ...nested])];
}

const SCALAR_TYPES = new Set(["string", "number", "integer", "boolean"]);

/** A schema whose values are only strings, numbers or booleans (never null, arrays or objects). */
function isScalarSchema(schema: Json | undefined): boolean {
  if (!schema || schema.nullable === true) return false;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.length > 0 && types.every((t) => typeof t === "string" && SCALAR_TYPES.has(t));
}

/** What a parameter style can write: a scalar, an array of scalars, or an object (never null). */
function isSerializableSchema(document: Json, schema: Json | undefined): boolean {
  if (!schema || schema.nullable === true) return false;
  if (schema.type === "array") return isScalarSchema(asObject(document, schema.items));
  return schema.type === "object" || isScalarSchema(schema);
}

const STYLES = new Set<ParameterStyle>([
  "form",
  "spaceDelimited",
  "pipeDelimited",
  "deepObject",
  "simple",
  "label",
  "matrix",
  "cookie",
]);

/** A Parameter or Encoding Object's `style` and `explode`, with the specification's defaults. */
function readSerialization(raw: Json, defaultStyle: ParameterStyle): { style: ParameterStyle; explode: boolean } {
  const style = STYLES.has(raw.style as ParameterStyle) ? (raw.style as ParameterStyle) : defaultStyle;
  return { style, explode: typeof raw.explode === "boolean" ? raw.explode : style === "form" || style === "cookie" };
}

/** A form body's Encoding Objects, keeping only the keys each one sets. */
function readEncoding(document: Json, raw: unknown): Record<string, EncodingDescriptor> | undefined {
  if (!isObject(raw)) return undefined;
  const fields = Object.entries(raw).flatMap(([field, value]) => {
    const encoding = asObject(document, value);
    if (!encoding) return [];
    const read: { -readonly [K in keyof EncodingDescriptor]: EncodingDescriptor[K] } = {};
    if (typeof encoding.contentType === "string") read.contentType = encoding.contentType;
    if (STYLES.has(encoding.style as ParameterStyle)) read.style = encoding.style as ParameterStyle;
    if (typeof encoding.explode === "boolean") read.explode = encoding.explode;
    if (encoding.allowReserved === true) read.allowReserved = true;
    return Object.keys(read).length > 0 ? [[field, read] as const] : [];
  });
  return fields.length > 0 ? Object.fromEntries(fields) : undefined;
}

/** The operation's own servers, else its path item's; none when neither declares any. */
function readOperationServers(operation: Json, item: Json, where: string) {
  const [list, at] =
    Array.isArray(operation.servers) && operation.servers.length > 0
      ? [operation.servers, `${where}/servers`]
      : [item.servers, `${where.slice(0, where.lastIndexOf("/"))}/servers`];
  if (list === undefined) return {};
  const servers = readServerList(list, at);
  return servers.length > 0 ? { servers } : {};
}

/** Operation parameters override path-item parameters with the same name and location; throws a PipelineError at `where` on a malformed list. */
export function mergeParameters(document: Json, pathLevel: unknown, opLevel: unknown, where: string): Json[] {
  const byKey = new Map<string, Json>();
  for (const list of [pathLevel, opLevel]) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new PipelineError("`parameters` must be a list", { pointer: where });
    for (const raw of list) {
      const param = asObject(document, raw);
      if (!param || typeof param.name !== "string" || typeof param.in !== "string") {
        throw new PipelineError("a parameter needs a string `name` and `in`", { pointer: where });
      }
      byKey.set(`${param.in}:${param.name}`, param);
    }
  }
  return [...byKey.values()];
}

function pickMedia(content: Json, order: RegExp[]): string | undefined {
  const types = Object.keys(content);
  for (const pattern of order) {
    const hit = types.find((t) => pattern.test(t));
    if (hit) return hit;
  }
  return types[0];
}

function readRequestBody(document: Json, raw: unknown, where: string) {
  if (raw === undefined) return undefined;
  const body = asObject(document, raw);
  if (!body) throw new PipelineError("`requestBody` must be a mapping", { pointer: where });
  const content = isObject(body.content) ? body.content : {};
  const contentType = pickMedia(content, REQUEST_MEDIA_ORDER);
  if (!contentType) return undefined;
  const media = asObject(document, content[contentType]);
  const isForm = /^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(contentType);
  return {
    contentType,
    required: body.required === true,
    description: typeof body.description === "string" ? body.description : undefined,
    schema: media ? asObject(document, media.schema) : undefined,
    encoding: isForm && media ? readEncoding(document, media.encoding) : undefined,
  };
}

function readIdempotency(
  operation: Json,
  header: Json | undefined,
  bodySchema: Json | undefined,
): IdempotencyDescriptor | undefined {
  const explicit = isObject(operation["x-idempotency"]) ? operation["x-idempotency"] : undefined;
  if (!header && !explicit) return undefined;
  const properties = bodySchema && isObject(bodySchema.properties) ? bodySchema.properties : {};
  const bodyField =
    typeof explicit?.bodyField === "string" ? explicit.bodyField : IDEMPOTENCY_BODY_FIELDS.find((f) => f in properties);
  const window = explicit?.windowSeconds ?? header?.["x-idempotency-window-seconds"];
  const descriptor: IdempotencyDescriptor = {
    header: typeof explicit?.header === "string" ? explicit.header : String(header?.name ?? "Idempotency-Key"),
    ...(bodyField ? { bodyField } : {}),
    ...(typeof window === "number" && window > 0 ? { windowSeconds: window } : {}),
  };
  return descriptor;
}

function responseKind(mediaType: string | undefined): ResponseKind {
  if (mediaType === undefined) return "empty";
  if (/^application\/(.+\+)?json\b|^\*\/\*$|^application\/\*$/i.test(mediaType)) return "json";
  if (/^text\/event-stream/i.test(mediaType)) return "event-stream";
  if (/^text\/|^application\/(xml|.+\+xml|javascript|x-www-form-urlencoded)\b/i.test(mediaType)) return "text";
  return "binary";
}

/** The shape every JSON success response shares; none when they differ or one may be empty. */
function commonShape(
  document: Json,
  responses: { status: string; mediaType?: string }[],
  schemas: Map<string, unknown>,
) {
  if (responses.length === 0 || responses.some((r) => r.mediaType === undefined)) return undefined;
  const shapes = responses.map((r) => responseShape(document, schemas.get(r.status)));
  const first = JSON.stringify(shapes[0]);
  return shapes[0] && shapes.every((shape) => JSON.stringify(shape) === first) ? shapes[0] : undefined;
}

const RESPONSE_MEDIA_ORDER = [
  /^application\/(.+\+)?json\b/i,
  /^\*\/\*$/,
  /^text\/(?!event-stream)/i,
  /^text\/event-stream/i,
];

/** The 2xx responses (or `default` when there is no 2xx), read as one kind the wrapper resolves with. */
function readSuccess(document: Json, raw: unknown, where: string) {
  // OpenAPI 3.1 makes `responses` optional: such an operation resolves with nothing.
  if (raw === undefined) return { responses: [], kind: "empty" as ResponseKind, streaming: false, shape: undefined };
  const responses = asObject(document, raw);
  if (!responses) throw new PipelineError("`responses` must be a mapping", { pointer: `${where}/responses` });
  let codes = Object.keys(responses).filter((code) => /^2(\d\d|XX)$/i.test(code));
  if (codes.length === 0 && "default" in responses) codes = ["default"];
  let streaming = false;
  const schemas = new Map<string, unknown>();
  const picked = codes.map((status) => {
    const response = asObject(document, responses[status]);
    const content = response && isObject(response.content) ? response.content : {};
    if (Object.keys(content).some((t) => /^text\/event-stream/i.test(t))) streaming = true;
    const mediaType = pickMedia(content, RESPONSE_MEDIA_ORDER);
    if (mediaType) schemas.set(status, asObject(document, content[mediaType])?.schema);
    return { status, mediaType };
  });
  // One kind per operation: the first response with a body decides (JSON preferred by pickMedia).
  const kind = responseKind(picked.find((r) => r.mediaType)?.mediaType);
  const consistent = picked.filter((r) => r.mediaType === undefined || responseKind(r.mediaType) === kind);
  return {
    responses: consistent,
    kind,
    streaming,
    shape: kind === "json" ? commonShape(document, consistent, schemas) : undefined,
  };
}
