// Local $ref lookups in a bundled document (bundling leaves only `#/...` refs).
import { PipelineError } from "../errors.js";

export type Json = Record<string, unknown>;

/**
 * An empty map for keys read from the spec (property, parameter, schema, scheme and variable names): it has no
 * prototype, so `constructor`, `toString` or `__proto__` are keys like any other, never Object.prototype's members
 * (`{}["constructor"]` is a function, and `{}["__proto__"] = x` sets the prototype instead of a key).
 */
export function dict<T = unknown>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `record[key]` when `record` has that key itself; undefined for inherited members such as `constructor`. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Follows `$ref` chains to the node they name, also through references inside a pointer; throws a PipelineError naming a dangling or circular ref. */
export function deref(document: Json, node: unknown, seen: Set<string> = new Set()): unknown {
  if (!isObject(node) || typeof node.$ref !== "string") return node;
  const ref = node.$ref;
  if (!ref.startsWith("#")) throw new PipelineError(`external $ref left after bundling: ${ref}`);
  if (seen.has(ref)) throw new PipelineError(`circular $ref chain: ${[...seen, ref].join(" → ")}`);
  seen.add(ref);
  let target: unknown = document;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodePointerSegment(raw);
    // A pointer may pass through a reference (`…/schema/properties/tag` where `schema` is a `$ref`): follow it.
    if (isObject(target) && typeof target.$ref === "string" && !Object.hasOwn(target, key))
      target = deref(document, target, new Set(seen));
    target = isObject(target) || Array.isArray(target) ? ownValue(target as Json, key) : undefined;
    if (target === undefined) throw new PipelineError(`unresolved $ref ${ref}`);
  }
  return deref(document, target, seen);
}

export function asObject(document: Json, node: unknown): Json | undefined {
  const resolved = deref(document, node);
  return isObject(resolved) ? resolved : undefined;
}

/**
 * One segment of a `$ref`'s JSON pointer as the key it names: URI-decoded, then `~1` → `/` and `~0` → `~` (RFC 6901).
 * What is not a valid escape (`100%`) is read as written.
 */
export function decodePointerSegment(segment: string): string {
  return lenientDecodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
}

const strictDecodeURIComponent = globalThis.decodeURIComponent;

/**
 * `decodeURIComponent`, except that a text it cannot decode (a "%" that starts no escape, as in `100%`, or escapes
 * that are not UTF-8, as in `%ff`) is read as written, whole, as Redocly's resolver reads such a pointer.
 */
export function lenientDecodeURIComponent(text: string): string {
  try {
    return strictDecodeURIComponent(text);
  } catch {
    return String(text);
  }
}

/** A key as one JSON pointer segment, before any URI escaping: `~` → `~0`, `/` → `~1` (RFC 6901). */
export const pointerSegment = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** The JSON pointer of `keys` from the document's root, not URI-escaped: for messages and lookups. */
export function pointer(...keys: string[]): string {
  return "#/" + keys.map(pointerSegment).join("/");
}
