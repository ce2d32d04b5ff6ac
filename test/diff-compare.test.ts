// Direction rules on in-memory documents: one schema, judged once from the request side and once from the response side.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compareDocuments } from "../scripts/diff/compare.js";
import { differingPointers, isDocumentation } from "../scripts/diff/unclassified.js";
import type { Json } from "../scripts/diff/pointer.js";
import { loadVersion } from "../scripts/diff/source.js";

const SHARED_SPECS = fileURLToPath(new URL("../../shared/specs/", import.meta.url));
const SHARED_SPECS_MISSING = !existsSync(SHARED_SPECS);

/** One operation that sends and returns the same `Thing` schema. */
function spec(thing: Json): Json {
  const json = { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } };
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1.0.0" },
    paths: {
      "/things": {
        put: {
          operationId: "putThing",
          requestBody: { required: true, content: json },
          responses: { "200": { description: "ok", content: json } },
        },
      },
    },
    components: { schemas: { Thing: thing } },
  };
}

const thing = (extra: Json = {}): Json => ({
  type: "object",
  required: ["id"],
  properties: { id: { type: "string" }, size: { type: "integer" }, next: { $ref: "#/components/schemas/Thing" } },
  ...extra,
});

const summary = (base: Json, head: Json) =>
  compareDocuments(base, head).map((c) => `${c.rule} ${c.severity} ${c.pointer}`);

describe("direction rules", () => {
  it("a type widened in a schema used both ways is harmless in the request and breaking in the response", () => {
    const wider = thing();
    (wider.properties as Json).size = { type: "number" };
    expect(summary(spec(thing()), spec(wider))).toEqual([
      "response-type-widened breaking #/components/schemas/Thing/properties/size",
      "request-type-widened non-breaking #/components/schemas/Thing/properties/size",
    ]);
  });

  it("a type narrowed is breaking in the request and harmless in the response", () => {
    const narrower = thing();
    (narrower.properties as Json).id = { type: "string", maxLength: 8 };
    expect(summary(spec(thing()), spec(narrower))).toEqual([
      "request-type-narrowed breaking #/components/schemas/Thing/properties/id/maxLength",
      "response-type-narrowed non-breaking #/components/schemas/Thing/properties/id/maxLength",
    ]);
  });

  it("a property made optional breaks readers of the response only", () => {
    expect(summary(spec(thing()), spec(thing({ required: [] })))).toEqual([
      "response-property-made-optional breaking #/components/schemas/Thing/properties/id",
      "request-property-made-optional non-breaking #/components/schemas/Thing/properties/id",
    ]);
  });

  it("follows a recursive $ref without looping and reports a change below it once per direction", () => {
    const base = thing({
      properties: {
        ...(thing().properties as Json),
        children: { type: "array", items: { $ref: "#/components/schemas/Thing" } },
      },
    });
    const head = structuredClone(base);
    ((head.properties as Json).size as Json).type = "string";
    const changes = compareDocuments(spec(base), spec(head));
    expect(changes.map((c) => `${c.rule} ${c.pointer} ${c.message}`)).toEqual([
      "type-changed #/components/schemas/Thing/properties/size request type integer → string",
      "type-changed #/components/schemas/Thing/properties/size response type integer → string",
    ]);
  });

  it("nullable (OpenAPI 3.0) widens like a `null` type", () => {
    const head = thing();
    (head.properties as Json).id = { type: "string", nullable: true };
    expect(summary(spec(thing()), spec(head))).toContain(
      "response-type-widened breaking #/components/schemas/Thing/properties/id",
    );
  });
});

describe("composition", () => {
  it("matches anyOf/oneOf branches that share a title by their order, not all to the first", () => {
    const branches = (second: Json): Json =>
      thing({
        properties: {
          id: {
            oneOf: [
              { title: "array", type: "array", items: { type: "string" } },
              { title: "array", ...second },
            ],
          },
        },
      });
    const base = branches({ type: "array", items: { type: "integer" } });
    expect(compareDocuments(spec(base), spec(structuredClone(base)))).toEqual([]);
    const head = branches({ type: "array", items: { type: "number" } });
    expect(summary(spec(base), spec(head))).toEqual([
      "response-type-widened breaking #/components/schemas/Thing/properties/id/oneOf/1/items",
      "request-type-widened non-breaking #/components/schemas/Thing/properties/id/oneOf/1/items",
    ]);
  });

  it("an added oneOf branch widens: breaking for responses, an addition for requests", () => {
    const base = thing({ properties: { id: { oneOf: [{ type: "string" }] } } });
    const head = thing({ properties: { id: { oneOf: [{ type: "string" }, { type: "integer" }] } } });
    expect(summary(spec(base), spec(head))).toEqual([
      "response-type-widened breaking #/components/schemas/Thing/properties/id/oneOf",
      "request-type-widened non-breaking #/components/schemas/Thing/properties/id/oneOf",
    ]);
  });
});

describe.skipIf(SHARED_SPECS_MISSING)(`real public specs (skipped when ${SHARED_SPECS} is absent)`, () => {
  it.each(["openai.yaml", "digitalocean/DigitalOcean-public.v2.yaml", "museum.yaml"])(
    "finds no change between %s and itself",
    async (file) => {
      const version = await loadVersion(`${SHARED_SPECS}${file}`, "unused", "base");
      const again = await loadVersion(`${SHARED_SPECS}${file}`, "unused", "head");
      expect(compareDocuments(version.document, again.document)).toEqual([]);
    },
  );
});

describe("the catch-all", () => {
  it("treats descriptions, examples and info as documentation, but not a property named `description`", () => {
    expect(isDocumentation("#/components/schemas/Thing/description")).toBe(true);
    expect(isDocumentation("#/paths/~1a/get/responses/200/content/application~1json/examples/one/value")).toBe(true);
    expect(isDocumentation("#/info/version")).toBe(true);
    expect(isDocumentation("#/components/schemas/Thing/properties/description")).toBe(false);
    expect(isDocumentation("#/servers/0/url")).toBe(false);
  });

  it("compares `required` and `enum` as sets", () => {
    expect(differingPointers({ required: ["a", "b"] }, { required: ["b", "a"] })).toEqual([]);
    expect(differingPointers({ required: ["a"] }, { required: ["a", "b"] })).toEqual(["#/required"]);
  });
});
