// Part of stage 4: the types of OpenAPI 3.2 `itemSchema`s, which openapi-typescript 7 ignores (it types such a media type `unknown`).
import { sseDataFormat, sseDataProperty, sseEventBranches } from "./model/streams.js";
import { pathItemOperations } from "./model/methods.js";
import { asObject, isObject, type Json } from "./model/refs.js";

const EVENT_STREAM = /^text\/event-stream\b/i;

/** Name of the type that mirrors `paths` down to each item schema: `itemSchemas[path][method][status][mediaType]`. */
export const ITEM_SCHEMAS_TYPE = "itemSchemas";

/**
 * One schema whose type is `itemSchemas`: for every response media type with an `itemSchema`, `item` (each item as the
 * spec describes it) and `data` (for text/event-stream, an event's `data` as the runtime yields it: the `contentSchema`
 * of JSON data, else the property's own schema), and for an item that is a oneOf of event shapes `event` (the union
 * of those shapes, each with its own `data` as yielded). Undefined when the document has no item schemas.
 */
export function itemSchemasSchema(document: Json): Json | undefined {
  const paths: Record<string, Json> = {};
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = path.startsWith("x-") ? undefined : asObject(document, rawItem);
    const methods: Record<string, Json> = {};
    for (const [method, raw] of item ? pathItemOperations(item) : []) {
      const operation = asObject(document, raw);
      const responses = operation && asObject(document, operation.responses);
      const statuses: Record<string, Json> = {};
      for (const [status, raw] of Object.entries(responses ?? {})) {
        const response = asObject(document, raw);
        const content = response && isObject(response.content) ? response.content : {};
        const media: Record<string, Json> = {};
        for (const [mediaType, rawMedia] of Object.entries(content)) {
          const itemSchema = asObject(document, rawMedia)?.itemSchema;
          if (itemSchema !== undefined) media[mediaType] = itemEntry(document, mediaType, itemSchema);
        }
        if (Object.keys(media).length > 0) statuses[status] = closedObject(media);
      }
      if (Object.keys(statuses).length > 0) methods[method] = closedObject(statuses);
    }
    if (Object.keys(methods).length > 0) paths[path] = closedObject(methods);
  }
  return Object.keys(paths).length > 0 ? closedObject(paths) : undefined;
}

function itemEntry(document: Json, mediaType: string, itemSchema: unknown): Json {
  if (!EVENT_STREAM.test(mediaType)) return closedObject({ item: itemSchema });
  const branches = sseEventBranches(document, itemSchema);
  if (branches) {
    // A oneOf of event shapes: `event` is the union of the branches as yielded, so a check of `event` narrows `data`.
    const events = branches.map((b) => {
      const properties = { ...(b.schema.properties as Json), data: dataSchemaOf(document, b.schema, b.data) };
      return { ...b.schema, properties };
    });
    const data = { oneOf: events.map((e) => e.properties.data) };
    return closedObject({ item: itemSchema, data, event: { oneOf: events } });
  }
  const format = sseDataFormat(document, itemSchema) === "json" ? "json" : "text";
  return closedObject({ item: itemSchema, data: dataSchemaOf(document, itemSchema, format) });
}

/** An event's `data` as the runtime yields it: the `contentSchema` of JSON data, else the property's own schema. */
function dataSchemaOf(document: Json, itemSchema: unknown, format: "json" | "text"): unknown {
  const data = sseDataProperty(document, itemSchema);
  return format === "json"
    ? (data?.contentSchema ?? {}) // JSON data without a contentSchema may be any JSON value
    : (data ?? { type: "string" });
}

/** An object schema whose every listed property is required and which allows no other. */
function closedObject(properties: Record<string, unknown>): Json {
  return { type: "object", required: Object.keys(properties), properties, additionalProperties: false };
}
