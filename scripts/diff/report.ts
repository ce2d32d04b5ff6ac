// Turns the list of changes into a report: counts, the suggested bump and the version it leads to.
import { appliedBump, nextVersion, suggestBump } from "./semver.js";
import type { Change, DiffReport, Severity } from "./types.js";

export function buildReport(base: string, head: string, changes: Change[], currentVersion: string): DiffReport {
  const counts: Record<Severity, number> = { breaking: 0, warning: 0, "non-breaking": 0 };
  for (const change of changes) counts[change.severity]++;
  const bump = suggestBump(changes);
  const applied = appliedBump(bump, currentVersion);
  return {
    base,
    head,
    changes,
    counts,
    bump,
    appliedBump: applied,
    currentVersion,
    nextVersion: nextVersion(currentVersion, applied),
  };
}

export const FAIL_ON = ["breaking", "warning", "never"] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Whether `--fail-on` should fail the run: a breaking change, or with `warning` any breaking change or warning. */
export function failsThreshold(report: DiffReport, failOn: FailOn): boolean {
  if (failOn === "breaking") return report.counts.breaking > 0;
  if (failOn === "warning") return report.counts.breaking + report.counts.warning > 0;
  return false;
}
