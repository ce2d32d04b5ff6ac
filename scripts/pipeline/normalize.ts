// Stage before types: rewrite the bundled document so openapi-typescript's output accepts every valid value and
// rejects invalid ones. Each fix is a plain OpenAPI rewrite, so another type generator could read the same result.
//
// 1. `$ref`s into a component's interior (`#/components/schemas/Tag/allOf/0`, `#/components/parameters/X/schema`,
//    a schema's own `$defs`) become refs to new components: openapi-typescript indexes TS types by those JSON
//    keys, which do not exist; the emptied `$defs` keywords are dropped, or they would be typed as properties.
// 2. `required` names in an allOf member (or beside allOf) whose properties another member defines get those
//    properties copied beside them (openapi-typescript#1474); a bare `type: object` member stops meaning "empty".
// 3. readOnly/writeOnly (orval#616): a component holding either gets two views. Its own name is the response
//    view, without writeOnly properties; `<Name>Writable` is the request view, without readOnly properties.
//    Request bodies refer to the request views, and inline request and response schemas drop the same properties.
// 4. properties beside a typed additionalProperties (openapi-typescript#1657): the index signature widens to the
//    union of the additional and the property types, the only form TypeScript can express.
// 5. a discriminator without a mapping gets an explicit one: the value each oneOf/anyOf target pins the property
//    to (`const`, or an `enum` of one, as OpenAI's `role: [user]`), else the target's component name (the spec's
//    implicit value). Otherwise openapi-typescript types a pinned property as the schema's name, and the request
//    views of 3. would be named `DogWritable`; either way no valid value compiles.
// 6. a parameter declared with `content` gets its media type's schema as `schema`: openapi-typescript types a
//    parameter only from `schema`, so it would be `string` whatever the content schema says.
import type { OpenAPIDocument } from "./bundle.js";
import { decodePointerSegment, pointer } from "./model/refs.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace", "query"];
// Keywords whose value is one schema, a list of schemas, or a map of name → schema.
const ONE_SCHEMA = [
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
const SCHEMAS = "#/components/schemas/";

/** Returns a rewritten copy of the document; the input is left as it was. */
export function normalizeForTypes(document: OpenAPIDocument): OpenAPIDocument {
  const doc = copyJson(document) as Json;
  typeContentParameters(doc);
  hoistInteriorRefs(doc);
  // every ref into a schema's own `$defs` now names a hoisted component; openapi-typescript would type the
  // keyword as a required property
  for (const schema of schemaNodes(doc)) for (const keyword of ["$defs", "definitions"]) delete schema[keyword];
  for (const schema of schemaNodes(doc)) requireAcrossAllOf(doc, schema);
  // before the read/write split, which renames targets (`DogWritable`) that an implicit mapping would name
  for (const schema of schemaNodes(doc)) mapDiscriminator(doc, schema);
  splitReadWrite(doc);
  for (const schema of schemaNodes(doc)) widenAdditionalProperties(schema);
  return doc as OpenAPIDocument;
}

/** 6.: each parameter with `content` and no `schema` (the two exclude each other) takes its one media type's schema. */
function typeContentParameters(doc: Json): void {
  const components = isObject(doc.components) ? doc.components : {};
  const give = (parameter: unknown) => {
    if (!isObject(parameter) || parameter.schema !== undefined || !isObject(parameter.content)) return;
    const media = Object.values(parameter.content)[0];
    if (isObject(media) && media.schema !== undefined) parameter.schema = copyJson(media.schema);
  };
  const inList = (list: unknown) => Array.isArray(list) && list.forEach(give);
  if (isObject(components.parameters)) Object.values(components.parameters).forEach(give);
  const items = [doc.paths, doc.webhooks, components.pathItems].flatMap((map) =>
    isObject(map) ? Object.values(map) : [],
  );
  for (const item of items) {
    if (!isObject(item)) continue;
    inList(item.parameters);
    for (const method of HTTP_METHODS) if (isObject(item[method])) inList((item[method] as Json).parameters);
  }
}

/** A deep copy of parsed JSON/YAML, several times faster than structuredClone on a multi-megabyte spec. */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (typeof value !== "object" || value === null) return value;
  const out: Json = {};
  for (const key of Object.keys(value)) {
    const item = copyJson((value as Json)[key]);
    // Assigning `__proto__` would set the prototype instead of adding the key.
    if (key === "__proto__")
      Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

// ── walking ────────────────────────────────────────────────────────────────────────────────────────────────────

function decodePointer(ref: string): string[] | undefined {
  if (!ref.startsWith("#/")) return undefined;
  // a malformed escape is read as written
  return ref.slice(2).split("/").map(decodePointerSegment);
}

/**
 * Where a pointer leads: the keys of the node it names, as written in the document. Like Redocly's resolver, a
 * step into a `$ref` node continues at its target, so the keys returned may differ from the pointer's.
 */
function locate(doc: Json, keys: string[], depth = 0): string[] | undefined {
  let node: unknown = doc;
  let path: string[] = [];
  for (const key of keys) {
    if (isObject(node) && !Object.hasOwn(node, key) && typeof node.$ref === "string") {
      const target = depth < 32 ? decodePointer(node.$ref) : undefined;
      const real = target && locate(doc, target, depth + 1);
      if (!real) return undefined;
      path = real;
      node = at(doc, real);
    }
    if (!(isObject(node) || Array.isArray(node)) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Json)[key];
    path = [...path, key];
  }
  return path;
}

function at(doc: Json, keys: string[]): unknown {
  let node: unknown = doc;
  for (const key of keys) node = isObject(node) || Array.isArray(node) ? (node as Json)[key] : undefined;
  return node;
}

function componentSchema(doc: Json, ref: unknown): Json | undefined {
  if (typeof ref !== "string" || !ref.startsWith(SCHEMAS)) return undefined;
  const keys = decodePointer(ref);
  const target = keys?.length === 3 ? at(doc, keys) : undefined;
  return isObject(target) ? target : undefined;
}

/** The schemas directly under a schema: its properties, items, allOf members and so on. */
function childSchemas(schema: Json): unknown[] {
  const out: unknown[] = [];
  for (const key of ONE_SCHEMA) if (isObject(schema[key])) out.push(schema[key]);
  for (const key of SCHEMA_LISTS) if (Array.isArray(schema[key])) out.push(...(schema[key] as unknown[]));
  for (const key of SCHEMA_MAPS) if (isObject(schema[key])) out.push(...Object.values(schema[key] as Json));
  return out;
}

/** Every schema object in the document once: component schemas and each `schema` of a parameter, header or media type, with their subschemas. */
function schemaNodes(doc: Json): Json[] {
  const out: Json[] = [];
  const seen = new Set<Json>();
  const roots: unknown[] = [];
  const components = isObject(doc.components) ? doc.components : {};
  if (isObject(components.schemas)) roots.push(...Object.values(components.schemas));
  const findRoots = (node: unknown, depth: number): void => {
    if (depth > 64) return;
    if (Array.isArray(node)) return node.forEach((item) => findRoots(item, depth + 1));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "example" || key === "examples" || (node === components && key === "schemas")) continue;
      if (key === "schema") roots.push(value);
      else findRoots(value, depth + 1);
    }
  };
  findRoots(doc, 0);
  const stack = roots.reverse();
  while (stack.length) {
    const node = stack.pop();
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    out.push(node);
    stack.push(...childSchemas(node).reverse());
  }
  return out;
}

