// The tool input schemas the MCP emitter writes: OpenAPI's dialect turned into JSON Schema a validator compiles,
// `$ref`s resolved (shared and recursive ones under `$defs`), read-only fields left out, names MCP accepts.
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { describe, expect, it } from "vitest";
import { emitWrappers } from "../scripts/pipeline/emit/index.js";
import { snakeCase, toolNames } from "../scripts/pipeline/emit/mcp.js";
import { buildModel } from "../scripts/pipeline/model/index.js";

const doc = {
  openapi: "3.0.3",
  info: { title: "Tree API", version: "1.0.0" },
  paths: {
    "/nodes/{nodeId}": {
      parameters: [{ name: "nodeId", in: "path", required: true, schema: { type: "string", pattern: "^[a-z\\:]+$" } }],
      put: {
        operationId: "replaceNode",
        summary: "Replace a node",
        parameters: [
          { name: "dry-run", in: "query", schema: { type: "boolean", nullable: true } },
          { name: "body", in: "header", schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } },
        },
        responses: { "200": { description: "ok" } },
      },
    },
  },
  components: {
    schemas: {
      Node: {
        type: "object",
        required: ["id", "label"],
        properties: {
          id: { type: "string", readOnly: true },
          label: { type: "string", example: "root" },
          weight: { type: "number", minimum: 0, exclusiveMinimum: true },
          children: { type: "array", items: { $ref: "#/components/schemas/Node" } },
        },
      },
    },
  },
};

describe("MCP tool input schemas", () => {
  const model = buildModel(doc as never);
  const mcp = emitWrappers(model, { runtimeImport: "flora-sdk/runtime", specLabel: "tree.yaml" }).get("mcp.ts") ?? "";
  const schema = JSON.parse(/inputSchema: (\{.*\}),\n/.exec(mcp)?.[1] ?? "{}") as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
    $defs: Record<string, unknown>;
  };

  it("puts parameters beside `body`, renaming a clash, and rewrites OpenAPI 3.0 keywords", () => {
    expect(Object.keys(schema.properties)).toEqual(["nodeId", "dry-run", "header_body", "body"]);
    expect(schema.required).toEqual(["nodeId", "body"]);
    expect(schema.properties["dry-run"]).toMatchObject({ type: ["boolean", "null"] });
    // a pattern a Unicode regular expression rejects (`\:`) is left out instead of breaking the schema
    expect(schema.properties.nodeId).toEqual({ type: "string", description: "(path parameter)" });
    expect(mcp).toContain(
      'parameters: { nodeId: ["path","nodeId"], "dry-run": ["query","dry-run"], header_body: ["header","body"] }',
    );
  });

  it("keeps a recursive schema once under $defs, without read-only fields or examples", () => {
    expect(schema.properties.body).toMatchObject({ $ref: "#/$defs/Node" });
    expect(schema.$defs).toEqual({
      Node: {
        type: "object",
        required: ["label"],
        properties: {
          label: { type: "string" },
          weight: { type: "number", exclusiveMinimum: 0 },
          children: { type: "array", items: { $ref: "#/$defs/Node" } },
        },
      },
    });
    const validate = new AjvJsonSchemaValidator().getValidator(schema as never);
    expect(validate({ nodeId: "a", body: { label: "x", children: [{ label: "y" }] } }).valid).toBe(true);
    const bad = validate({ nodeId: "a", body: { label: "x", children: [{ weight: 0 }] } });
    expect(bad.valid).toBe(false);
    expect(bad.errorMessage).toMatch(/children\/0 must have required property 'label'/);
    expect(bad.errorMessage).toMatch(/weight must be > 0/);
  });

  it("names tools in snake_case from the SDK method path, unique and within MCP's rule", () => {
    expect(snakeCase("museumHours")).toBe("museum_hours");
    expect(snakeCase("getHTTPStatus")).toBe("get_http_status");
    const op = model.operations[0];
    expect(toolNames([op])).toEqual([`${op.resourcePath.join("_")}_${op.methodName}`]);
    expect(mcp).toContain(`name: "${toolNames([op])[0]}"`);
    const twins = toolNames([
      { ...op, resourcePath: ["a"], methodName: "bC" },
      { ...op, resourcePath: ["a_b"], methodName: "c" },
      { ...op, resourcePath: ["x".repeat(200)], methodName: "y" },
    ]);
    expect(twins).toEqual(["a_b_c", "a_b_c_2", "x".repeat(128)]);
    for (const name of twins) expect(name).toMatch(/^[A-Za-z0-9_.-]{1,128}$/);
  });
});
