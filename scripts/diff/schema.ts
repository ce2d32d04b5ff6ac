// Compares two JSON Schemas in one direction (see rules.ts), following local $refs and guarding cycles.
import { makeChange, type DiffContext } from "./context.js";
import { compareDocs } from "./docs.js";
import { child, isObject, resolve, stableJson, type Json, type Located } from "./pointer.js";
import type { RuleId } from "./rules.js";
import type { Change, Direction } from "./types.js";

const ALL_TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"];
const UPPER_BOUNDS = ["maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum"];
const LOWER_BOUNDS = ["minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum"];
// Any new or different value of these accepts fewer values (conservatively: a changed pattern may reject old input).
const RESTRICTIONS = ["pattern", "format", "multipleOf"];

/** The rule for a narrower / wider schema, per direction. */
const NARROWED: Record<Direction, RuleId> = { request: "request-type-narrowed", response: "response-type-narrowed" };
const WIDENED: Record<Direction, RuleId> = { request: "request-type-widened", response: "response-type-widened" };
const LOOSENED: Record<Direction, RuleId> = {
  request: "request-type-widened",
  response: "response-constraint-loosened",
};

/** All changes between two schemas as seen from `direction`. Shared schemas return the same Change objects each time. */
export function compareSchema(
  ctx: DiffContext,
  direction: Direction,
  base: unknown,
  basePointer: string,
  head: unknown,
  headPointer: string,
): Change[] {
  const b = resolve(ctx.base, base, basePointer);
  const h = resolve(ctx.head, head, headPointer);
  if (!b || !h) return [];
  const key = `${direction}|${b.pointer}|${h.pointer}`;
  const known = ctx.memo.get(key);
  if (known === "pending") return []; // a recursive schema: this pair is already being compared further up
  if (known) return known;
  ctx.memo.set(key, "pending");
  const out = [...compareDocs(b.node, h.node, h.pointer), ...compareResolved(ctx, direction, b, h)];
  ctx.memo.set(key, out);
  return out;
}

function compareResolved(ctx: DiffContext, direction: Direction, b: Located, h: Located): Change[] {
  const innerB = soleAllOf(b.node);
  const innerH = soleAllOf(h.node);
  // `allOf: [$ref]` only wraps a ref to give it a description: compare what it wraps.
  if (innerB || innerH) {
    return compareSchema(
      ctx,
      direction,
      innerB ?? b.node,
      innerB ? child(b.pointer, "allOf", 0) : b.pointer,
      innerH ?? h.node,
      innerH ? child(h.pointer, "allOf", 0) : h.pointer,
    );
  }
  return [
    ...compareTypes(direction, b.node, h.node, h.pointer),
    ...compareEnums(direction, b.node, h.node, h.pointer),
    ...compareConstraints(direction, b.node, h.node, h.pointer),
    ...compareProperties(ctx, direction, b, h),
    ...compareSubschemas(ctx, direction, b, h),
  ];
}

function soleAllOf(schema: Json): unknown {
  const { allOf } = schema;
  const onlyWraps = Object.keys(schema).every((k) =>
    ["allOf", "description", "title", "example", "examples", "nullable", "readOnly", "writeOnly"].includes(k),
  );
  return Array.isArray(allOf) && allOf.length === 1 && onlyWraps ? allOf[0] : undefined;
}

/** The JSON types a schema admits, or undefined when only its composition says (anyOf/oneOf/allOf). */
export function typeSet(schema: Json): Set<string> | undefined {
  let types: string[];
  if (typeof schema.type === "string") types = [schema.type];
  else if (Array.isArray(schema.type)) types = schema.type.filter((t): t is string => typeof t === "string");
  else if (schema.anyOf || schema.oneOf || schema.allOf || schema.enum || schema.const !== undefined || schema.not)
    return undefined;
  else if (schema.properties || schema.additionalProperties !== undefined) types = ["object"];
  else if (schema.items) types = ["array"];
  else types = ALL_TYPES;
  const set = new Set(types);
  if (schema.nullable === true) set.add("null");
  if (set.has("number")) set.add("integer");
  return set;
}

const isSubset = (a: Set<string>, b: Set<string>) => [...a].every((x) => b.has(x));
const showTypes = (s: Set<string>) =>
  s.size === ALL_TYPES.length
    ? "any"
    : [...s]
        .filter((t) => !(t === "integer" && s.has("number")))
        .sort()
        .join(" | ");

