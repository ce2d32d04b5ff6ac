// The shape of a spec diff: one Change per difference, each tied to a rule and a JSON pointer.
import type { RuleId } from "./rules.js";

export type Severity = "breaking" | "warning" | "non-breaking";

/** Which way data flows for the SDK user: they build requests, they read responses (and webhook payloads). */
export type Direction = "request" | "response";

export interface Change {
  rule: RuleId;
  severity: Severity;
  /** JSON pointer (`#/…`) into the bundled head document, or into the base one for what was removed. */
  pointer: string;
  /** One line saying what changed. */
  message: string;
  /** operationIds whose request or response reaches the changed node. */
  operations: string[];
}

export type Bump = "major" | "minor" | "patch" | "none";

export interface DiffReport {
  base: string;
  head: string;
  changes: Change[];
  counts: Record<Severity, number>;
  /** The bump the changes call for under plain semver. */
  bump: Bump;
  /** The bump actually applied to `currentVersion` (0.x shifts it down one place). */
  appliedBump: Bump;
  currentVersion: string;
  nextVersion: string;
}
