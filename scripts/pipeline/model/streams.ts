// Reads OpenAPI 3.2 `itemSchema` streams: a success response whose text/event-stream names the schema of each event.
import { asObject, dict, isObject, type Json } from "./refs.js";
import type { EventDataFormat } from "../../../src/runtime/types.js";
import type { EventStreamModel } from "./types.js";

const EVENT_STREAM = /^text\/event-stream\b/i;
const JSON_MEDIA = /^application\/(.+\+)?json\b/i;

/** The first 2xx (else `default`) text/event-stream response with an `itemSchema`, or undefined. */
export function readEventStream(document: Json, responses: unknown): Omit<EventStreamModel, "methodName"> | undefined {
  const all = asObject(document, responses);
  if (!all) return undefined;
  let codes = Object.keys(all).filter((code) => /^2(\d\d|XX)$/i.test(code));
  if (codes.length === 0 && "default" in all) codes = ["default"];
  for (const status of codes) {
    const response = asObject(document, all[status]);
    const content = response && isObject(response.content) ? response.content : {};
    for (const [mediaType, raw] of Object.entries(content)) {
      const media = EVENT_STREAM.test(mediaType) ? asObject(document, raw) : undefined;
      if (!media || media.itemSchema === undefined) continue;
      const union = sseEventBranches(document, media.itemSchema) !== undefined;
      return { status, mediaType, data: sseDataFormat(document, media.itemSchema), ...(union ? { union } : {}) };
    }
  }
  return undefined;
}

/**
 * How an event's `data` string is read: "json" when the item's `data` property names a JSON `contentMediaType`
 * (OpenAPI 3.2's way of describing string-encoded JSON), else "text"; per event name when the item is a oneOf
 * (or anyOf) of event shapes whose formats differ.
 */
export function sseDataFormat(document: Json, itemSchema: unknown): EventDataFormat {
  const branches = sseEventBranches(document, itemSchema);
  if (!branches) return dataFormatOf(sseDataProperty(document, itemSchema));
  const events = dict<"json" | "text">();
  for (const branch of branches) for (const name of branch.events) events[name] ??= branch.data;
  // An event no branch names is read like the first branch that pins no name, else like the item's own `data`.
  const otherwise =
    branches.find((b) => b.events.length === 0)?.data ?? dataFormatOf(sseDataProperty(document, itemSchema));
  const formats = new Set([otherwise, ...Object.values(events)]);
  return formats.size === 1 ? otherwise : { events, otherwise };
}

function dataFormatOf(data: Json | undefined): "json" | "text" {
  return data && typeof data.contentMediaType === "string" && JSON_MEDIA.test(data.contentMediaType) ? "json" : "text";
}

/** The `data` property of an SSE item schema, following $refs; undefined when the item declares none. */
export function sseDataProperty(document: Json, itemSchema: unknown): Json | undefined {
  const item = asObject(document, itemSchema);
  const properties = item && isObject(item.properties) ? item.properties : undefined;
  return properties && asObject(document, properties.data);
}

/** One event shape of an item that is a oneOf/anyOf: its schema merged with the item's own properties. */
export interface SseEventBranch {
  /** The event names the branch pins (`event`'s `const` or `enum`); none when any name may carry it. */
  events: string[];
  /** A self-contained object schema: the item's properties and `required`, each overlaid by the branch's. */
  schema: Json;
  data: "json" | "text";
}

/**
 * The event shapes of an item schema that is a oneOf (or anyOf) of them, as in the OpenAPI 3.2 specification's SSE
 * example; undefined for a single shape.
 */
export function sseEventBranches(document: Json, itemSchema: unknown): SseEventBranch[] | undefined {
  const item = asObject(document, itemSchema);
  const list = item && (Array.isArray(item.oneOf) ? item.oneOf : Array.isArray(item.anyOf) ? item.anyOf : undefined);
  if (!item || !list) return undefined;
  const { oneOf: _one, anyOf: _any, ...base } = item;
  const baseProperties = isObject(base.properties) ? base.properties : {};
  return list.flatMap((raw) => {
    const branch = asObject(document, raw);
    if (!branch) return [];
    const own = isObject(branch.properties) ? branch.properties : {};
    const properties: Json = { ...baseProperties };
    // A property both declare is the item's, narrowed by the branch's keywords (e.g. `const` on `event`).
    for (const [name, schema] of Object.entries(own))
      properties[name] =
        name in baseProperties
          ? { ...asObject(document, baseProperties[name]), ...asObject(document, schema) }
          : schema;
    const required = [...new Set([base.required, branch.required].flatMap((r) => (Array.isArray(r) ? r : [])))];
    const schema: Json = { ...base, type: "object", properties, ...(required.length ? { required } : {}) };
    const event = asObject(document, properties.event);
    const pinned = event?.const !== undefined ? [event.const] : Array.isArray(event?.enum) ? event.enum : [];
    const events = pinned.filter((name): name is string => typeof name === "string");
    return [{ events, schema, data: dataFormatOf(sseDataProperty(document, schema)) }];
  });
}
