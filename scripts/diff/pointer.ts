// JSON pointers (`#/a/b`) and local $ref resolution over a bundled document.
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Appends keys to a pointer, escaping `~` and `/` as RFC 6901 says. */
export function child(pointer: string, ...keys: (string | number)[]): string {
  return [pointer, ...keys.map((k) => String(k).replace(/~/g, "~0").replace(/\//g, "~1"))].join("/");
}

export const ROOT = "#";

/** A node together with where it lives, after following any `$ref` chain. */
export interface Located {
  node: Json;
  pointer: string;
}

function lookup(document: Json, ref: string): unknown {
  let target: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    target = isObject(target) || Array.isArray(target) ? (target as Json)[key] : undefined;
  }
  return target;
}

/** Follows local `$ref`s (a chain that loops or dangles resolves to undefined); non-objects resolve to undefined. */
export function resolve(document: Json, node: unknown, pointer: string): Located | undefined {
  const seen = new Set<string>();
  let current = node;
  let at = pointer;
  while (isObject(current) && typeof current.$ref === "string") {
    const ref = current.$ref;
    if (!ref.startsWith("#/") || seen.has(ref)) return undefined;
    seen.add(ref);
    at = ref;
    current = lookup(document, ref);
  }
  return isObject(current) ? { node: current, pointer: at } : undefined;
}

/** Stable JSON (sorted keys) for comparing values that may differ only in key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}
