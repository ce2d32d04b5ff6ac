// Documentation-only differences: descriptions, summaries, titles and examples.
import { makeChange, DOC_KEYS } from "./context.js";
import { child, stableJson, type Json } from "./pointer.js";
import type { Change } from "./types.js";

/** One `docs-changed` per documentation key that differs between two nodes at the same place. */
export function compareDocs(base: Json, head: Json, pointer: string, keys: readonly string[] = DOC_KEYS): Change[] {
  return keys
    .filter((key) => stableJson(base[key]) !== stableJson(head[key]))
    .map((key) => makeChange("docs-changed", child(pointer, key), `${key} ${verb(base[key], head[key])}`));
}

function verb(before: unknown, after: unknown): string {
  if (before === undefined) return "added";
  if (after === undefined) return "removed";
  return "changed";
}
