// JSON Schemas of each operation's inputs (parameters and body), self-contained, for outputs that validate input
// before sending it (the MCP tools). OpenAPI's schema dialect is turned into plain JSON Schema: `$ref`s resolved,
// 3.0's `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` rewritten, read-only properties dropped
// (they are never sent), and documentation-only keywords (examples, xml, discriminator, `x-` extensions) left out.
import { mergeParameters } from "./operations.js";
import { asObject, decodePointerSegment, dict, isObject, pointer, type Json } from "./refs.js";
import type { InputSchemasModel, OperationModel } from "./types.js";
import { pathItemOperation } from "./methods.js";

/** Keywords kept as they are (besides the ones rewritten below); anything else is documentation or tooling. */
const KEPT = new Set([
  "type",
  "enum",
  "const",
  "format",
  "default",
  "description",
  "required",
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "contentMediaType",
  "contentEncoding",
  "deprecated",
]);
/** Keywords whose value is one schema. */
const SCHEMA_VALUED = new Set(["items", "not", "additionalProperties", "contains", "propertyNames"]);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);

function unicodePattern(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

/** `$ref` → how many times the operation's schemas name it (each target walked once). */
function countRefs(document: Json, roots: unknown[]): Map<string, number> {
  const counts = new Map<string, number>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isObject(node)) return;
    if (typeof node.$ref === "string") {
      const seen = counts.get(node.$ref);
      counts.set(node.$ref, (seen ?? 0) + 1);
      if (seen === undefined) walk(lookup(document, node.$ref));
    }
    for (const [key, value] of Object.entries(node)) if (key !== "$ref" && !key.startsWith("x-")) walk(value);
  };
  roots.forEach(walk);
  return counts;
}

/** The node a local `$ref` names, or undefined when it dangles. */
function lookup(document: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let target: unknown = document;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodePointerSegment(raw);
    target = isObject(target) || Array.isArray(target) ? (target as Json)[key] : undefined;
  }
  return target;
}

/**
 * Converts the schemas of one operation. A `$ref` named once (and on no cycle) is inlined; one named more often,
 * or recursive, becomes a `$defs` entry named after its last pointer segment, referenced as `#/$defs/<name>`, so
 * the result stays small and finite. The caller places `defs` at the root of the schema it builds.
 */
class Converter {
  readonly defs = dict();
  readonly #defNames = new Map<string, string>();
  readonly #counts: Map<string, number>;
  readonly #inlining = new Set<string>();

  constructor(
    private readonly document: Json,
    roots: unknown[],
  ) {
    this.#counts = countRefs(document, roots);
  }

  convert(node: unknown): unknown {
    if (typeof node === "boolean") return node;
    if (!isObject(node)) return {};
    if (typeof node.$ref === "string") return this.#ref(node);
    const out: Json = {};
    const nullable = node.nullable === true;
    for (const [key, value] of Object.entries(node)) {
      if (key === "pattern") {
        // JSON Schema validators compile patterns as Unicode regular expressions, which reject escapes such as
        // `\:` that other dialects accept; such a pattern is left out rather than breaking the whole schema
        if (typeof value === "string" && unicodePattern(value)) out[key] = value;
      } else if (KEPT.has(key)) out[key] = value;
      else if (SCHEMA_VALUED.has(key)) out[key] = this.convert(value);
      else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) out[key] = value.map((member) => this.convert(member));
      else if ((key === "properties" || key === "patternProperties") && isObject(value)) {
        const properties = dict();
        for (const [name, property] of Object.entries(value)) {
          if (this.#readOnly(property)) continue;
          properties[name] = this.convert(property);
        }
        out[key] = properties;
      } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
        // 3.0: a boolean beside minimum/maximum; 3.1: the bound itself
        const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
        if (typeof value === "number") out[key] = value;
        else if (value === true && typeof node[bound] === "number") out[key] = node[bound];
      }
    }
    if (out.exclusiveMinimum !== undefined && out.minimum === out.exclusiveMinimum) delete out.minimum;
    if (out.exclusiveMaximum !== undefined && out.maximum === out.exclusiveMaximum) delete out.maximum;
    if (isObject(out.properties) && Array.isArray(out.required)) {
      const properties = out.properties;
      // a required read-only property is the server's to fill, never the caller's
      const readOnly = isObject(node.properties)
        ? Object.keys(node.properties).filter((name) => !(name in properties))
        : [];
      out.required = out.required.filter((name) => !readOnly.includes(String(name)));
      if ((out.required as unknown[]).length === 0) delete out.required;
    }
    if (nullable) {
      if (typeof out.type === "string") out.type = [out.type, "null"];
      else if (Array.isArray(out.type) && !out.type.includes("null")) out.type = [...out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    return out;
  }

  #readOnly(property: unknown): boolean {
    const resolved = asObject(this.document, property);
    return resolved?.readOnly === true;
  }

