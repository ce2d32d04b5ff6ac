// Unit tests of each pipeline stage: load, lint, bundle, types, model (names included), emit, format, write, run.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import openapiTS, { astToString, type OpenAPI3 } from "openapi-typescript";
import { Source, YamlParseError } from "@redocly/openapi-core";
import { CodeBlockWriter } from "ts-morph";
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import { bundleSpec } from "../scripts/pipeline/bundle.js";
import { verbatim, withVerbatim } from "../scripts/pipeline/emit/common.js";
import { emitWrappers } from "../scripts/pipeline/emit/index.js";
import { PipelineError } from "../scripts/pipeline/errors.js";
import { FORMAT_LIMIT_BYTES, formatFiles, PRETTIER_OPTIONS } from "../scripts/pipeline/format.js";
import { assertLintClean, lintSpec } from "../scripts/pipeline/lint.js";
import { loadSpec } from "../scripts/pipeline/load.js";
import { buildModel } from "../scripts/pipeline/model/index.js";
import { memberName, NamePool, typeName, variableName } from "../scripts/pipeline/model/names.js";
import { asPipelineError, REPO_ROOT, runPipeline } from "../scripts/pipeline/run.js";
import { generateTypes, SCHEMA_HEADER } from "../scripts/pipeline/types.js";
import { planWrite, writeOutput } from "../scripts/pipeline/write.js";
import { caught, useTempPackage } from "./pipeline-harness.js";

const FLORA = resolve(REPO_ROOT, "openapi/flora.yaml");
const FIXTURES = resolve(REPO_ROOT, "test/fixtures/pipeline");
const temp = useTempPackage("pipeline-stages");
const { specFile } = temp;

const minimalDoc = (paths: object, extra: object = {}) => ({
  openapi: "3.1.0",
  info: { title: "T", version: "1" },
  paths,
  ...extra,
});

describe("load", () => {
  it("reads the version of an OpenAPI 3.x document", async () => {
    expect((await loadSpec(FLORA)).version).toMatch(/^3\.2\./);
  });

  it("names the file for a missing path, a directory, a YAML error (with line:col) and a non-3.x document", async () => {
    expect((await caught(() => loadSpec(join(FIXTURES, "nope.yaml")))).format()).toMatch(
      /nope\.yaml spec file not found$/,
    );
    expect((await caught(() => loadSpec(FIXTURES))).message).toBe("spec path is a directory, not a file");
    expect((await caught(() => loadSpec(join(FIXTURES, "yaml-syntax-error.yaml")))).format()).toMatch(
      /yaml-syntax-error\.yaml:8:16 YAML syntax error: /,
    );
    expect((await caught(() => loadSpec(join(FIXTURES, "swagger-2.yaml")))).format()).toMatch(
      /swagger-2\.yaml:1:1 not an OpenAPI 3\.0\/3\.1\/3\.2 document \(swagger: 2\.0\)/,
    );
    expect((await caught(() => loadSpec(specFile("list.json", [1, 2])))).message).toMatch(
      /top level is a list, not a mapping/,
    );
    expect((await caught(() => loadSpec(specFile("list.json", [1, 2])))).message).toMatch(
      /top level is a list, not a mapping/,
    );
  });

  it("finds a YAML error by its class, not its name: a bundler may rename the class (esbuild without keepNames)", async () => {
    const named = Object.getOwnPropertyDescriptor(YamlParseError, "name");
    Object.defineProperty(YamlParseError, "name", { value: "YamlParseError2", configurable: true });
    try {
      expect((await caught(() => loadSpec(join(FIXTURES, "yaml-syntax-error.yaml")))).format()).toMatch(
        /yaml-syntax-error\.yaml:8:16 YAML syntax error: missed comma between flow collection entries$/,
      );
    } finally {
      Object.defineProperty(YamlParseError, "name", named as PropertyDescriptor);
    }
  });
});