/** Every object in the document (schemas or not), to find and rewrite `$ref`s. */
function eachObject(node: unknown, visit: (object: Json) => void, seen = new Set<unknown>()): void {
  if (typeof node !== "object" || node === null || seen.has(node)) return;
  seen.add(node);
  if (!Array.isArray(node)) visit(node as Json);
  for (const value of Object.values(node)) eachObject(value, visit, seen);
}

function claimName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[^A-Za-z0-9.-]+/g, "_").replace(/^_+|_+$/g, "") || "Schema";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

function schemasOf(doc: Json): Json {
  const components = isObject(doc.components) ? doc.components : (doc.components = {});
  return isObject(components.schemas) ? components.schemas : (components.schemas = {});
}

// ── 1. $refs into a component's interior ───────────────────────────────────────────────────────────────────────

/** Whether the keys from `start` on only step from a schema into its subschemas. */
function isSchemaPath(keys: string[], start: number): boolean {
  for (let i = start; i < keys.length; i++) {
    const key = keys[i];
    if (ONE_SCHEMA.includes(key)) continue;
    if (SCHEMA_LISTS.includes(key) || SCHEMA_MAPS.includes(key)) {
      i++;
      if (i >= keys.length) return false;
      continue;
    }
    return false;
  }
  return true;
}

