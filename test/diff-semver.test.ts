// Semver suggestion (with the 0.x rule), the three output formats and the idempotent CHANGELOG section.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { upsertChangelogSection } from "../scripts/diff/changelog.js";
import { compareDocuments } from "../scripts/diff/compare.js";
import { formatReport, markdownBody } from "../scripts/diff/format.js";
import { buildReport, failsThreshold } from "../scripts/diff/report.js";
import { appliedBump, nextVersion, suggestBump } from "../scripts/diff/semver.js";
import { loadVersion } from "../scripts/diff/source.js";
import type { DiffReport } from "../scripts/diff/types.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/diff/", import.meta.url));

async function reportFor(fixture: string, version: string): Promise<DiffReport> {
  const base = await loadVersion(`${FIXTURES}${fixture}/base.yaml`, "unused", "base");
  const head = await loadVersion(`${FIXTURES}${fixture}/head.yaml`, "unused", "head");
  return buildReport("base.yaml", "head.yaml", compareDocuments(base.document, head.document), version);
}

describe("semver suggestion", () => {
  it.each([
    ["operation-removed", "1.4.2", "major", "major", "2.0.0"],
    ["operation-added", "1.4.2", "minor", "minor", "1.5.0"],
    ["docs-changed", "1.4.2", "patch", "patch", "1.4.3"],
    ["operation-removed", "0.1.0", "major", "minor", "0.2.0"],
    ["operation-added", "0.1.0", "minor", "patch", "0.1.1"],
    ["docs-changed", "0.1.0", "patch", "patch", "0.1.1"],
    ["response-enum-value-added", "1.0.0", "minor", "minor", "1.1.0"],
  ])("%s from %s: %s, applied %s → %s", async (fixture, version, bump, applied, next) => {
    const report = await reportFor(fixture, version);
    expect([report.bump, report.appliedBump, report.nextVersion]).toEqual([bump, applied, next]);
  });

  it("suggests nothing for identical documents", () => {
    expect(suggestBump([])).toBe("none");
    expect(nextVersion("0.3.1", appliedBump("none", "0.3.1"))).toBe("0.3.1");
  });

  it("drops a pre-release suffix and rejects a version that is not semver", () => {
    expect(nextVersion("1.2.3-beta.1", "patch")).toBe("1.2.4");
    expect(() => nextVersion("v1", "patch")).toThrow('not a semver version: "v1"');
  });

  it("--fail-on breaking fails only on breaking changes, --fail-on warning on warnings too", async () => {
    const warning = await reportFor("response-enum-value-added", "1.0.0");
    const breaking = await reportFor("operation-removed", "1.0.0");
    expect([failsThreshold(warning, "breaking"), failsThreshold(breaking, "breaking")]).toEqual([false, true]);
    expect([failsThreshold(warning, "warning"), failsThreshold(warning, "never")]).toEqual([true, false]);
  });
});

describe("formats", () => {
  it("text names the rule, pointer, operations and the bump with the 0.x rule", async () => {
    const text = formatReport(await reportFor("response-property-removed", "0.1.0"), "text");
    expect(text).toContain(
      "BREAKING (1)\n  response-property-removed  #/components/schemas/Item/properties/note\n      response property `note` removed [createItem, retrieveItem]",
    );
    expect(text).toContain("suggested bump: major (applied as minor under the 0.x rule): 0.1.0 → 0.2.0");
    expect(text).toContain("0.x rule: ");
  });

  it("markdown groups changes under headings, for a PR comment", async () => {
    const md = formatReport(await reportFor("response-enum-value-added", "1.0.0"), "markdown");
    expect(md).toMatch(/^## API changes: `base.yaml` → `head.yaml`\n/);
    expect(md).toContain(
      '### Warnings (1)\n\n- response enum value(s) added: "deleted" — `createItem`, `retrieveItem` (`response-enum-value-added` at `#/components/schemas/Item/properties/status/enum`)',
    );
    expect(md).not.toContain("0.x rule");
  });

  it("json carries every change with rule, severity, pointer and message", async () => {
    const parsed = JSON.parse(formatReport(await reportFor("security-changed", "0.1.0"), "json")) as DiffReport & {
      zeroXRule: string;
    };
    expect(parsed.changes).toEqual([
      {
        rule: "security-changed",
        severity: "breaking",
        pointer: "#/paths/~1items/post/security",
        message: 'security of createItem: {"ApiKey":[]} → none',
        operations: ["createItem"],
      },
    ]);
    expect(parsed).toMatchObject({
      bump: "major",
      appliedBump: "minor",
      nextVersion: "0.2.0",
      counts: { breaking: 1, warning: 0, "non-breaking": 0 },
    });
    expect(parsed.zeroXRule).toMatch(/breaking change bumps the minor/);
  });
});

describe("CHANGELOG section", () => {
  const body = "### Breaking (1)\n\n- gone";

  it("starts a changelog, then inserts newer versions above older ones", () => {
    const first = upsertChangelogSection("", "0.1.0", "First release.");
    expect(first).toMatch(/^# Changelog\n[\s\S]*\n## 0\.1\.0\n\nFirst release\.\n$/);
    const second = upsertChangelogSection(first, "0.2.0", body);
    expect(second.indexOf("## 0.2.0")).toBeLessThan(second.indexOf("## 0.1.0"));
  });

  it("replaces the section of a version written before instead of adding a second one", () => {
    const once = upsertChangelogSection(upsertChangelogSection("", "0.1.0", "First release."), "0.2.0", body);
    const twice = upsertChangelogSection(once, "0.2.0", body);
    expect(twice).toBe(once);
    const updated = upsertChangelogSection(once, "0.2.0", "### Warnings (1)\n\n- new");
    expect(updated.match(/^## 0\.2\.0$/gm)).toHaveLength(1);
    expect(updated).toContain("- new");
    expect(updated).not.toContain("- gone");
    expect(updated).toContain("## 0.1.0\n\nFirst release.\n");
  });

  it("uses the same markdown body as the PR report", async () => {
    const report = await reportFor("operation-added", "0.1.0");
    expect(formatReport(report, "markdown")).toContain(markdownBody(report));
  });
});