describe("lint", () => {
  it("passes the Flora spec under the project ruleset with 0 errors and 0 warnings", async () => {
    const report = await lintSpec(await loadSpec(FLORA), "project");
    expect(report).toMatchObject({ errors: 0, warnings: 0 });
  });

  it("minimal: keys the version does not define and 3.0-style validation keywords warn, they do not stop the run", async () => {
    const spec = specFile("tolerated.json", {
      ...minimalDoc({}),
      components: {
        schemas: { A: { type: "string", nullable: true }, B: { type: "number", minimum: 0, exclusiveMinimum: true } },
      },
    });
    const report = await lintSpec(await loadSpec(spec), "minimal");
    expect(report.errors).toBe(0);
    expect(report.lines.join("\n")).toMatch(/warning struct Property `nullable` is not expected here/);
    expect(report.lines.join("\n")).toMatch(/warning struct Expected type `number` but got `boolean`/);
  });

  it("a report counts its problems without formatting them: lines (a YAML AST for line:col) are made on first read", async () => {
    const spec = specFile(
      "counted.yaml",
      minimalDoc({}, { components: { schemas: { A: { type: "string", nullable: true } } } }),
    );
    const getAst = vi.spyOn(Source.prototype, "getAst");
    try {
      const report = await lintSpec(await loadSpec(spec), "minimal");
      expect(report.warnings).toBeGreaterThan(0);
      expect(report.count).toBe(report.errors + report.warnings);
      expect(getAst).not.toHaveBeenCalled();
      expect(report.lines).toHaveLength(report.count);
      expect(report.lines.join("\n")).toMatch(
        /counted\.yaml:\d+:\d+ warning struct Property `nullable` is not expected here/,
      );
      expect(getAst).toHaveBeenCalled();
    } finally {
      getAst.mockRestore();
    }
  });

  it("minimal: the ruleset's style errors (a server URL's trailing slash, as in Stripe's spec) only warn", async () => {
    const spec = specFile("trailing-slash.json", {
      ...minimalDoc({}),
      servers: [
        { url: "https://api.example.test/" },
        { url: "https://{host}/v1", variables: { host: { default: "x", enum: [] } } },
      ],
    });
    const report = await lintSpec(await loadSpec(spec), "minimal");
    expect(report.errors).toBe(0);
    expect(report.lines.join("\n")).toMatch(/warning no-server-trailing-slash /);
    expect(report.lines.join("\n")).toMatch(/warning no-server-variables-empty-enum /);
    expect(() => assertLintClean(report, "minimal")).not.toThrow();
    expect((await lintSpec(await loadSpec(spec), "project")).lines.join("\n")).toMatch(
      /error no-server-trailing-slash /,
    );
  });

  it("minimal and off: a structural error that breaks generation stays fatal, one line per problem", async () => {
    const spec = specFile("structural.json", minimalDoc({ "/a": { get: { responses: "none" } } }));
    for (const mode of ["minimal", "off"] as const) {
      const report = await lintSpec(await loadSpec(spec), mode);
      expect(report.errors).toBeGreaterThan(0);
      expect(() => assertLintClean(report, mode)).toThrow(PipelineError);
      for (const line of report.lines) expect(line).not.toContain("\n");
    }
  });

  it("project: warnings fail the run too", () => {
    expect(() => assertLintClean({ errors: 0, warnings: 1, lines: ["x warning"] }, "project")).toThrow(
      /lint failed: 0 error\(s\), 1 warning\(s\)/,
    );
    expect(() => assertLintClean({ errors: 0, warnings: 1, lines: ["x warning"] }, "minimal")).not.toThrow();
  });

  it("minimal: a failing run lists its errors and counts its warnings instead of printing each", () => {
    const lines = [
      "a.yaml:1:1 error struct broken",
      ...Array.from({ length: 900 }, (_, i) => `a.yaml:${i}:1 warning w x`),
    ];
    const failure = (() => {
      try {
        assertLintClean({ errors: 1, warnings: 900, lines }, "minimal");
      } catch (error) {
        return error as PipelineError;
      }
    })();
    expect(failure?.details).toEqual([
      "a.yaml:1:1 error struct broken",
      "(and 900 warning(s), which do not stop the run)",
    ]);
  });
});