function compareTypes(direction: Direction, b: Json, h: Json, pointer: string): Change[] {
  const before = typeSet(b);
  const after = typeSet(h);
  if (!before || !after) return [];
  const narrower = isSubset(after, before);
  const wider = isSubset(before, after);
  if (narrower && wider) return [];
  const text = `type ${showTypes(before)} → ${showTypes(after)}`;
  if (narrower) return [makeChange(NARROWED[direction], pointer, `${direction} ${text} (narrower)`)];
  if (wider) return [makeChange(WIDENED[direction], pointer, `${direction} ${text} (wider)`)];
  return [makeChange("type-changed", pointer, `${direction} ${text}`)];
}

function enumValues(schema: Json): string[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => stableJson(v));
  if (schema.const !== undefined) return [stableJson(schema.const)];
  return undefined;
}

function compareEnums(direction: Direction, b: Json, h: Json, pointer: string): Change[] {
  const before = enumValues(b);
  const after = enumValues(h);
  const at = child(pointer, h.enum !== undefined || b.enum !== undefined ? "enum" : "const");
  if (!before && !after) return [];
  if (!before)
    return [makeChange(NARROWED[direction], at, `${direction} values limited to ${(after ?? []).join(", ")}`)];
  if (!after)
    return [makeChange(WIDENED[direction], at, `${direction} enum ${before.join(", ")} lifted: any value now`)];
  const removed = before.filter((v) => !after.includes(v));
  const added = after.filter((v) => !before.includes(v));
  const out: Change[] = [];
  if (removed.length)
    out.push(
      makeChange(`${direction}-enum-value-removed`, at, `${direction} enum value(s) removed: ${removed.join(", ")}`),
    );
  if (added.length)
    out.push(makeChange(`${direction}-enum-value-added`, at, `${direction} enum value(s) added: ${added.join(", ")}`));
  return out;
}

type Tightness = "tighter" | "looser" | undefined;

function boundChange(before: unknown, after: unknown, upper: boolean): Tightness {
  const b = typeof before === "number" ? before : undefined;
  const a = typeof after === "number" ? after : undefined;
  if (b === a) return undefined;
  if (b === undefined) return "tighter";
  if (a === undefined) return "looser";
  return (upper ? a < b : a > b) ? "tighter" : "looser";
}

function compareConstraints(direction: Direction, b: Json, h: Json, pointer: string): Change[] {
  const found: { key: string; tightness: Tightness }[] = [
    ...UPPER_BOUNDS.map((key) => ({ key, tightness: boundChange(b[key], h[key], true) })),
    ...LOWER_BOUNDS.map((key) => ({ key, tightness: boundChange(b[key], h[key], false) })),
    ...RESTRICTIONS.map((key) => ({ key, tightness: restriction(b[key], h[key]) })),
    { key: "uniqueItems", tightness: flag(b.uniqueItems === true, h.uniqueItems === true) },
    {
      key: "additionalProperties",
      tightness: flag(b.additionalProperties === false, h.additionalProperties === false),
    },
  ];
  return found
    .filter((f) => f.tightness)
    .map(({ key, tightness }) => {
      const rule = tightness === "tighter" ? NARROWED[direction] : LOOSENED[direction];
      return makeChange(
        rule,
        child(pointer, key),
        `${direction} ${key} ${show(b[key])} → ${show(h[key])} (${tightness})`,
      );
    });
}

function restriction(before: unknown, after: unknown): Tightness {
  if (stableJson(before) === stableJson(after)) return undefined;
  return after === undefined ? "looser" : "tighter";
}

function flag(before: boolean, after: boolean): Tightness {
  if (before === after) return undefined;
  return after ? "tighter" : "looser";
}

const show = (value: unknown) => (value === undefined ? "none" : JSON.stringify(value));

function requiredSet(schema: Json): Set<string> {
  return new Set(
    Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === "string") : [],
  );
}

/** Whether a property exists on this side: readOnly ones are never sent, writeOnly ones never received. */
function visible(direction: Direction, schema: unknown): boolean {
  if (!isObject(schema)) return true;
  return direction === "request" ? schema.readOnly !== true : schema.writeOnly !== true;
}

