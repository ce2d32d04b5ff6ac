// One fixture pair per rule (test/fixtures/diff/<case>/base.yaml → head.yaml): the rule, its severity and its pointer.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareDocuments } from "../scripts/diff/compare.js";
import { RULES, type RuleId } from "../scripts/diff/rules.js";
import { loadVersion } from "../scripts/diff/source.js";
import type { Change, Severity } from "../scripts/diff/types.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/diff/", import.meta.url));

async function diffFixture(name: string): Promise<Change[]> {
  const base = await loadVersion(`${FIXTURES}${name}/base.yaml`, "unused", "base");
  const head = await loadVersion(`${FIXTURES}${name}/head.yaml`, "unused", "head");
  return compareDocuments(base.document, head.document);
}

// [fixture folder, rule, severity, pointer]
const CASES: [string, RuleId, Severity, string][] = [
  ["operation-removed", "operation-removed", "breaking", "#/paths/~1items~1{itemId}/get"],
  ["operation-renamed", "operation-renamed", "breaking", "#/paths/~1items~1{itemId}/get"],
  ["operation-moved", "operation-moved", "breaking", "#/paths/~1things~1{itemId}/get"],
  ["sdk-method-renamed", "sdk-method-renamed", "breaking", "#/paths/~1items~1{itemId}/get"],
  ["operation-added", "operation-added", "non-breaking", "#/paths/~1items~1{itemId}/delete"],
  ["operation-deprecated", "operation-deprecated", "warning", "#/paths/~1items~1{itemId}/get/deprecated"],
  ["parameter-added-required", "parameter-added-required", "breaking", "#/paths/~1items/post/parameters/1"],
  ["parameter-made-required", "parameter-made-required", "breaking", "#/paths/~1items/post/parameters/0"],
  ["parameter-removed", "parameter-removed", "breaking", "#/paths/~1items/post/parameters/0"],
  ["parameter-added-optional", "parameter-added-optional", "non-breaking", "#/paths/~1items/post/parameters/1"],
  ["parameter-made-optional", "parameter-made-optional", "non-breaking", "#/paths/~1items/post/parameters/0"],
  ["request-body-added-required", "request-body-added-required", "breaking", "#/paths/~1items/post/requestBody"],
  ["request-body-made-required", "request-body-made-required", "breaking", "#/paths/~1items/post/requestBody"],
  ["request-body-removed", "request-body-removed", "breaking", "#/paths/~1items/post/requestBody"],
  ["request-body-added-optional", "request-body-added-optional", "non-breaking", "#/paths/~1items/post/requestBody"],
  ["request-body-made-optional", "request-body-made-optional", "non-breaking", "#/paths/~1items/post/requestBody"],
  [
    "request-media-type-removed",
    "request-media-type-removed",
    "breaking",
    "#/paths/~1items/post/requestBody/content/application~1x-www-form-urlencoded",
  ],
  [
    "request-media-type-added",
    "request-media-type-added",
    "non-breaking",
    "#/paths/~1items/post/requestBody/content/application~1x-www-form-urlencoded",
  ],
  [
    "request-property-added-required",
    "request-property-added-required",
    "breaking",
    "#/components/schemas/ItemInput/properties/color",
  ],
  [
    "request-property-made-required",
    "request-property-made-required",
    "breaking",
    "#/components/schemas/ItemInput/properties/note",
  ],
  [
    "request-property-removed",
    "request-property-removed",
    "breaking",
    "#/components/schemas/ItemInput/properties/note",
  ],
  [
    "request-property-added-optional",
    "request-property-added-optional",
    "non-breaking",
    "#/components/schemas/ItemInput/properties/color",
  ],
  [
    "request-property-made-optional",
    "request-property-made-optional",
    "non-breaking",
    "#/components/schemas/ItemInput/properties/name",
  ],
  [
    "request-enum-value-removed",
    "request-enum-value-removed",
    "breaking",
    "#/components/schemas/ItemInput/properties/kind/enum",
  ],
  [
    "request-enum-value-added",
    "request-enum-value-added",
    "non-breaking",
    "#/components/schemas/ItemInput/properties/kind/enum",
  ],
  ["request-type-narrowed", "request-type-narrowed", "breaking", "#/components/schemas/ItemInput/properties/size"],
  [
    "request-type-narrowed-max-length",
    "request-type-narrowed",
    "breaking",
    "#/components/schemas/ItemInput/properties/name/maxLength",
  ],
  ["request-type-widened", "request-type-widened", "non-breaking", "#/components/schemas/ItemInput/properties/name"],
  ["response-property-removed", "response-property-removed", "breaking", "#/components/schemas/Item/properties/note"],
  [
    "response-property-made-optional",
    "response-property-made-optional",
    "breaking",
    "#/components/schemas/Item/properties/status",
  ],
  ["response-property-added", "response-property-added", "non-breaking", "#/components/schemas/Item/properties/color"],
  [
    "response-property-made-required",
    "response-property-made-required",
    "non-breaking",
    "#/components/schemas/Item/properties/note",
  ],
  [
    "response-enum-value-added",
    "response-enum-value-added",
    "warning",
    "#/components/schemas/Item/properties/status/enum",
  ],
  [
    "response-enum-value-added-webhook",
    "response-enum-value-added",
    "warning",
    "#/components/schemas/ItemEvent/properties/kind/enum",
  ],
  [
    "response-enum-value-removed",
    "response-enum-value-removed",
    "non-breaking",
    "#/components/schemas/Item/properties/status/enum",
  ],
  ["response-type-widened", "response-type-widened", "breaking", "#/components/schemas/Item/properties/name"],
  ["response-type-narrowed", "response-type-narrowed", "non-breaking", "#/components/schemas/Item/properties/score"],
  [
    "response-constraint-loosened",
    "response-constraint-loosened",
    "warning",
    "#/components/schemas/Item/properties/name/maxLength",
  ],
  ["type-changed", "type-changed", "breaking", "#/components/schemas/ItemInput/properties/size"],
  ["response-status-removed", "response-status-removed", "non-breaking", "#/paths/~1items/post/responses/400"],
  ["response-status-added", "response-status-added", "non-breaking", "#/paths/~1items/post/responses/409"],
  ["response-success-status-added", "response-success-status-added", "warning", "#/paths/~1items/post/responses/200"],
  [
    "response-media-type-removed",
    "response-media-type-removed",
    "breaking",
    "#/paths/~1items/post/responses/201/content/text~1plain",
  ],
  [
    "response-media-type-added",
    "response-media-type-added",
    "warning",
    "#/paths/~1items/post/responses/201/content/text~1plain",
  ],
  [
    "item-schema-added",
    "item-schema-added",
    "non-breaking",
    "#/paths/~1items/post/responses/201/content/text~1event-stream/itemSchema",
  ],
  [
    "item-schema-removed",
    "item-schema-removed",
    "breaking",
    "#/paths/~1items/post/responses/201/content/text~1event-stream/itemSchema",
  ],
  ["openapi-version-changed", "openapi-version-changed", "non-breaking", "#/openapi"],
  ["security-changed", "security-changed", "breaking", "#/paths/~1items/post/security"],
  ["security-scheme-changed", "security-scheme-changed", "breaking", "#/components/securitySchemes/ApiKey"],
  ["schema-removed", "schema-removed", "breaking", "#/components/schemas/Legacy"],
  ["schema-added", "schema-added", "non-breaking", "#/components/schemas/Extra"],
  ["docs-changed", "docs-changed", "non-breaking", "#/components/schemas/Item/description"],
  ["unclassified-change", "unclassified-change", "warning", "#/servers/0/url"],
];

