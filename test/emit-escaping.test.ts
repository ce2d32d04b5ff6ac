// Spec text in generated code (titles, summaries, descriptions, names, server URLs, the spec's file name) never ends
// a comment or a string early: a hostile spec generates files whose only code is the generator's.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { generate, typeCheck, useTempPackage } from "./pipeline-harness.js";

/** Code that sets a global when it runs: each hostile text holds it behind a comment or string terminator. */
const payload = (n: number) => `*/ globalThis.pwned = ${n}; /*`;
const lineBreak = (n: number) => `\u2028globalThis.pwned = ${n};\n`;

const HOSTILE = {
  openapi: "3.1.0",
  info: { title: `Evil ${payload(1)}`, version: `1.0 ${payload(2)}`, description: payload(3) },
  servers: [{ url: `https://api.example.test/v1/${payload(4)}`, description: payload(5) }],
  components: {
    securitySchemes: {
      key: { type: "apiKey", in: "header", name: `X-Key${payload(6)}`, description: payload(7) },
    },
    schemas: {
      Item: {
        type: "object",
        description: payload(8),
        properties: { id: { type: "string", description: payload(9) } },
        required: ["id"],
      },
    },
  },
  security: [{ key: [] }],
  paths: {
    "/items/{itemId}": {
      get: {
        operationId: "getItem",
        summary: `Get ${payload(10)} ${lineBreak(11)}`,
        description: `Reads one. ${payload(12)}\r\n${lineBreak(13)}`,
        parameters: [
          { name: "itemId", in: "path", required: true, schema: { type: "string" }, description: payload(14) },
          { name: `q${payload(15)}`, in: "query", schema: { type: "string" }, description: payload(16) },
        ],
        responses: {
          "200": {
            description: payload(17),
            content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } },
          },
        },
      },
      post: {
        operationId: "makeItem",
        summary: payload(18),
        requestBody: {
          description: payload(19),
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } },
        },
        responses: { "201": { description: payload(20) } },
      },
    },
  },
};

/** Every identifier token outside comments and string literals, as TypeScript's scanner reads the file. */
function codeIdentifiers(text: string): string[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const names: string[] = [];
  for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
    if (token === ts.SyntaxKind.Identifier) names.push(scanner.getTokenValue());
    // Template literals: the scanner reads `${` as the start of code; the generator writes none from spec text.
  }
  return names;
}

describe("spec text in generated files", () => {
  const pkg = useTempPackage("emit-escaping");
  afterEach(() => {
    delete (globalThis as { pwned?: unknown }).pwned;
  });

  it("never ends a doc comment, a line comment or a string: no injected code compiles or runs", async () => {
    // The spec's file name is in each file's header comment: a line break in it would end that comment.
    const spec = join(pkg.root, `evil\u2028globalThis.pwned = 21;\n.yaml`);
    writeFileSync(spec, JSON.stringify(HOSTILE));
    const out = join(pkg.root, "out");
    const result = await generate(spec, out, "off");
    for (const [name, text] of result.files) {
      if (!name.endsWith(".ts")) continue;
      expect({ name, injected: codeIdentifiers(text).includes("pwned") }).toEqual({ name, injected: false });
    }
    // Still the spec's text, escaped rather than dropped.
    expect(result.files.get("client.ts")).toContain("Evil *\\/ globalThis.pwned = 1; /*");
    expect(await typeCheck(pkg.root, ["out"])).toBe("");
    for (const name of ["index.ts", "cli.ts", "mcp.ts"]) await import(join(out, name));
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
  }, 120_000);
});
