// Renders a DiffReport as text (terminal), markdown (PR comment, CHANGELOG) or JSON (tools).
import { ZERO_X_RULE } from "./semver.js";
import type { Change, DiffReport } from "./types.js";

export type Format = "text" | "markdown" | "json";
export const FORMATS: readonly Format[] = ["text", "markdown", "json"];

interface Group {
  title: string;
  changes: Change[];
}

/** Breaking first, then warnings, then additions, then documentation-only changes. */
function groups(report: DiffReport): Group[] {
  const docs = (c: Change) => c.rule === "docs-changed";
  return [
    { title: "Breaking", changes: report.changes.filter((c) => c.severity === "breaking") },
    { title: "Warnings", changes: report.changes.filter((c) => c.severity === "warning") },
    { title: "Non-breaking", changes: report.changes.filter((c) => c.severity === "non-breaking" && !docs(c)) },
    { title: "Documentation", changes: report.changes.filter(docs) },
  ].filter((g) => g.changes.length > 0);
}

export function bumpLine(report: DiffReport): string {
  if (report.bump === "none") return `no changes: no release needed (stays ${report.currentVersion})`;
  const shifted = report.appliedBump !== report.bump ? ` (applied as ${report.appliedBump} under the 0.x rule)` : "";
  return `suggested bump: ${report.bump}${shifted}: ${report.currentVersion} → ${report.nextVersion}`;
}

function countLine(report: DiffReport): string {
  const { breaking, warning } = report.counts;
  return `${report.changes.length} change(s): ${breaking} breaking, ${warning} warning(s), ${report.counts["non-breaking"]} non-breaking`;
}

export const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const affects = (c: Change) => (c.operations.length ? ` [${c.operations.join(", ")}]` : "");

export function formatText(report: DiffReport): string {
  const lines = [`spec diff ${report.base} → ${report.head}`, countLine(report), bumpLine(report)];
  if (report.currentVersion.startsWith("0.")) lines.push(`0.x rule: ${ZERO_X_RULE}`);
  for (const group of groups(report)) {
    lines.push("", `${group.title.toUpperCase()} (${group.changes.length})`);
    for (const c of group.changes) lines.push(`  ${c.rule}  ${c.pointer}`, `      ${c.message}${affects(c)}`);
  }
  return lines.join("\n");
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** The change list as markdown sections (`###`), shared by the PR report and the CHANGELOG entry. */
export function markdownBody(report: DiffReport): string {
  const lines: string[] = [];
  if (report.changes.length === 0) lines.push("No changes to the API description.");
  for (const group of groups(report)) {
    lines.push(`### ${group.title} (${group.changes.length})`, "");
    for (const c of group.changes) {
      const ops = c.operations.length ? ` — ${c.operations.map(code).join(", ")}` : "";
      lines.push(`- ${c.message}${ops} (${code(c.rule)} at ${code(c.pointer)})`);
    }
    lines.push("");
  }
  return lines.join("\n").trimEnd();
}

export function formatMarkdown(report: DiffReport): string {
  const rule = report.currentVersion.startsWith("0.") ? ` 0.x rule: ${ZERO_X_RULE}` : "";
  return [
    `## API changes: ${code(report.base)} → ${code(report.head)}`,
    "",
    `**${countLine(report)}.** ${capitalise(bumpLine(report))}.${rule}`,
    "",
    markdownBody(report),
    "",
  ].join("\n");
}

export function formatJson(report: DiffReport): string {
  return JSON.stringify({ ...report, zeroXRule: ZERO_X_RULE }, null, 2);
}

export function formatReport(report: DiffReport, format: Format): string {
  if (format === "json") return formatJson(report);
  if (format === "markdown") return formatMarkdown(report);
  return formatText(report);
}