describe("diff rules, one fixture pair each", () => {
  it.each(CASES)("%s → %s (%s) at %s", async (fixture, rule, severity, pointer) => {
    const changes = await diffFixture(fixture);
    expect(changes.map((c) => ({ rule: c.rule, severity: c.severity, pointer: c.pointer }))).toContainEqual({
      rule,
      severity,
      pointer,
    });
    // Every difference in a fixture is explained by a rule: the catch-all fires only in its own fixture.
    if (rule !== "unclassified-change") expect(changes.filter((c) => c.rule === "unclassified-change")).toEqual([]);
  });

  it("has a fixture for every rule, and a table row for every fixture folder", () => {
    expect(new Set(CASES.map(([, rule]) => rule))).toEqual(new Set(Object.keys(RULES)));
    expect(readdirSync(FIXTURES).sort()).toEqual(CASES.map(([fixture]) => fixture).sort());
  });

  it("gives each change a one-line message and the operations it reaches", async () => {
    const [change] = await diffFixture("response-property-removed");
    expect(change.message).toBe("response property `note` removed");
    expect(change.message).not.toContain("\n");
    // Item is returned by both operations; the webhook's payload is ItemEvent, so it is not affected.
    expect(change.operations).toEqual(["createItem", "retrieveItem"]);
  });

  it("reports a moved operation's new SDK method too, and nothing unexplained at its old path", async () => {
    const changes = await diffFixture("operation-moved");
    expect(changes.map((c) => c.rule).sort()).toEqual(["operation-moved", "sdk-method-renamed"]);
    expect(changes.find((c) => c.rule === "sdk-method-renamed")?.message).toBe(
      "SDK method `items.retrieve` is now `things.retrieve`",
    );
  });

  it("finds no change between a document and itself, recursive schemas included", async () => {
    const base = await loadVersion(`${FIXTURES}docs-changed/base.yaml`, "unused", "base");
    expect(compareDocuments(base.document, base.document)).toEqual([]);
  });
});
