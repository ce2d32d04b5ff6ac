// Reads how a list operation pages: from its `x-pagination` extension, else detected from its query parameters
// and its JSON success response (the cursor, page-number and offset patterns of public APIs).
import { PipelineError } from "../errors.js";
import { asObject, dict, isObject, type Json } from "./refs.js";
import type { PaginationModel } from "./types.js";

/** Query parameters that take a cursor from the previous page. */
const CURSOR_PARAMS = [
  "cursor",
  "after",
  "starting_after",
  "page_token",
  "pageToken",
  "next_token",
  "continuation_token",
];
/** Query parameters that take the cursor of the last item seen (Stripe, OpenAI), answered by `has_more`. */
const AFTER_ITEM_PARAMS = new Set(["after", "starting_after"]);
/** Response properties that give the next page's cursor, at the top level or one object down (`meta.next_cursor`). */
const NEXT_CURSOR_FIELDS = [
  "next_cursor",
  "nextCursor",
  "next_page_token",
  "nextPageToken",
  "next_token",
  "nextToken",
  "continuation_token",
];
/** Booleans that are false on the last page. */
const HAS_MORE_FIELDS = ["has_more", "hasMore", "has_next", "hasNext", "has_next_page", "hasNextPage"];
const PAGE_PARAMS = ["page", "page_number", "pageNumber"];
/** A string `page` is a cursor (Stripe search, OpenAI usage) when the response names the next one so. */
const NEXT_PAGE_FIELDS = ["next_page", "nextPage", ...NEXT_CURSOR_FIELDS];
const PAGE_SIZE_PARAMS = ["per_page", "perPage", "page_size", "pageSize", "limit", "size"];
const OFFSET_PARAMS = ["offset", "skip"];
const OFFSET_SIZE_PARAMS = ["limit", "count", "page_size", "pageSize", "top"];
/** Names of the items array when a page body has several arrays. */
const ITEM_FIELDS = ["data", "items", "results", "records", "entries", "values"];
const STYLES = new Set(["cursor", "page", "offset"]);

interface QueryParameter {
  name: string;
  schema?: Json;
}

/**
 * How the operation pages, or undefined when it does not.
 *
 * `x-pagination: false` turns detection off. `x-pagination: { … }` states it (the README documents the shape):
 * `style` (cursor | page | offset), `param`, and `items` (a dotted path, "" for a body that is the array) are
 * required; `nextCursor`, `itemCursor`, `hasMore` (dotted paths), `limitParam` and `firstPage` are optional.
 * Without the extension only a GET is detected, and only when one pattern fits whole: a cursor parameter and a
 * next-cursor field (or `after`/`starting_after` with `has_more` and an item `id`), else a string `page` with a
 * `next_page` (a cursor), else a numeric `page`, else `offset`, each with one items array in the first JSON 2xx
 * response.
 */
export function readPagination(
  document: Json,
  operation: Json,
  method: string,
  path: string,
  query: QueryParameter[],
  where: string,
): PaginationModel | undefined {
  const extension = operation["x-pagination"];
  if (extension === false) return undefined;
  const response = successSchema(document, operation.responses);
  if (extension !== undefined) return declared(extension, response, query, `${where}/x-pagination`);
  if (method !== "get" || !response) return undefined;
  return detected(document, path, query, response);
}

/** The first 2xx response with a JSON body: its status, media type and schema. */
function successSchema(document: Json, raw: unknown) {
  const responses = asObject(document, raw) ?? {};
  for (const status of Object.keys(responses).filter((code) => /^2(\d\d|XX)$/i.test(code))) {
    const content = asObject(document, asObject(document, responses[status])?.content) ?? {};
    const mediaType = Object.keys(content).find((type) => /^application\/(.+\+)?json\b/i.test(type));
    if (mediaType)
      return { status, mediaType, schema: asObject(document, asObject(document, content[mediaType])?.schema) };
  }
  return undefined;
}

