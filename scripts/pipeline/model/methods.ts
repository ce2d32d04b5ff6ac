// The operations of a path item: the eight methods every OpenAPI version has, then 3.2's `query` and `additionalOperations`.
import type { HttpMethod } from "../../../src/runtime/types.js";
import { asObject, isObject, pointer, type Json } from "./refs.js";

/** The methods `paths` types in openapi-typescript 7, which knows no others. */
export const FIXED_METHODS: HttpMethod[] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Each operation of a path item with its method: `query` as written, an `additionalOperations` key as sent (e.g. PURGE). */
export function pathItemOperations(item: Json): [HttpMethod, unknown][] {
  const fixed = [...FIXED_METHODS, "query"]
    .filter((m) => item[m] !== undefined)
    .map((m) => [m, item[m]] as [string, unknown]);
  const more = isObject(item.additionalOperations) ? Object.entries(item.additionalOperations) : [];
  return [...fixed, ...more.filter(([, operation]) => operation !== undefined)];
}

/** The raw operation of a path item for a method `pathItemOperations` returned. */
export function pathItemOperation(item: Json, method: HttpMethod): unknown {
  if (FIXED_METHODS.includes(method) || method === "query") return item[method];
  return isObject(item.additionalOperations) ? item.additionalOperations[method] : undefined;
}

/** True for a method openapi-typescript's `paths` types; the others are typed in `additionalOperations`. */
export function isFixedMethod(method: HttpMethod): boolean {
  return FIXED_METHODS.includes(method);
}

/**
 * One line per parameter the generated code cannot send, so that it is not dropped silently: OpenAPI 3.2's
 * `in: querystring` (the whole query string from one media type) is not supported yet.
 */
export function unsupportedParameters(document: Json): string[] {
  const warnings: string[] = [];
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = path.startsWith("x-") ? undefined : asObject(document, rawItem);
    if (!item) continue;
    for (const [method, raw] of pathItemOperations(item)) {
      const operation = asObject(document, raw);
      const list = [item.parameters, operation?.parameters].flatMap((l) => (Array.isArray(l) ? l : []));
      for (const parameter of list.map((p) => asObject(document, p))) {
        if (parameter?.in !== "querystring") continue;
        const id = typeof operation?.operationId === "string" ? ` (${operation.operationId})` : "";
        warnings.push(
          `${pointer("paths", path, method)}${id}: parameter \`${String(parameter.name)}\` (in: querystring) is not sent; querystring parameters are not supported yet`,
        );
      }
    }
  }
  return warnings;
}
