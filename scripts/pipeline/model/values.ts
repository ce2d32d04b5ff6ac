// A value's schema as an input form reads it: a parameter's, and each top-level field of an object request body.
import { asObject, isObject, type Json } from "./refs.js";
import type { BodyFieldModel, ValueModel } from "./types.js";

const JSON_TYPES = new Set<ValueModel["type"]>(["string", "number", "integer", "boolean", "array", "object"]);

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/**
 * The JSON type, allowed values and default of a schema. A single-member allOf is followed; a type list keeps its
 * one non-null type; anything else that gives no single type (a oneOf, several types) is "unknown".
 */
export function readValue(document: Json, raw: unknown, depth = 0): ValueModel {
  const schema = asObject(document, raw);
  if (!schema || depth > 8) return { type: "unknown" };
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.type === undefined)
    return readValue(document, schema.allOf[0], depth + 1);
  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => t !== undefined);
  const nullable = schema.nullable === true || types.includes("null");
  const named = types.filter((t): t is ValueModel["type"] => t !== "null" && JSON_TYPES.has(t as ValueModel["type"]));
  const listed = Array.isArray(schema.enum)
    ? schema.enum.filter(isScalar)
    : isScalar(schema.const)
      ? [schema.const]
      : undefined;
  const inferred =
    named.length === 0 && listed?.length && listed.every((v) => typeof v === listed[0] && typeof v !== "boolean")
      ? (typeof listed[0] as "string" | "number")
      : undefined;
  const type: ValueModel["type"] =
    named.length === 1
      ? named[0]
      : (inferred ?? (named.length === 0 && isObject(schema.properties) ? "object" : "unknown"));
  return {
    type,
    ...(listed?.length && type !== "array" && type !== "object" ? { enum: listed } : {}),
    ...(type === "array" ? { items: readValue(document, schema.items, depth + 1) } : {}),
    ...(isScalar(schema.default) ? { default: schema.default } : {}),
    ...(nullable ? { nullable: true } : {}),
  };
}

/**
 * The top-level fields of an object body (its own properties and those of its allOf members), in spec order,
 * without readOnly ones; undefined when the body is not an object with properties (an array, a oneOf, a file).
 */
export function readBodyFields(document: Json, raw: unknown): BodyFieldModel[] | undefined {
  const properties = new Map<string, Json>();
  const required = new Set<string>();
  const collect = (node: unknown, depth: number): void => {
    const schema = asObject(document, node);
    if (!schema || depth > 8) return;
    if (isObject(schema.properties))
      for (const [name, property] of Object.entries(schema.properties)) {
        const resolved = asObject(document, property);
        if (resolved && !properties.has(name)) properties.set(name, resolved);
      }
    if (Array.isArray(schema.required))
      for (const name of schema.required) if (typeof name === "string") required.add(name);
    if (Array.isArray(schema.allOf)) for (const member of schema.allOf) collect(member, depth + 1);
  };
  collect(raw, 0);
  if (properties.size === 0) return undefined;
  return [...properties]
    .filter(([, schema]) => schema.readOnly !== true)
    .map(([name, schema]) => ({
      name,
      required: required.has(name),
      ...(typeof schema.description === "string" ? { description: schema.description } : {}),
      value: readValue(document, schema),
    }));
}