function declared(
  raw: unknown,
  response: ReturnType<typeof successSchema>,
  query: QueryParameter[],
  where: string,
): PaginationModel {
  const fail = (message: string): never => {
    throw new PipelineError(`x-pagination ${message}`, { pointer: where });
  };
  if (!isObject(raw)) return fail("must be a mapping (or false to turn detection off)");
  if (!response) return fail("needs a 2xx response with a JSON body");
  if (typeof raw.style !== "string" || !STYLES.has(raw.style)) return fail("`style` must be cursor, page or offset");
  const names = new Set(query.map((p) => p.name));
  const param = (key: string, required: boolean): string | undefined => {
    const value = raw[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || !names.has(value))
      return fail(`\`${key}\` must name a query parameter of this operation; got ${JSON.stringify(value)}`);
    return value;
  };
  const dotted = (key: string, required: boolean): string[] | undefined => {
    const value = raw[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string") return fail(`\`${key}\` must be a dotted property path such as "meta.next_cursor"`);
    return value === "" ? [] : value.split(".");
  };
  const style = raw.style as PaginationModel["style"];
  const model: { -readonly [K in keyof PaginationModel]: PaginationModel[K] } = {
    style,
    param: param("param", true) as string,
    items: dotted("items", true) as string[],
    status: response.status,
    mediaType: response.mediaType,
  };
  const limitParam = param("limitParam", false);
  const nextCursor = dotted("nextCursor", false);
  const hasMore = dotted("hasMore", false);
  if (limitParam) model.limitParam = limitParam;
  if (nextCursor) model.nextCursor = nextCursor;
  if (hasMore) model.hasMore = hasMore;
  if (raw.itemCursor !== undefined) {
    if (typeof raw.itemCursor !== "string" || !raw.itemCursor) return fail("`itemCursor` must be a property name");
    model.itemCursor = raw.itemCursor;
  }
  if (raw.firstPage !== undefined) {
    if (!Number.isInteger(raw.firstPage)) return fail("`firstPage` must be an integer");
    model.firstPage = raw.firstPage as number;
  }
  if (style === "cursor" && !model.nextCursor && !model.itemCursor)
    return fail("with style cursor needs `nextCursor` or `itemCursor`");
  return model;
}

function detected(
  document: Json,
  path: string,
  query: QueryParameter[],
  response: NonNullable<ReturnType<typeof successSchema>>,
): PaginationModel | undefined {
  const items = itemsPath(document, path, response.schema);
  if (!items) return undefined;
  const find = (names: readonly string[]) => names.map((n) => query.find((p) => p.name === n)).find(Boolean);
  const properties = propertiesOf(document, response.schema);
  const hasMoreField = HAS_MORE_FIELDS.find((name) => properties[name]?.type === "boolean");
  const base = {
    items: items.path,
    status: response.status,
    mediaType: response.mediaType,
    ...(hasMoreField ? { hasMore: [hasMoreField] } : {}),
  };

  const cursor = find(CURSOR_PARAMS);
  if (cursor) {
    const limit = find(OFFSET_SIZE_PARAMS);
    const common = {
      ...base,
      style: "cursor" as const,
      param: cursor.name,
      ...(limit ? { limitParam: limit.name } : {}),
    };
    const next = nextCursorPath(document, properties);
    if (next) return { ...common, nextCursor: next };
    if (AFTER_ITEM_PARAMS.has(cursor.name) && hasMoreField && items.itemProperties.id)
      return { ...common, itemCursor: "id" };
  }
  const page = find(PAGE_PARAMS);
  if (page?.schema?.type === "string") {
    const next = nextCursorPath(document, properties, NEXT_PAGE_FIELDS);
    const limit = find(OFFSET_SIZE_PARAMS);
    return (
      next && {
        ...base,
        style: "cursor",
        param: page.name,
        ...(limit ? { limitParam: limit.name } : {}),
        nextCursor: next,
      }
    );
  }
  if (page) {
    const limit = find(PAGE_SIZE_PARAMS);
    const first = page.schema?.default ?? page.schema?.minimum;
    return {
      ...base,
      style: "page",
      param: page.name,
      ...(limit ? { limitParam: limit.name } : {}),
      ...(Number.isInteger(first) && first !== 1 ? { firstPage: first as number } : {}),
    };
  }
  const offset = find(OFFSET_PARAMS);
  if (offset) {
    const limit = find(OFFSET_SIZE_PARAMS);
    return { ...base, style: "offset", param: offset.name, ...(limit ? { limitParam: limit.name } : {}) };
  }
  return undefined;
}

/** The items array: the body itself, its one array property, or the one named like items or like the path. */
function itemsPath(document: Json, path: string, schema: Json | undefined) {
  if (!schema) return undefined;
  if (schema.type === "array")
    return { path: [], itemProperties: propertiesOf(document, asObject(document, schema.items)) };
  const arrays = Object.entries(propertiesOf(document, schema)).filter(([, property]) => property.type === "array");
  const last = path
    .split("/")
    .filter((s) => s && !s.startsWith("{"))
    .pop();
  const pick = arrays.length === 1 ? arrays[0] : arrays.find(([name]) => ITEM_FIELDS.includes(name) || name === last);
  return pick && { path: [pick[0]], itemProperties: propertiesOf(document, asObject(document, pick[1].items)) };
}

/** Where the next cursor is: a known field at the top level, else in one object property (`meta.next_cursor`). */
function nextCursorPath(
  document: Json,
  properties: Record<string, Json>,
  fields: readonly string[] = NEXT_CURSOR_FIELDS,
): string[] | undefined {
  const top = fields.find((name) => name in properties);
  if (top) return [top];
  for (const [name, property] of Object.entries(properties)) {
    const inner = propertiesOf(document, property);
    const found = fields.find((field) => field in inner);
    if (found) return [name, found];
  }
  return undefined;
}

/** A schema's properties, its allOf members' merged in, each resolved. */
function propertiesOf(document: Json, schema: Json | undefined, seen = new Set<Json>()): Record<string, Json> {
  const out = dict<Json>();
  if (!schema || seen.has(schema)) return out;
  seen.add(schema);
  for (const member of Array.isArray(schema.allOf) ? schema.allOf : [])
    Object.assign(out, propertiesOf(document, asObject(document, member), seen));
  for (const [name, raw] of Object.entries(isObject(schema.properties) ? schema.properties : {})) {
    const property = asObject(document, raw);
    if (property) out[name] = typeOf(document, property);
  }
  return out;
}

/** A property schema with `type` read through a lone allOf wrapper and 3.1's `[type, "null"]`. */
function typeOf(document: Json, property: Json): Json {
  const members = Array.isArray(property.allOf) ? property.allOf : [];
  const inner = property.type === undefined && members.length === 1 ? asObject(document, members[0]) : undefined;
  const node = inner ? { ...inner, ...property, allOf: undefined } : property;
  const types = Array.isArray(node.type) ? node.type.filter((t) => t !== "null") : [node.type];
  return types.length === 1 ? { ...node, type: types[0] } : node;
}
