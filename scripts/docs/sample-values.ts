// Example values for code samples, from any bundled spec: the spec's own examples first (a parameter's or media
// type's `example`/`examples`, then a schema's `examples`/`example`/`const`/`default`/`enum`), else a placeholder
// of the schema's type, so that a request built from them is valid for the schema.
import { asObject, deref, isObject, type Json } from "../pipeline/model/refs.js";

/** Nesting beyond this gives an empty object or list, so a recursive schema still ends. */
const MAX_DEPTH = 8;

/** Placeholders for string formats whose type a bare name would misrepresent. */
const FORMAT_PLACEHOLDERS: Record<string, string> = {
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "00:00:00Z",
  email: "user@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  "uri-reference": "https://example.com",
  iri: "https://example.com",
  uuid: "123e4567-e89b-12d3-a456-426614174000",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  hostname: "example.com",
  byte: "U3dhZ2dlciByb2Nrcw==",
};

/**
 * The first example a Parameter or Media Type Object declares: `example`, else the first entry of `examples`
 * that carries a value (`dataValue` in OpenAPI 3.2, else `value`); an `externalValue` alone is skipped.
 */
export function declaredExample(document: Json, holder: Json): { value: unknown } | undefined {
  if (holder.example !== undefined) return { value: holder.example };
  if (!isObject(holder.examples)) return undefined;
  for (const raw of Object.values(holder.examples)) {
    const example = asObject(document, raw);
    if (example?.dataValue !== undefined) return { value: example.dataValue };
    if (example?.value !== undefined) return { value: example.value };
  }
  return undefined;
}

/** A parameter's value: its own example, its content's example, else one from its schema named after it. */
export function parameterValue(document: Json, parameter: Json): unknown {
  const declared = declaredExample(document, parameter);
  if (declared) return declared.value;
  const media = isObject(parameter.content) ? asObject(document, Object.values(parameter.content)[0]) : undefined;
  const fromContent = media && declaredExample(document, media);
  if (fromContent) return fromContent.value;
  return schemaValue(document, media?.schema ?? parameter.schema, String(parameter.name ?? "value"));
}

/** A request body's value for one media type: the media type's example, else one built from its schema. */
export function mediaTypeValue(document: Json, media: Json): unknown {
  return declaredExample(document, media)?.value ?? schemaValue(document, media.schema, "value");
}

/**
 * A value valid for `schema` as a request sends it: the schema's own example where it has one, else its
 * required, writable properties, one item per list, and a placeholder per type (`name` for a plain string).
 */
export function schemaValue(document: Json, schema: unknown, name: string, depth = 0): unknown {
  const node = asObject(document, schema);
  if (!node) return name;
  // A spec's example can contradict its own schema (an object's example written as a JSON string): those are skipped.
  const own = [...(Array.isArray(node.examples) ? node.examples.slice(0, 1) : []), node.example, node.default];
  const fitting = own.find((value) => value !== undefined && fitsType(node, value));
  if (fitting !== undefined) return fitting;
  if (node.const !== undefined) return node.const;
  if (Array.isArray(node.enum)) {
    const choice = node.enum.find((value) => value !== null);
    if (choice !== undefined) return choice;
  }
  if (Array.isArray(node.allOf)) return mergeAll(document, node, name, depth);
  const branches = [node.oneOf, node.anyOf].find(Array.isArray);
  if (branches) {
    const branch = branches.find((b) => !isNullSchema(document, b)) ?? branches[0];
    return withDiscriminator(document, node, branch, schemaValue(document, branch, name, depth + 1));
  }
  switch (schemaType(node)) {
    case "object":
      return objectValue(document, node, depth);
    case "array":
      return depth >= MAX_DEPTH || node.maxItems === 0 ? [] : [schemaValue(document, node.items, name, depth + 1)];
    case "integer":
    case "number":
      return numberValue(node);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return (typeof node.format === "string" && FORMAT_PLACEHOLDERS[node.format]) || name;
  }
}

/** True when `value`'s JSON type is one the schema's `type` allows (or it declares none). */
function fitsType(node: Json, value: unknown): boolean {
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter((t) => typeof t === "string");
  if (types.length === 0) return true;
  const kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (kind === "number") return types.includes("number") || (types.includes("integer") && Number.isInteger(value));
  return types.includes(kind);
}

