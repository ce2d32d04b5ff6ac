// A spec whose names are Object.prototype members (`constructor`, `toString`, `hasOwnProperty`, `__proto__`,
// `valueOf`) as operationIds, tags, path segments, schema, property, parameter, security scheme and server variable
// names generates, compiles, names things by the naming rules, and keeps every such key in the literals it prints.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generate, typeCheck, useTempPackage } from "./pipeline-harness.js";

const NAMES = ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"] as const;

/** An object with `entries` as own keys: `{ __proto__: x }` or `o["__proto__"] = x` would set the prototype. */
function own(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries)
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const schemaOf = own(
  NAMES.map((name) => [
    name,
    {
      type: "object",
      properties: own(NAMES.map((property) => [property, { type: "string" }])),
      required: ["__proto__", "constructor"],
    },
  ]),
);

const SPEC = {
  openapi: "3.1.0",
  info: { title: "Proto", version: "1.0.0" },
  servers: [
    {
      url: "https://api.example.test/{constructor}/{__proto__}/{toString}",
      variables: own([
        ["constructor", { default: "v1" }],
        ["__proto__", { default: "p" }],
      ]),
    },
  ],
  tags: NAMES.map((name) => ({ name })),
  paths: own(
    NAMES.flatMap((name, i) => [
      // a path segment and a path parameter with the name, named from the path
      [`/${name}/{${name}}`, { get: { tags: [name], responses: { "200": { description: "ok" } } } }],
      // an operationId, a tag, query and header parameters, a security scheme and a body schema with the name
      [
        `/things${i}`,
        {
          post: {
            operationId: name,
            tags: [name],
            security: [own([[name, []]])],
            parameters: [
              { name, in: "query", schema: { type: "string" } },
              { name, in: "header", schema: { type: "string" } },
            ],
            requestBody: {
              required: true,
              content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
            },
            // a response code with the name: not a status code, so lint warns and the model skips it
            responses: own([
              [
                "200",
                {
                  description: "ok",
                  content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
                },
              ],
              [name, { description: "odd" }],
            ]),
          },
        },
      ],
    ]),
  ),
  components: {
    schemas: schemaOf,
    securitySchemes: own(NAMES.map((name) => [name, { type: "apiKey", in: "header", name: `X-${name}` }])),
  },
};

interface Tool {
  name: string;
  inputSchema: {
    properties: Record<string, { properties?: Record<string, unknown> }>;
    required?: string[];
    $defs?: Record<string, { properties?: Record<string, unknown> }>;
  };
  parameters?: Record<string, [string, string]>;
}

describe("Object.prototype member names in a spec", () => {
  const pkg = useTempPackage("prototype-names");
  let files: Map<string, string>;
  let out = "";

  beforeAll(async () => {
    out = join(pkg.root, "out");
    // Redocly's lint rules call `obj.hasOwnProperty(…)`, which a schema property named `hasOwnProperty` shadows: lint
    // reads such keys under another name (scripts/pipeline/lint.ts, shadowSafeView), so the minimal ruleset runs.
    const result = await generate(pkg.specFile("proto.json", SPEC), out, "minimal");
    files = result.files;
  }, 120_000);

  it("generates code that compiles", async () => {
    expect(await typeCheck(pkg.root, ["out"])).toBe("");
  }, 120_000);

  it("names resources, methods and parameters with a trailing `_` where a prototype member would be shadowed", () => {
    const resources = files.get("resources.ts") ?? "";
    // path segments `constructor`, `toString`… become resources `constructor_`, `toString_`…; `__proto__` is the
    // words of it (`proto`), as for any punctuated segment
    for (const resource of ["constructor_", "toString_", "hasOwnProperty_", "proto", "valueOf_"])
      expect(resources).toMatch(new RegExp(`^    ${resource}: \\{$`, "m"));
    // path parameters get the variable rule: `constructor_` like `toString_`
    expect(resources).toContain("retrieve(constructor_: string, options?: RequestOptions)");
    expect(resources).toContain("{ path: { constructor: constructor_ } }");
    expect(resources).toContain('{ path: { ["__proto__"]: proto } }');
    // operationIds: descriptor keys take the member rule
    const operations = files.get("operations.ts") ?? "";
    for (const key of ["constructor_", "toString_", "hasOwnProperty_", "valueOf_"])
      expect(operations).toMatch(new RegExp(`^  ${key}: \\{`, "m"));
  });

  it("keeps a `__proto__` key in every literal it prints: the generated modules have it as an own key", async () => {
    const api = (await import(join(out, "index.ts"))) as {
      operationDescriptors: Record<string, { responseShape?: { required?: object }; security?: string[][] }>;
      securitySchemes: object;
      servers: { variables: object }[];
      serverUrl(index: number, variables?: object): string;
    };
    expect(Object.keys(api.securitySchemes)).toEqual([...NAMES]);
    expect(Object.keys(api.servers[0].variables)).toEqual(["constructor", "__proto__"]);
    // own variables only: `{toString}` has none and stays as it is; no given value falls to the defaults
    expect(api.serverUrl(0)).toBe("https://api.example.test/v1/p/{toString}");
    expect(api.serverUrl(0, own([["__proto__", "q"]]))).toBe("https://api.example.test/v1/q/{toString}");
    const descriptors = Object.values(api.operationDescriptors);
    const shapes = descriptors.filter((d) => d.responseShape);
    expect(shapes).toHaveLength(NAMES.length);
    for (const d of shapes)
      expect(Object.keys(d.responseShape?.required ?? {}).sort()).toEqual(["__proto__", "constructor"]);
    expect(descriptors.flatMap((d) => d.security ?? []).sort()).toEqual(NAMES.map((name) => [name]).sort());

    const { tools } = (await import(join(out, "mcp.ts"))) as { tools: Tool[] };
    for (const name of NAMES) {
      const tool = tools.find(
        (t) => t.parameters && Object.values(t.parameters).some(([where, wire]) => where === "query" && wire === name),
      );
      expect(tool, name).toBeDefined();
      const { properties } = tool!.inputSchema;
      // a parameter keeps its wire name as the property name when it is free: a prototype member name is
      expect(Object.hasOwn(properties, name), `${tool!.name}: ${Object.keys(properties).join(", ")}`).toBe(true);
      // the body's properties, inline or under $defs, have all five names, `__proto__` among them
      const body = properties.body;
      const schema = body.properties ? body : Object.values(tool!.inputSchema.$defs ?? {})[0];
      expect(Object.keys(schema?.properties ?? {})).toEqual([...NAMES]);
      expect(Object.hasOwn(schema?.properties ?? {}, "__proto__")).toBe(true);
    }

    const cli = files.get("cli.ts") ?? "";
    expect(cli).toContain('{ flag: "proto", in: "body", name: "__proto__", required: true');
  }, 60_000);
});