  #ref(node: Json): unknown {
    const ref = node.$ref as string;
    const target = lookup(this.document, ref);
    if (target === undefined) return {};
    // 3.1 lets a $ref carry siblings; only the description is worth keeping
    const siblings = typeof node.description === "string" ? { description: node.description } : {};
    const shared = (this.#counts.get(ref) ?? 0) > 1 || this.#inlining.has(ref);
    if (!shared) {
      this.#inlining.add(ref);
      try {
        const converted = this.convert(target);
        return isObject(converted) ? { ...converted, ...siblings } : converted;
      } finally {
        this.#inlining.delete(ref);
      }
    }
    let name = this.#defNames.get(ref);
    if (name === undefined) {
      name = this.#claim(ref);
      this.#defNames.set(ref, name);
      this.defs[name] = {}; // placeholder: a cycle back to this ref finds the name taken
      this.#inlining.add(ref);
      try {
        this.defs[name] = this.convert(target);
      } finally {
        this.#inlining.delete(ref);
      }
    }
    return { $ref: `#/$defs/${encodeURIComponent(name).replace(/~/g, "~0")}`, ...siblings };
  }

  #claim(ref: string): string {
    const last = decodePointerSegment(ref.split("/").pop() ?? "");
    const base = last.replace(/[^A-Za-z0-9_.-]/g, "_") || "schema";
    let name = base;
    for (let n = 2; name in this.defs; n++) name = `${base}_${n}`;
    return name;
  }
}

/** A parameter's schema: its `schema`, else the schema of its one `content` entry. */
function parameterSchema(document: Json, param: Json): unknown {
  if (param.schema !== undefined) return param.schema;
  const content = asObject(document, param.content);
  const first = content ? Object.values(content)[0] : undefined;
  return asObject(document, first)?.schema;
}

/** The input schemas of `operation` (already placed), read from the bundled document. */
export function readInputSchemas(document: Json, operation: OperationModel): InputSchemasModel {
  const item = asObject(document, (document.paths as Json)[operation.path]) ?? {};
  const raw = asObject(document, pathItemOperation(item, operation.method)) ?? {};
  const params = mergeParameters(
    document,
    item.parameters,
    raw.parameters,
    pointer("paths", operation.path, operation.method),
  );
  const bodyObject = asObject(document, raw.requestBody);
  const media =
    operation.requestBody &&
    asObject(document, asObject(document, bodyObject?.content)?.[operation.requestBody.contentType]);
  const declared = [
    ...operation.pathParams,
    ...operation.queryParams,
    ...operation.headerParams,
    ...operation.cookieParams,
  ];
  const sources = declared.map((p) => params.find((raw) => raw.name === p.name && raw.in === p.in));
  const roots = [...sources.map((source) => source && parameterSchema(document, source)), media?.schema];
  const converter = new Converter(document, roots);
  const parameters = dict();
  declared.forEach((p, i) => {
    const schema = roots[i];
    parameters[`${p.in}:${p.name}`] = schema === undefined ? { type: "string" } : converter.convert(schema);
  });
  return {
    parameters,
    ...(operation.requestBody ? { body: media?.schema === undefined ? {} : converter.convert(media.schema) } : {}),
    ...(Object.keys(converter.defs).length ? { defs: converter.defs } : {}),
  };
}
