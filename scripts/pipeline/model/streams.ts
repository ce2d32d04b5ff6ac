// Reads OpenAPI 3.2 `itemSchema` streams: a success response whose text/event-stream names the schema of each event.
import { asObject, isObject, type Json } from "./refs.js";
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
      return { status, mediaType, data: sseDataFormat(document, media.itemSchema) };
    }
  }
  return undefined;
}

/**
 * How an event's `data` string is read: "json" when the item's `data` property names a JSON `contentMediaType`
 * (OpenAPI 3.2's way of describing string-encoded JSON), else "text".
 */
export function sseDataFormat(document: Json, itemSchema: unknown): "json" | "text" {
  const data = sseDataProperty(document, itemSchema);
  return data && typeof data.contentMediaType === "string" && JSON_MEDIA.test(data.contentMediaType) ? "json" : "text";
}

/** The `data` property of an SSE item schema, following $refs; undefined when the item declares none. */
export function sseDataProperty(document: Json, itemSchema: unknown): Json | undefined {
  const item = asObject(document, itemSchema);
  const properties = item && isObject(item.properties) ? item.properties : undefined;
  return properties && asObject(document, properties.data);
}
