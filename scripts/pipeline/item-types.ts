// Part of stage 4: the types of OpenAPI 3.2 `itemSchema`s, which openapi-typescript 7 ignores (it types such a media type `unknown`).
import { sseDataFormat, sseDataProperty } from "./model/streams.js";
import { asObject, isObject, type Json } from "./model/refs.js";

// The methods the model reads (3.2's `query` and `additionalOperations` are not generated yet).
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const EVENT_STREAM = /^text\/event-stream\b/i;

/** Name of the type that mirrors `paths` down to each item schema: `itemSchemas[path][method][status][mediaType]`. */
export const ITEM_SCHEMAS_TYPE = "itemSchemas";

/**
 * One schema whose type is `itemSchemas`: for every response media type with an `itemSchema`, `item` (each item as the
 * spec describes it) and `data` (for text/event-stream, an event's `data` as the runtime yields it: the `contentSchema`
 * of JSON data, else the property's own schema). Undefined when the document has no item schemas.
 */
export function itemSchemasSchema(document: Json): Json | undefined {
  const paths: Record<string, Json> = {};
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = path.startsWith("x-") ? undefined : asObject(document, rawItem);
    const methods: Record<string, Json> = {};
    for (const method of METHODS) {
      const operation = item && asObject(document, item[method]);
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
  const data = sseDataProperty(document, itemSchema);
  const dataSchema =
    sseDataFormat(document, itemSchema) === "json"
      ? (data?.contentSchema ?? {}) // JSON data without a contentSchema may be any JSON value
      : (data ?? { type: "string" });
  return closedObject({ item: itemSchema, data: dataSchema });
}

/** An object schema whose every listed property is required and which allows no other. */
function closedObject(properties: Record<string, unknown>): Json {
  return { type: "object", required: Object.keys(properties), properties, additionalProperties: false };
}