/** A ref's target is a schema when it is inside a component schema, or inside some `schema` of a parameter, header or media type. */
function schemaTarget(keys: string[]): boolean {
  if (keys[0] === "components" && keys[1] === "schemas") return keys.length > 3 && isSchemaPath(keys, 3);
  for (let i = keys.length - 1; i >= 0; i--) {
    if (keys[i] === "schema" && keys[i - 1] !== "properties" && isSchemaPath(keys, i + 1)) return true;
  }
  return false;
}

function hoistInteriorRefs(doc: Json): void {
  // Each interior ref, and the keys of the node it names.
  const interior = new Map<string, string[]>();
  eachObject(doc, (node) => {
    if (typeof node.$ref !== "string" || interior.has(node.$ref)) return;
    const keys = decodePointer(node.$ref);
    const real = keys && !(keys.length === 3 && keys[0] === "components") ? locate(doc, keys) : undefined;
    if (real && !(real.length === 3 && real[0] === "components") && schemaTarget(real)) interior.set(node.$ref, real);
  });
  if (interior.size === 0) return;
  const schemas = schemasOf(doc);
  const taken = new Set(Object.keys(schemas));
  const hoisted = new Map<string, string>();
  // Deepest first: a shallower target then carries the ref to the deeper one it contains.
  const targets = [...new Map([...interior.values()].map((keys) => [pointer(...keys), keys]))].sort(
    ([a, x], [b, y]) => y.length - x.length || a.localeCompare(b),
  );
  for (const [pointer, keys] of targets) {
    const parent = at(doc, keys.slice(0, -1)) as Json;
    const last = keys[keys.length - 1];
    if (!isObject(parent[last])) continue;
    const named = keys[0] === "components" ? keys.slice(keys[1] === "schemas" ? 2 : 1) : keys;
    const name = claimName(named.filter((k) => k !== "properties").join("_"), taken);
    schemas[name] = parent[last];
    parent[last] = { $ref: SCHEMAS + name };
    hoisted.set(pointer, name);
  }
  eachObject(doc, (node) => {
    const keys = typeof node.$ref === "string" ? interior.get(node.$ref) : undefined;
    const name = keys && hoisted.get(pointer(...keys));
    if (name) node.$ref = SCHEMAS + name;
  });
}

// ── 2. required across allOf ───────────────────────────────────────────────────────────────────────────────────

function resolveSchema(doc: Json, node: unknown, depth = 0): Json | undefined {
  if (!isObject(node) || depth > 32) return undefined;
  if (typeof node.$ref !== "string") return node;
  const keys = decodePointer(node.$ref);
  return keys ? resolveSchema(doc, at(doc, keys), depth + 1) : undefined;
}

