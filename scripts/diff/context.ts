// What every comparison needs: both bundled documents, and the memo that makes shared schemas cheap and cycles safe.
import type { Json } from "./pointer.js";
import { RULES, type RuleId } from "./rules.js";
import type { Change } from "./types.js";

export interface DiffContext {
  base: Json;
  head: Json;
  /** Changes already found per (direction, base pointer, head pointer); "pending" while that pair is being compared (a cycle). */
  memo: Map<string, Change[] | "pending">;
}

export function createContext(base: Json, head: Json): DiffContext {
  return { base, head, memo: new Map() };
}

export function makeChange(rule: RuleId, pointer: string, message: string): Change {
  return { rule, severity: RULES[rule].severity, pointer, message, operations: [] };
}

/** Keys that only document: a change to them never changes the generated code's behaviour or types. */
export const DOC_KEYS = ["description", "summary", "title", "example", "examples", "externalDocs"] as const;
