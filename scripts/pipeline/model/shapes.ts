// Reads a response schema into the ValueShape the runtime checks a JSON success body against.
import type { JsonType, ValueShape } from "../../../src/runtime/types.js";
import { asObject, dict, isObject, ownValue, type Json } from "./refs.js";

const JSON_TYPES = new Set<string>(["object", "array", "string", "number", "integer", "boolean", "null"]);
type Enum = NonNullable<ValueShape["enum"]>;

/**
 * The shape of a response schema: its types and, for an object, each required property's types and enum.
 * Only what the schema states for certain is kept (a oneOf or an untyped schema says nothing), and a
 * `writeOnly` property is never required of a response.
 */
export function responseShape(document: Json, schema: unknown): ValueShape | undefined {
  const node = asObject(document, schema);
  if (!node) return undefined;
  const types = typesOf(document, node);
  const required = requiredOf(document, node);
  const shape: { types?: JsonType[]; required?: Record<string, ValueShape> } = {};
  if (types) shape.types = types;
  if (required && Object.keys(required).length > 0) shape.required = required;
  return shape.types || shape.required ? shape : undefined;
}

/** Declared types (3.0 `nullable` adds null); allOf narrows to its members' common types. */
function typesOf(document: Json, node: Json): JsonType[] | undefined {
  let types: JsonType[] | undefined;
  const declared = Array.isArray(node.type) ? node.type : node.type === undefined ? undefined : [node.type];
  if (declared && declared.every((t) => typeof t === "string" && JSON_TYPES.has(t))) {
    types = declared as JsonType[];
    if (node.nullable === true && !types.includes("null")) types = [...types, "null"];
  }
  for (const member of Array.isArray(node.allOf) ? node.allOf : []) {
    const inner = asObject(document, member);
    const memberTypes = inner && typesOf(document, inner);
    if (memberTypes) types = types ? types.filter((t) => memberTypes.includes(t)) : memberTypes;
  }
  return types;
}

/** Required properties of the schema and its allOf members, with the types and enum of each. */
function requiredOf(document: Json, node: Json, seen = new Set<Json>()): Record<string, ValueShape> | undefined {
  if (seen.has(node)) return undefined;
  seen.add(node);
  const out = dict<ValueShape>();
  const properties = isObject(node.properties) ? node.properties : {};
  for (const name of Array.isArray(node.required) ? node.required : []) {
    if (typeof name !== "string") continue;
    const property = asObject(document, ownValue(properties, name));
    if (property?.writeOnly === true) continue;
    const types = property && typesOf(document, property);
    const values = property && enumOf(property);
    out[name] = { ...(types ? { types } : {}), ...(values ? { enum: values } : {}) };
  }
  for (const member of Array.isArray(node.allOf) ? node.allOf : []) {
    const inner = asObject(document, member);
    if (inner) Object.assign(out, requiredOf(document, inner, seen));
  }
  return out;
}

function enumOf(node: Json): Enum | undefined {
  if (node.const !== undefined) return isScalar(node.const) ? [node.const] : undefined;
  if (!Array.isArray(node.enum)) return undefined;
  return node.enum.every(isScalar) ? (node.enum as Enum) : undefined;
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}