/**
 * A oneOf/anyOf branch under a `discriminator` carries its property (type generators make it required): the
 * mapping key that names the branch, else the value the branch's property allows, else the branch's schema name.
 */
function withDiscriminator(document: Json, node: Json, branch: unknown, value: unknown): unknown {
  const discriminator = isObject(node.discriminator) ? node.discriminator : undefined;
  const property = discriminator?.propertyName;
  if (typeof property !== "string" || !isObject(value)) return value;
  const ref = isObject(branch) && typeof branch.$ref === "string" ? branch.$ref : undefined;
  const mapping = isObject(discriminator?.mapping) ? Object.entries(discriminator.mapping) : [];
  const mapped = mapping.find(([, target]) => target === ref || (ref && ref.endsWith(`/${String(target)}`)))?.[0];
  const declared = asObject(document, asObject(document, branch)?.properties);
  const allowed = asObject(document, declared?.[property]);
  const fixed = allowed?.const ?? (Array.isArray(allowed?.enum) ? allowed.enum[0] : undefined);
  const tag = mapped ?? fixed ?? ref?.split("/").pop();
  return tag === undefined ? value : { ...value, [property]: tag };
}

/** The one type a value takes: the first non-null `type`, else what the keywords present imply. */
function schemaType(node: Json): string {
  const types = (Array.isArray(node.type) ? node.type : [node.type]).filter((t) => typeof t === "string");
  const chosen = types.find((t) => t !== "null") ?? types[0];
  if (typeof chosen === "string") return chosen;
  if (isObject(node.properties) || node.additionalProperties !== undefined) return "object";
  if (node.items !== undefined) return "array";
  return "string";
}

function isNullSchema(document: Json, schema: unknown): boolean {
  const node = asObject(document, schema);
  return node?.type === "null" || (Array.isArray(node?.enum) && node.enum.every((v) => v === null));
}

function objectValue(document: Json, node: Json, depth: number): Json {
  const value: Json = {};
  if (depth >= MAX_DEPTH) return value;
  const properties = isObject(node.properties) ? node.properties : {};
  const required = Array.isArray(node.required) ? node.required.filter((r) => typeof r === "string") : [];
  for (const key of required) {
    const property = asObject(document, properties[key]);
    if (property?.readOnly === true) continue;
    value[key] = schemaValue(document, properties[key], key, depth + 1);
  }
  return value;
}

/**
 * allOf: one object schema of every branch's properties and `required` (nested allOfs too) when any branch is an
 * object, so a property required in one branch and declared in another is filled; else the first branch's value.
 */
function mergeAll(document: Json, node: Json, name: string, depth: number): unknown {
  const parts: Json[] = [];
  const collect = (schema: unknown) => {
    const part = asObject(document, schema);
    if (!part) return;
    const { allOf, ...own } = part;
    if (Array.isArray(allOf)) allOf.forEach(collect);
    if (Object.keys(own).length > 0) parts.push(own);
  };
  collect(node);
  if (!parts.some((part) => schemaType(part) === "object" && !isObject(part.items))) {
    return schemaValue(document, (node.allOf as unknown[])[0], name, depth + 1);
  }
  const merged: Json = { type: "object", properties: {}, required: [] };
  for (const part of parts) {
    Object.assign(merged.properties as Json, isObject(part.properties) ? part.properties : {});
    if (Array.isArray(part.required)) (merged.required as unknown[]).push(...part.required);
  }
  return objectValue(document, merged, depth);
}

function numberValue(node: Json): number {
  const integer = schemaType(node) === "integer";
  let low = typeof node.minimum === "number" ? node.minimum : -Infinity;
  if (typeof node.exclusiveMinimum === "number") low = Math.max(low, node.exclusiveMinimum + (integer ? 1 : 0.5));
  let high = typeof node.maximum === "number" ? node.maximum : Infinity;
  if (typeof node.exclusiveMaximum === "number") high = Math.min(high, node.exclusiveMaximum - (integer ? 1 : 0.5));
  const value = Math.min(Math.max(1, low), high);
  return integer ? Math.ceil(value) : value;
}
