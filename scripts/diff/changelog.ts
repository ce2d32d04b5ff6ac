// Writes one version's section into CHANGELOG.md text; writing the same version again replaces it.
const TITLE = "# Changelog\n\nAPI changes of `flora-sdk`, written by `npm run release:notes` from the spec diff.\n";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The changelog text with `## version` holding `body`: replaced in place if present, else inserted above older versions. */
export function upsertChangelogSection(changelog: string, version: string, body: string): string {
  const text = changelog.trim() ? changelog : TITLE;
  const section = `## ${version}\n\n${body.trim()}\n`;
  const heading = new RegExp(`^## \\[?${escapeRegExp(version)}\\]?(?=\\s|$)`, "m");
  const existing = heading.exec(text);
  if (existing) {
    const rest = text.slice(existing.index + existing[0].length);
    const next = rest.search(/^## /m);
    const end = next === -1 ? text.length : existing.index + existing[0].length + next;
    return `${text.slice(0, existing.index)}${section}${next === -1 ? "" : "\n"}${text.slice(end)}`;
  }
  const first = text.search(/^## /m);
  if (first === -1) return `${text.trimEnd()}\n\n${section}`;
  return `${text.slice(0, first)}${section}\n${text.slice(first)}`;
}