/** The schema of property `name` as defined by `schema` or, through refs, one of its allOf members. */
function findProperty(doc: Json, schema: unknown, name: string, seen: Set<Json>): unknown {
  const node = resolveSchema(doc, schema);
  if (!node || seen.has(node)) return undefined;
  seen.add(node);
  if (isObject(node.properties) && Object.hasOwn(node.properties, name)) return node.properties[name];
  for (const member of Array.isArray(node.allOf) ? node.allOf : []) {
    const found = findProperty(doc, member, name, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Writes a discriminator's mapping: each oneOf/anyOf target's pinned value, else its component name. */
function mapDiscriminator(doc: Json, schema: Json): void {
  const discriminator = schema.discriminator;
  if (!isObject(discriminator) || typeof discriminator.propertyName !== "string" || discriminator.mapping) return;
  const targets = [
    ...(Array.isArray(schema.oneOf) ? schema.oneOf : []),
    ...(Array.isArray(schema.anyOf) ? schema.anyOf : []),
  ];
  const mapping: Json = {};
  for (const target of targets) {
    const ref = isObject(target) ? target.$ref : undefined;
    const property = resolveSchema(doc, findProperty(doc, target, discriminator.propertyName, new Set()));
    const pinned = property?.const !== undefined ? [property.const] : property?.enum;
    const name = componentName(ref);
    const value = Array.isArray(pinned) && pinned.length === 1 ? pinned[0] : name;
    if (typeof ref !== "string" || name === undefined || typeof value !== "string") return;
    if (Object.hasOwn(mapping, value)) return; // two targets with one value: no mapping says which
    mapping[value] = ref;
  }
  if (Object.keys(mapping).length > 0) schema.discriminator = { ...discriminator, mapping };
}

function requiredElsewhere(schema: Json): string[] {
  if (!Array.isArray(schema.required)) return [];
  const own = isObject(schema.properties) ? schema.properties : {};
  return schema.required.filter((name): name is string => typeof name === "string" && !Object.hasOwn(own, name));
}

function requireAcrossAllOf(doc: Json, schema: Json): void {
  if (!Array.isArray(schema.allOf)) return;
  const members = schema.allOf as unknown[];
  // Copies each required name's property definition next to the `required` that names it.
  const complete = (target: Json, lookIn: unknown[]) => {
    const missing = requiredElsewhere(target);
    if (missing.length === 0) return;
    const properties = isObject(target.properties) ? target.properties : (target.properties = {});
    for (const name of missing) {
      let found: unknown;
      for (const other of lookIn) if (found === undefined) found = findProperty(doc, other, name, new Set([target]));
      properties[name] = found ?? {};
    }
  };
  complete(schema, members);
  for (const member of members) {
    if (!isObject(member) || typeof member.$ref === "string") continue;
    complete(member, [schema, ...members.filter((other) => other !== member)]);
    // openapi-typescript types a bare `type: object` as Record<string, never>, which empties the whole intersection.
    const shapeless = ![
      "properties",
      "additionalProperties",
      "patternProperties",
      "allOf",
      "anyOf",
      "oneOf",
      "enum",
      "const",
    ].some((key) => key in member);
    if (shapeless && member.type === "object") delete member.type;
  }
}

// ── 3. readOnly / writeOnly ────────────────────────────────────────────────────────────────────────────────────

type Direction = "read" | "write";

interface Views {
  doc: Json;
  /** Component name → its request view's name, for components that hold a readOnly or writeOnly property. */
  writable: Map<string, string>;
}

function componentName(ref: unknown): string | undefined {
  if (typeof ref !== "string" || !ref.startsWith(SCHEMAS)) return undefined;
  const keys = decodePointer(ref);
  return keys?.length === 3 ? keys[2] : undefined;
}

/** readOnly for requests, writeOnly for responses: on the property, or on the component it refers to. */
function hiddenIn(doc: Json, property: unknown, direction: Direction): boolean {
  const flag = direction === "write" ? "readOnly" : "writeOnly";
  if (!isObject(property)) return false;
  return property[flag] === true || componentSchema(doc, property.$ref)?.[flag] === true;
}

/** Whether a schema, not following refs, has a property some direction hides. */
function hasDirectionalProperty(doc: Json, schema: Json): boolean {
  const stack: unknown[] = [schema];
  const seen = new Set<Json>();
  while (stack.length) {
    const node = stack.pop();
    if (!isObject(node) || seen.has(node)) continue;
    seen.add(node);
    if (isObject(node.properties)) {
      for (const property of Object.values(node.properties)) {
        if (hiddenIn(doc, property, "read") || hiddenIn(doc, property, "write")) return true;
      }
    }
    stack.push(...childSchemas(node));
  }
  return false;
}

function refsIn(schema: Json): string[] {
  const out: string[] = [];
  eachObject(schema, (node) => {
    const name = componentName(node.$ref);
    if (name) out.push(name);
  });
  return out;
}

function splitReadWrite(doc: Json): void {
  const schemas = schemasOf(doc);
  const names = Object.keys(schemas);
  // A component needs two views when it, or a component it refers to, has a readOnly or writeOnly property.
  const directional = new Set(
    names.filter((name) => isObject(schemas[name]) && hasDirectionalProperty(doc, schemas[name])),
  );
  if (directional.size === 0) return;
  const referrers = new Map<string, string[]>();
  for (const name of names) {
    if (!isObject(schemas[name])) continue;
    for (const target of refsIn(schemas[name])) referrers.set(target, [...(referrers.get(target) ?? []), name]);
  }
  const queue = [...directional];
  while (queue.length) {
    for (const referrer of referrers.get(queue.pop() as string) ?? []) {
      if (!directional.has(referrer)) (queue.push(referrer), directional.add(referrer));
    }
  }
  const taken = new Set(names);
  const views: Views = { doc, writable: new Map() };
  for (const name of names) if (directional.has(name)) views.writable.set(name, claimName(`${name}Writable`, taken));
  const originals = new Map([...directional].map((name) => [name, schemas[name]]));
  for (const [name, original] of originals) {
    schemas[name] = view(views, original, "read");
    schemas[views.writable.get(name) as string] = view(views, original, "write");
  }
  const components = doc.components as Json;
  const inBodies = (holder: Json, key: string, direction: Direction) => {
    const node = holder[key];
    if (!isObject(node) || !isObject(node.content)) return;
    const content = { ...node.content };
    for (const [mediaType, media] of Object.entries(content)) {
      if (isObject(media) && media.schema !== undefined)
        content[mediaType] = { ...media, schema: view(views, media.schema, direction) };
    }
    holder[key] = { ...node, content };
  };
  const inResponses = (responses: unknown) => {
    if (!isObject(responses)) return;
    for (const status of Object.keys(responses)) inBodies(responses, status, "read");
  };
  if (isObject(components.requestBodies))
    for (const name of Object.keys(components.requestBodies)) inBodies(components.requestBodies, name, "write");
  inResponses(components.responses);
  for (const item of Object.values(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      inBodies(operation, "requestBody", "write");
      inResponses(operation.responses);
    }
  }
}

/** The schema as seen in one direction: a copy without the properties hidden there, refs to request views when writing. */
function view(views: Views, schema: unknown, direction: Direction): unknown {
  if (Array.isArray(schema)) {
    const items = schema.map((item) => view(views, item, direction));
    return items.some((item, i) => item !== schema[i]) ? items : schema;
  }
  if (!isObject(schema)) return schema;
  const out: Json = { ...schema };
  let changed = false;
  const set = (key: string, value: unknown) => {
    if (value !== out[key]) ((out[key] = value), (changed = true));
  };
  const writable = direction === "write" ? views.writable.get(componentName(schema.$ref) ?? "") : undefined;
  if (writable) set("$ref", SCHEMAS + writable);
  for (const key of ONE_SCHEMA) if (isObject(schema[key])) set(key, view(views, schema[key], direction));
  for (const key of SCHEMA_LISTS) if (Array.isArray(schema[key])) set(key, view(views, schema[key], direction));
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (!isObject(map)) continue;
    const entries = Object.entries(map)
      .filter(([, value]) => key !== "properties" || !hiddenIn(views.doc, value, direction))
      .map(([name, value]) => [name, view(views, value, direction)] as const);
    const same = entries.length === Object.keys(map).length && entries.every(([name, value]) => map[name] === value);
    if (!same) set(key, Object.fromEntries(entries));
  }
  if (isObject(schema.properties) && Array.isArray(schema.required)) {
    const kept = schema.required.filter(
      (name) => !(typeof name === "string" && hiddenIn(views.doc, (schema.properties as Json)[name], direction)),
    );
    if (kept.length !== schema.required.length) set("required", kept);
  }
  const mapping = isObject(schema.discriminator) ? schema.discriminator.mapping : undefined;
  if (direction === "write" && isObject(mapping)) {
    const rewritten = Object.fromEntries(
      Object.entries(mapping).map(([value, ref]) => {
        const target = views.writable.get(componentName(ref) ?? "");
        return [value, target ? SCHEMAS + target : ref];
      }),
    );
    if (Object.entries(rewritten).some(([value, ref]) => mapping[value] !== ref)) {
      set("discriminator", { ...(schema.discriminator as Json), mapping: rewritten });
    }
  }
  return changed ? out : schema;
}

// ── 4. properties beside a typed additionalProperties ──────────────────────────────────────────────────────────

function widenAdditionalProperties(schema: Json): void {
  const properties = isObject(schema.properties) ? Object.values(schema.properties).filter(isObject) : [];
  const extra = schema.additionalProperties;
  if (properties.length === 0 || !isObject(extra) || Object.keys(extra).length === 0) return;
  const members = [extra, ...properties];
  const distinct = [...new Map(members.map((member) => [JSON.stringify(member), member])).values()];
  if (distinct.length > 1) schema.additionalProperties = { anyOf: distinct };
}