function compareProperties(ctx: DiffContext, direction: Direction, b: Located, h: Located): Change[] {
  const before = isObject(b.node.properties) ? b.node.properties : {};
  const after = isObject(h.node.properties) ? h.node.properties : {};
  const reqB = requiredSet(b.node);
  const reqH = requiredSet(h.node);
  const out: Change[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const inB = name in before && visible(direction, resolve(ctx.base, before[name], "")?.node);
    const inH = name in after && visible(direction, resolve(ctx.head, after[name], "")?.node);
    const at = child(inH ? h.pointer : b.pointer, "properties", name);
    const prop = `${direction} property \`${name}\``;
    if (inB && !inH) out.push(makeChange(`${direction}-property-removed`, at, `${prop} removed`));
    else if (!inB && inH) {
      if (direction === "response") out.push(makeChange("response-property-added", at, `${prop} added`));
      else
        out.push(
          makeChange(
            reqH.has(name) ? "request-property-added-required" : "request-property-added-optional",
            at,
            `${prop} added as ${reqH.has(name) ? "required" : "optional"}`,
          ),
        );
    } else if (inB && inH) {
      if (!reqB.has(name) && reqH.has(name))
        out.push(makeChange(`${direction}-property-made-required`, at, `${prop} made required`));
      if (reqB.has(name) && !reqH.has(name))
        out.push(makeChange(`${direction}-property-made-optional`, at, `${prop} made optional`));
      out.push(...compareSchema(ctx, direction, before[name], child(b.pointer, "properties", name), after[name], at));
    }
  }
  return out;
}

function compareSubschemas(ctx: DiffContext, direction: Direction, b: Located, h: Located): Change[] {
  const out: Change[] = [];
  // contentSchema types string-encoded content, e.g. the JSON `data` of an OpenAPI 3.2 event stream item.
  for (const key of ["items", "additionalProperties", "not", "contentSchema"]) {
    if (isObject(b.node[key]) && isObject(h.node[key])) {
      out.push(
        ...compareSchema(ctx, direction, b.node[key], child(b.pointer, key), h.node[key], child(h.pointer, key)),
      );
    }
  }
  for (const key of ["anyOf", "oneOf", "allOf"]) out.push(...compareBranches(ctx, direction, key, b, h));
  return out;
}

/** Branches are matched by $ref, else title, else position; a repeated key is told apart by its occurrence. */
function branchKeys(branches: unknown[]): string[] {
  const seen = new Map<string, number>();
  return branches.map((branch, index) => {
    let key = `#${index}`;
    if (isObject(branch) && typeof branch.$ref === "string") key = branch.$ref;
    else if (isObject(branch) && typeof branch.title === "string") key = `title:${branch.title}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count > 1 ? `${key}#${count}` : key;
  });
}

function compareBranches(ctx: DiffContext, direction: Direction, key: string, b: Located, h: Located): Change[] {
  const before = Array.isArray(b.node[key]) ? (b.node[key] as unknown[]) : [];
  const after = Array.isArray(h.node[key]) ? (h.node[key] as unknown[]) : [];
  if (!before.length && !after.length) return [];
  const keysB = branchKeys(before);
  const keysH = branchKeys(after);
  const out: Change[] = [];
  // More anyOf/oneOf branches admit more values; more allOf branches admit fewer.
  const moreIsWider = key !== "allOf";
  const added = keysH.filter((k) => !keysB.includes(k));
  const removed = keysB.filter((k) => !keysH.includes(k));
  const at = child(h.pointer, key);
  if (added.length)
    out.push(
      makeChange(
        moreIsWider ? WIDENED[direction] : NARROWED[direction],
        at,
        `${direction} ${key} branch(es) added: ${added.join(", ")}`,
      ),
    );
  if (removed.length)
    out.push(
      makeChange(
        moreIsWider ? NARROWED[direction] : WIDENED[direction],
        at,
        `${direction} ${key} branch(es) removed: ${removed.join(", ")}`,
      ),
    );
  keysB.forEach((k, i) => {
    const j = keysH.indexOf(k);
    if (j >= 0)
      out.push(
        ...compareSchema(ctx, direction, before[i], child(b.pointer, key, i), after[j], child(h.pointer, key, j)),
      );
  });
  return out;
}
