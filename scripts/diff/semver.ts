// The version bump a set of changes calls for, and the 0.x rule that shifts it down one place.
import { RULES } from "./rules.js";
import type { Bump, Change } from "./types.js";

export const ZERO_X_RULE =
  "While the major version is 0 the API is not yet stable (semver §4): a breaking change bumps the minor (0.1.0 → 0.2.0), and an addition or a documentation-only change bumps the patch (0.1.0 → 0.1.1).";

/** major for any breaking change, minor for additions (and warnings), patch for documentation only, none when identical. */
export function suggestBump(changes: Change[]): Bump {
  const impacts = new Set(changes.map((c) => RULES[c.rule].impact));
  if (impacts.has("breaking")) return "major";
  if (impacts.has("feature")) return "minor";
  if (impacts.has("docs")) return "patch";
  return "none";
}

/** The bump applied to `version`: under 0.x, major becomes minor and minor becomes patch. */
export function appliedBump(bump: Bump, version: string): Bump {
  if (!version.startsWith("0.")) return bump;
  if (bump === "major") return "minor";
  if (bump === "minor") return "patch";
  return bump;
}

/** `version` bumped; a pre-release or build suffix is dropped. Throws on anything that is not x.y.z. */
export function nextVersion(version: string, bump: Bump): string {
  const match = version.match(/^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/);
  if (!match) throw new Error(`not a semver version: "${version}"`);
  const [major, minor, patch] = match.slice(1).map(Number);
  if (bump === "major") return `${major + 1}.0.0`;
  if (bump === "minor") return `${major}.${minor + 1}.0`;
  if (bump === "patch") return `${major}.${minor}.${patch + 1}`;
  return `${major}.${minor}.${patch}`;
}
