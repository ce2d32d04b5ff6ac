// The safety net: differences between the documents that no rule reported, so none passes silently.
import { DOC_KEYS, makeChange } from "./context.js";
import { child, isObject, ROOT, stableJson } from "./pointer.js";
import type { Change } from "./types.js";

// Objects whose keys are names chosen by the author (a property called `description` is not documentation).
const NAME_MAPS = new Set([
  "properties",
  "patternProperties",
  "$defs",
  "definitions",
  "paths",
  "webhooks",
  "responses",
  "content",
  "headers",
  "encoding",
  "variables",
  "callbacks",
  "links",
  "schemas",
  "parameters",
  "requestBodies",
  "securitySchemes",
  "pathItems",
  "examples",
  "components",
  "mapping",
]);
// Arrays whose order carries no meaning.
const SETS = new Set(["required", "enum", "type", "tags"]);
// Top-level members that only describe the API (info.version is the release's own number).
const DESCRIPTIVE_ROOT = new Set(["info", "tags", "externalDocs", "jsonSchemaDialect"]);
const MAX_DIFFS = 200;

function decode(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Whether a pointer lies in documentation: a doc key that is not itself a name in a name map, or a component example. */
export function isDocumentation(pointer: string): boolean {
  const segments = pointer.split("/").slice(1).map(decode);
  if (DESCRIPTIVE_ROOT.has(segments[0]) || (segments[0] === "components" && segments[1] === "examples")) return true;
  return segments.some(
    (s, i) =>
      (DOC_KEYS as readonly string[]).includes(s) &&
      !(i > 0 && NAME_MAPS.has(segments[i - 1]) && segments[i - 1] !== "examples"),
  );
}

/** Pointers of the smallest differing nodes (arrays that differ in length count as one node). */
export function differingPointers(base: unknown, head: unknown, pointer = ROOT, out: string[] = []): string[] {
  if (out.length >= MAX_DIFFS || stableJson(base) === stableJson(head)) return out;
  const last = decode(pointer.slice(pointer.lastIndexOf("/") + 1));
  if (Array.isArray(base) && Array.isArray(head) && SETS.has(last)) {
    const a = base.map(stableJson).sort();
    const b = head.map(stableJson).sort();
    if (stableJson(a) !== stableJson(b)) out.push(pointer);
  } else if (Array.isArray(base) && Array.isArray(head) && base.length === head.length) {
    base.forEach((item, i) => differingPointers(item, head[i], child(pointer, i), out));
  } else if (isObject(base) && isObject(head)) {
    for (const key of new Set([...Object.keys(base), ...Object.keys(head)]))
      differingPointers(base[key], head[key], child(pointer, key), out);
  } else out.push(pointer);
  return out;
}

function parent(pointer: string): string {
  return pointer.slice(0, pointer.lastIndexOf("/"));
}

/** A difference is explained by a change at, under or above it, or by one beside it in the same object. */
function covered(diff: string, explained: string[]): boolean {
  const up = parent(diff);
  const besideOk = up.split("/").length >= 3;
  return explained.some(
    (c) => diff === c || diff.startsWith(`${c}/`) || c.startsWith(`${diff}/`) || (besideOk && c.startsWith(`${up}/`)),
  );
}

/** One `unclassified-change` per non-documentation difference that the reported changes do not explain. */
export function unclassifiedChanges(
  base: unknown,
  head: unknown,
  reported: Change[],
  alsoExplained: string[] = [],
): Change[] {
  const structural = [...reported.filter((c) => c.rule !== "docs-changed").map((c) => c.pointer), ...alsoExplained];
  return differingPointers(base, head)
    .filter((p) => !isDocumentation(p) && !covered(p, structural))
    .map((p) => makeChange("unclassified-change", p, `${p} differs and no rule covers it`));
}