describe("bundle", () => {
  it("joins a multi-file spec into one document with local refs only", async () => {
    const bundled = await bundleSpec(await loadSpec(join(FIXTURES, "multi-file/root.yaml")));
    const refs = [...JSON.stringify(bundled).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(ref).toMatch(/^#\/components\//);
    expect(Object.keys(bundled.paths as object)).toEqual(["/pets/{petId}"]);
  });
});

describe("types", () => {
  it("equals openapiTS() on the same bundled document, with one generated-file header, then the itemSchema types", async () => {
    const document = await bundleSpec(await loadSpec(FLORA));
    const text = await generateTypes(structuredClone(document));
    expect(text.startsWith(SCHEMA_HEADER)).toBe(true);
    const viaOpenapiTS = astToString(
      await openapiTS(structuredClone(document) as unknown as OpenAPI3, { silent: true }),
    );
    expect(text.slice(SCHEMA_HEADER.length, SCHEMA_HEADER.length + viaOpenapiTS.length)).toBe(viaOpenapiTS);
    // openapi-typescript types a media type that has only an itemSchema as `unknown`; the rest is ours.
    expect(viaOpenapiTS).toContain('"text/event-stream": unknown;');
    expect(text.slice(SCHEMA_HEADER.length + viaOpenapiTS.length)).toMatch(
      /^\/\*\* Each OpenAPI 3\.2 `itemSchema`.*\nexport type itemSchemas = \{/,
    );
  });
});

describe("model: names", () => {
  it("variable names are camelCase, never reserved words or prototype members", () => {
    expect(variableName("org-id")).toBe("orgId");
    expect(variableName("class")).toBe("class_");
    expect(variableName("__proto__")).toBe("proto");
    expect(variableName("constructor")).toBe("constructor_");
    expect(variableName("1st")).toBe("_1st");
    expect(variableName("!!!")).toBe("value");
  });

  it("member names may be reserved words; type names avoid globals; long names are cut", () => {
    expect(memberName("delete")).toBe("delete");
    expect(memberName("toString")).toBe("toString_");
    expect(typeName("error")).toBe("ErrorType");
    expect(typeName("display-name")).toBe("DisplayName");
    expect(typeName("x".repeat(500))).toHaveLength(80);
  });

  it("NamePool numbers later claimants of a taken name", () => {
    const pool = new NamePool(["Resources"]);
    expect(["Resources", "Pet", "Pet", "Pet"].map((n) => pool.claim(n))).toEqual(["Resources2", "Pet", "Pet2", "Pet3"]);
  });
});

describe("model", () => {
  const build = (doc: object) => buildModel(doc as never);

  it("reads operations, resources, idempotency, servers and security schemes", async () => {
    const model = buildModel(await bundleSpec(await loadSpec(FLORA)));
    expect(model.operations.map((op) => [op.resourcePath.join("."), op.methodName, op.key])).toEqual([
      ["techniques", "list", "listTechniques"],
      ["techniques", "retrieve", "retrieveTechnique"],
      ["techniques.runs", "create", "createTechniqueRun"],
      ["techniques.runs", "retrieve", "retrieveTechniqueRun"],
    ]);
    expect(model.operations.map((op) => op.idempotency && op.key)).toEqual([
      undefined,
      undefined,
      "createTechniqueRun",
      undefined,
    ]);
    expect(model.operations[2].idempotency).toEqual({
      header: "Idempotency-Key",
      bodyField: "idempotency_key",
      windowSeconds: 7200,
    });
    expect(model.servers).toEqual([expect.objectContaining({ url: "https://app.flora.ai/api/v1", variables: {} })]);
    expect(model.securitySchemes).toEqual([{ name: "BearerAuth", type: "http", scheme: "bearer" }]);
  });

  it("an operation without `responses` (optional in 3.1) resolves with nothing; x- keys under paths are skipped", () => {
    const model = build(minimalDoc({ "x-note": "ignored", "/ping": { post: { operationId: "ping" } } }));
    expect(model.operations).toHaveLength(1);
    expect(model.operations[0]).toMatchObject({ key: "ping", response: "empty", successResponses: [] });
  });

  it("x-sdk-resource and x-sdk-method override the derived place", () => {
    const model = build(
      minimalDoc({
        "/v1/things": {
          get: { operationId: "listThings", "x-sdk-resource": "catalog.items", "x-sdk-method": "all", responses: {} },
        },
      }),
    );
    expect(model.operations[0]).toMatchObject({ resourcePath: ["catalog", "items"], methodName: "all" });
  });

  it("a path parameter typed as a value a style can write keeps its type; an undeclared or nullable one is a plain string", () => {
    const model = build(
      minimalDoc({
        "/a/{id}/{ids}/{free}/{maybe}": {
          get: {
            parameters: [
              { name: "id", in: "path", required: true, schema: { type: "integer" } },
              { name: "ids", in: "path", required: true, schema: { type: "array", items: { type: "string" } } },
              { name: "maybe", in: "path", required: true, schema: { type: ["string", "null"] } },
            ],
            responses: {},
          },
        },
      }),
    );
    expect(model.operations[0].pathParams.map((p) => [p.name, p.specTyped])).toEqual([
      ["id", true],
      ["ids", true],
      ["free", false],
      ["maybe", false],
    ]);
  });

  it("shapes it cannot read raise a PipelineError with a JSON pointer", () => {
    const pointerOf = (doc: object) => {
      try {
        build(doc);
      } catch (error) {
        expect(error).toBeInstanceOf(PipelineError);
        return (error as PipelineError).location?.pointer;
      }
      throw new Error("expected a PipelineError");
    };
    expect(pointerOf(minimalDoc({ "/a": { get: "nope" } }))).toBe("#/paths/~1a/get");
    expect(
      pointerOf(minimalDoc({ "/a": { get: { responses: { "200": { $ref: "#/components/responses/Gone" } } } } })),
    ).toBe("#/paths/~1a/get");
    expect(pointerOf(minimalDoc({ "/a": { get: { parameters: [{ in: "query" }], responses: {} } } }))).toBe(
      "#/paths/~1a/get",
    );
    expect(pointerOf({ ...minimalDoc({}), servers: "https://x" })).toBe("#/servers");
  });
});

describe("emit", () => {
  it("creates each wrapper file once, each starting with the generated-file header", async () => {
    const model = buildModel(await bundleSpec(await loadSpec(FLORA)));
    const files = emitWrappers(model, { runtimeImport: "flora-sdk/runtime", specLabel: "openapi/flora.yaml" });
    expect([...files.keys()]).toEqual([
      "idempotency.ts",
      "operations.ts",
      "resources.ts",
      "models.ts",
      "servers.ts",
      "security.ts",
      "client.ts",
      "cli.ts",
      "index.ts",
      "mcp.ts",
    ]);
    for (const text of files.values())
      expect(text.split("\n")[0]).toBe("// Generated by scripts/generate.ts from openapi/flora.yaml. Do not edit.");
    const runtimeImports = [...files.values()].flatMap((text) =>
      [...text.matchAll(/from "([^.][^"]*)"/g)].map((m) => m[1]),
    );
    // cli.ts and mcp.ts import the command line's and the MCP server's runtimes, the package's other entries
    expect(new Set(runtimeImports)).toEqual(new Set(["flora-sdk/runtime", "flora-sdk/cli", "flora-sdk/mcp"]));
  });

  it("a `__proto__` path parameter becomes a computed key, so it cannot set the prototype", () => {
    const model = buildModel(
      minimalDoc({ "/a/{__proto__}": { get: { operationId: "getA", responses: {} } } }) as never,
    );
    const resources = emitWrappers(model, { runtimeImport: "rt", specLabel: "x" }).get("resources.ts") as string;
    expect(resources).toContain('path: { ["__proto__"]: proto }');
  });

  it("prints long literals as they are, whatever quotes, backslashes, NULs or comment ends the spec's text holds", () => {
    // A description ending in a backslash once left ts-morph's writer inside a string; a NUL and digits mimic a
    // placeholder of verbatim(), which carries a random nonce instead.
    const description = `Says "quoted", 'single', \`tick\` and */ /* // \u0000 ${"\0"}0${"\0"} ${"x".repeat(80)} C:\\`;
    const model = buildModel(
      minimalDoc({
        "/a": {
          post: {
            operationId: "makeA",
            description,
            requestBody: {
              content: {
                "application/json": {
                  schema: { type: "object", properties: { note: { type: "string", description } } },
                },
              },
            },
            responses: { "200": { description: "ok" } },
          },
        },
      }) as never,
    );
    const files = emitWrappers(model, { runtimeImport: "rt", specLabel: "x" });
    expect(files.get("mcp.ts")).toContain(`description: ${JSON.stringify(`${description}\n\nPOST /a`)},`);
    expect(files.get("cli.ts")).toContain(`description: ${JSON.stringify(description)},`);
    // no placeholder left anywhere (a raw NUL of the spec's own stays in resources.ts's doc comments, as written)
    for (const [name, text] of files) expect([name, /\0[0-9a-f-]{36}:\d+\0/.test(text)]).toEqual([name, false]);
  });

  it("a spec string ending in a backslash leaves the writer's string and comment tracking intact", () => {
    // ts-morph's writer took the `"` of `"C:\\"` for an escaped one: it then read the next literal's `/*` as a
    // comment and wrote a stray `*/` (code that does not compile), or a backtick as a template and stopped indenting.
    const operation = (enumValue: string, note: string) => ({
      post: {
        operationId: `make${enumValue.length}`,
        parameters: [
          {
            name: "id",
            in: "path",
            required: true,
            description: "C:\\",
            schema: { type: "string", enum: [enumValue] },
          },
        ],
        requestBody: {
          content: {
            "application/json": {
              schema: { type: "object", properties: { b: { type: "string", description: note } } },
            },
          },
        },
        responses: { "200": { description: "ok" } },
      },
    });
    const model = buildModel(
      minimalDoc({
        "/a/{id}": operation("/* x", "ends a comment */ here"),
        "/b/{id}": operation("`ab", "the ` closes it, long enough text here"),
        "/c": { get: { operationId: "getC", responses: { "200": { description: "ok" } } } },
      }) as never,
    );
    const files = emitWrappers(model, { runtimeImport: "rt", specLabel: "x" });
    for (const name of ["cli.ts", "mcp.ts", "operations.ts", "resources.ts"]) {
      const text = files.get(name) as string;
      const parsed = ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
      const syntax = (parsed as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
      expect([name, syntax.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"))]).toEqual([name, []]);
      // every line inside the tools/commands array is indented, as the writer indents it
      const start = text.indexOf("= [\n") + 4;
      const body = text.slice(start, start + text.slice(start).search(/\n *\];\n/));
      if (name === "cli.ts" || name === "mcp.ts")
        expect([name, body.split("\n").filter((line) => line !== "" && !line.startsWith("  "))]).toEqual([name, []]);
    }
  });

  it("long literals reach ts-morph's writer as placeholders: it scans a fraction of what it prints", () => {
    const properties = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [
        `field${i}`,
        { type: "string", description: `Field ${i}. ${"x".repeat(100)}` },
      ]),
    );
    const model = buildModel(
      minimalDoc({
        "/a": {
          post: {
            operationId: "makeA",
            requestBody: { content: { "application/json": { schema: { type: "object", properties } } } },
            responses: { "200": { description: "ok" } },
          },
        },
      }) as never,
    );
    // what ts-morph's writers are handed to scan (their state tracker, which emit/index.ts wraps while printing)
    const writer = CodeBlockWriter.prototype as unknown as { _updateInternalState(text: string): void };
    const update = writer._updateInternalState;
    let scanned = 0;
    writer._updateInternalState = function (text) {
      scanned += text.length;
      update.call(this, text);
    };
    let files: Map<string, string>;
    try {
      files = emitWrappers(model, { runtimeImport: "rt", specLabel: "x" });
    } finally {
      writer._updateInternalState = update;
    }
    const printed = [...files.values()].reduce((sum, text) => sum + text.length, 0);
    // mcp.ts and cli.ts hold the 200 descriptions (~25 kB each); scanning them (twice: ts-morph prints an
    // initializer in a writer of its own, then writes its text into the file's) would exceed what is printed
    expect(printed).toBeGreaterThan(50_000);
    expect(scanned).toBeLessThan(printed / 4);
  });

  it("verbatim() hands out a placeholder only while a file prints, and a placeholder cut or copied is an error", () => {
    const long = JSON.stringify({ text: "y".repeat(100) });
    expect(verbatim(long)).toBe(long);
    expect(withVerbatim(() => `a = ${verbatim(long)}; b = ${verbatim("short")};`)).toBe(`a = ${long}; b = short;`);
    expect(() => withVerbatim(() => verbatim(long).slice(1))).toThrow(
      /1 verbatim text\(s\) handed out, 0 placeholder\(s\) printed/,
    );
    expect(() =>
      withVerbatim(() => {
        const placeholder = verbatim(long);
        return placeholder + placeholder;
      }),
    ).toThrow(/1 verbatim text\(s\) handed out, 2 placeholder\(s\) printed, 1 put back/);
    // a text with a line break goes to the writer as it is: the writer indents each line
    expect(withVerbatim(() => verbatim(`${long}\n${long}`))).toBe(`${long}\n${long}`);
  });
});

describe("format", () => {
  it("formats small files with prettier and leaves files above the limit as emitted", async () => {
    const big = `export const list = [${"1, ".repeat(FORMAT_LIMIT_BYTES / 3)}];\n`;
    const formatted = await formatFiles(
      new Map([
        ["small.ts", "export   const a = {b:1}\n"],
        ["big.ts", big],
      ]),
    );
    expect(formatted.get("small.ts")).toBe("export const a = { b: 1 };\n");
    expect(formatted.get("big.ts")).toBe(big);
  });

  it("formats as full prettier with the same options does, embedded GraphQL, CSS and Markdown included", async () => {
    // The stage loads prettier's standalone core with the TypeScript plugins only; full prettier has every
    // language's plugin and, unless told not to, formats the code inside these templates.
    const text = [
      "export const q = gql`query{a{b}}`;",
      "export const c = css`a{color:red}`;",
      "export const m = markdown`# hi\n* a\n`;",
      "export const g = /* GraphQL */ `query{a}`;",
      "export const  long = { alpha: 1, beta: 2, gamma: 3, delta: 4, epsilon: 5, zeta: 6, eta: 7, theta: 8, iota: 9, kappa: 10 }",
      "",
    ].join("\n");
    const prettier = await import("prettier");
    const full = await prettier.format(text, PRETTIER_OPTIONS);
    expect((await formatFiles(new Map([["a.ts", text]]))).get("a.ts")).toBe(full);
    expect(full).toContain("gql`query{a{b}}`");
  });
});

describe("write", () => {
  it("plans changed, unchanged and stale files, writes atomically and leaves no staging folder", () => {
    const out = join(temp.root, "write-out");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "same.ts"), "// Generated by scripts/generate.ts same\n");
    writeFileSync(join(out, "old.ts"), "// Generated by scripts/generate.ts old\n");
    writeFileSync(join(out, "mine.ts"), "// hand-written, not generated\n");
    const sameMtime = statSync(join(out, "same.ts")).mtimeMs;
    const files = new Map([
      ["same.ts", "// Generated by scripts/generate.ts same\n"],
      ["new.ts", "// Generated by scripts/generate.ts new\n"],
    ]);
    const plan = planWrite(out, files);
    expect(plan).toEqual({
      changed: ["new.ts"],
      unchanged: ["same.ts"],
      stale: ["old.ts"],
      missing: ["new.ts"],
      extra: ["mine.ts", "old.ts"],
    });
    writeOutput(out, files, plan);
    expect(readdirSync(out).sort()).toEqual(["mine.ts", "new.ts", "same.ts"]);
    expect(statSync(join(out, "same.ts")).mtimeMs).toBe(sameMtime);
    expect(readFileSync(join(out, "new.ts"), "utf8")).toBe(files.get("new.ts"));
  });
});

describe("run", () => {
  it("absurd nesting stops at load with one clear message naming the file and position", async () => {
    const depth = 20_000;
    const schema = `${'{"type":"array","items":'.repeat(depth)}{"type":"string"}${"}".repeat(depth)}`;
    const spec = join(temp.root, "deep.json");
    // Written as text: JSON.stringify itself would overflow on this depth.
    writeFileSync(
      spec,
      `{"openapi":"3.1.0","info":{"title":"T","version":"1"},"paths":{},"components":{"schemas":{"Deep":${schema}}}}`,
    );
    const out = join(temp.root, "deep-out");
    const error = await caught(() => runPipeline({ spec, out, lint: "off", check: false }));
    expect(error.format()).toMatch(/deep\.json:1:\d+ YAML syntax error: nesting exceeded maxDepth/);
    expect(existsSync(out)).toBe(false);
  });

  it("an unexpected exception inside a stage becomes one line naming the stage; spec problems pass through", () => {
    const overflow = asPipelineError(
      "types",
      new RangeError("Maximum call stack size exceeded\n    at walk (x.js:1:1)"),
    );
    expect(overflow).toBeInstanceOf(PipelineError);
    expect(overflow.message).toBe("types stage failed: RangeError: Maximum call stack size exceeded");
    expect(asPipelineError("lint", new Error("boom")).message).toBe("lint stage failed: boom");
    const specProblem = new PipelineError("bad spec", { pointer: "#/paths" });
    expect(asPipelineError("model", specProblem)).toBe(specProblem);
  });
});
