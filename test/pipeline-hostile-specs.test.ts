// Specs that broke the front stages with a bare exception or a wrong finding: keys named `hasOwnProperty` (Redocly's
// lint calls `node.hasOwnProperty(…)` on spec objects) or `__proto__` (example validation missed it), and YAML
// aliases that make a value contain itself, nest without end or expand past memory.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lintConfigFor, lintSpec, type LintMode } from "../scripts/pipeline/lint.js";
import { loadSpec, MAX_ALIAS_DEPTH, MAX_ALIAS_EXPANSION } from "../scripts/pipeline/load.js";
import { runPipeline } from "../scripts/pipeline/run.js";
import { caught, useTempPackage, writeFiles } from "./pipeline-harness.js";

const temp = useTempPackage("hostile-specs");

/** Writes one spec file into the temporary package; returns its path. */
function write(name: string, text: string): string {
  writeFiles(temp.root, { [name]: text });
  return join(temp.root, name);
}

const MODES: LintMode[] = ["project", "minimal", "off"];

/**
 * `name` as a schema, a property (required, in examples, a discriminator's propertyName and mapping), a security
 * scheme and scope, a server variable, a stray key on Info and on a Response, and a property in a $ref'd file.
 */
const shadowingSpec = (name: string) => `openapi: 3.1.0
info: { title: T, version: "1", ${name}: 1 }
servers: [{ url: "https://x.test/{${name}}", variables: { ${name}: { default: v } } }]
security: [{ ${name}: [${name}] }]
paths:
  /a:
    post:
      operationId: postA
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/${name}" }
            example: { ${name}: x }
      responses:
        "200":
          description: ok
          ${name}: 1
          content:
            application/json:
              schema: { $ref: "./${name}-part.yaml" }
components:
  securitySchemes:
    ${name}:
      type: oauth2
      flows: { clientCredentials: { tokenUrl: "https://x.test/token", scopes: { ${name}: all } } }
  schemas:
    ${name}:
      type: object
      required: [${name}]
      properties: { ${name}: { type: string } }
      example: { ${name}: x }
      discriminator: { propertyName: ${name}, mapping: { ${name}: "#/components/schemas/${name}" } }
    Plain: { type: object, properties: { ${name}: { type: string } }, example: { ${name}: x } }
`;

const shadowingPart = (name: string) => `type: object
required: [${name}, b]
properties:
  ${name}: { type: string }
`;

describe("keys named hasOwnProperty or __proto__", () => {
  it("lint in every mode reports what it reports for a harmless name of the same length, at the same file:line:col", async () => {
    const lines = async (name: string, mode: LintMode) => {
      write(`${name}-part.yaml`, shadowingPart(name));
      const report = await lintSpec(await loadSpec(write(`${name}.yaml`, shadowingSpec(name))), mode);
      return report.lines.map((line) => line.replaceAll(name, "NAME"));
    };
    // `hasOwnProperty` made Redocly's rules throw; an own `__proto__` in an example failed its validation (project)
    for (const [name, harmless] of [
      ["hasOwnProperty", "hasOwnPropertz"],
      ["__proto__", "__protz__"],
    ]) {
      for (const mode of MODES) {
        const shadowing = await lines(name, mode);
        expect(shadowing, `${name} ${mode}`).toEqual(await lines(harmless, mode));
        // the stray keys on Info and on the Response, at their own line and column
        expect(shadowing.join("\n"), mode).toMatch(
          /NAME\.yaml:2:33 (error|warning) struct Property `NAME` is not expected/,
        );
        expect(shadowing.join("\n"), mode).toMatch(/NAME\.yaml:17:11 (error|warning) struct Property `NAME` is not/);
      }
      // the $ref'd file's own finding: its required `b` is not a property
      const project = await lines(name, "project");
      expect(project.join("\n")).toMatch(/NAME-part\.yaml:2:\d+ error no-required-schema-properties-undefined/);
      expect(project.join("\n")).not.toMatch(/no-invalid-schema-examples/);
    }
  });

  it("an ignore entry names the key as written: lint's renamed copy does not hide it", async () => {
    const spec = write(
      "ignored.yaml",
      'openapi: 3.1.0\ninfo: { title: T, version: "1", hasOwnProperty: 1 }\npaths: {}\ncomponents: { schemas: { S: { type: object, properties: { hasOwnProperty: { type: string } } } } }\n',
    );
    const loaded = await loadSpec(spec);
    const before = await lintSpec(loaded, "off");
    expect(before.lines).toEqual([
      expect.stringMatching(/ignored\.yaml:2:\d+ warning struct Property `hasOwnProperty`/),
    ]);
    // as `.redocly.lint-ignore.yaml` beside redocly.yaml would list it: file, rule, the pointer with the key as written
    const config = await lintConfigFor("off");
    config.ignore[loaded.document.source.absoluteRef] = { struct: new Set(["#/info/hasOwnProperty"]) };
    try {
      expect((await lintSpec(loaded, "off")).lines).toEqual([]);
    } finally {
      delete config.ignore[loaded.document.source.absoluteRef];
    }
  });

  it("the spec that crashed lint generates under --lint minimal", async () => {
    const spec = write(
      "crash.yaml",
      answering("hasOwnProperty", [
        "    hasOwnProperty: { type: object, required: [hasOwnProperty], properties: { hasOwnProperty: { type: string } } }",
      ]),
    );
    const result = await runPipeline({ spec, out: join(temp.root, "crash-out"), lint: "minimal", check: false });
    expect(result.operations).toBe(1);
    expect(result.files.get("schema.d.ts")).toMatch(/hasOwnProperty: string;/);
  });

  it("a key that spells the name with JSON escapes is linted too", async () => {
    const spec = write(
      "escaped.json",
      '{"openapi":"3.1.0","info":{"title":"T","version":"1","hasOwn\\u0050roperty":1},"paths":{}}',
    );
    const report = await lintSpec(await loadSpec(spec), "off");
    expect(report.lines).toEqual([
      expect.stringMatching(/escaped\.json:1:\d+ warning struct Property `hasOwnProperty` is not expected here/),
    ]);
  });

  it("a spec that also uses the name lint reads the key under is a clear error, findings or not", async () => {
    // the two keys would be one in lint's copy: what lint says of either (here nothing: all is valid) would mix
    const spec = write(
      "clash.yaml",
      'openapi: 3.1.0\ninfo: { title: T, version: "1" }\npaths: {}\ncomponents: { schemas: { S: { type: object, properties: { hasOwnProperty: { type: string }, hasOwnProperty0x5f3759: { type: integer } } } } }\n',
    );
    const loaded = await loadSpec(spec);
    for (const mode of MODES)
      expect((await caught(() => lintSpec(loaded, mode))).format(), mode).toMatch(
        /clash\.yaml cannot lint: the spec uses both `hasOwnProperty`, .* and `hasOwnProperty0x5f3759`, .*; rename one/,
      );
  });

  it("objects inside a list of names (a schema property named `security` or `required`) are read under the other name too", async () => {
    const lines = async (name: string) => {
      const report = await lintSpec(
        await loadSpec(
          write(
            `nested-${name}.yaml`,
            `openapi: 3.1.0
info: { title: T, version: "1" }
paths: {}
components:
  schemas:
    ${name}: { type: string }
    Policy:
      type: object
      properties:
        security:
          type: array
          items:
            anyOf:
              - type: object
                required: [${name}]
                properties:
                  ${name}: { type: string }
              - $ref: "#/components/schemas/${name}"
`,
          ),
        ),
        "minimal",
      );
      return report.lines.map((line) => line.replaceAll(name, "NAME"));
    };
    expect(await lines("hasOwnProperty")).toEqual(await lines("hasOwnPropertz"));
  });
});

/** A one-operation spec whose GET answers JSON of component schema `name`; `schemas` are its lines under `schemas:`. */
const answering = (name: string, schemas: readonly string[]) => `openapi: 3.1.0
info: { title: T, version: "1" }
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: { $ref: "#/components/schemas/${name}" }
components:
  schemas:
${schemas.join("\n")}
`;

/** A one-operation spec whose GET operation carries `extra` (indented as its keys). */
const withOperationKeys = (extra: string) => `openapi: 3.1.0
info: { title: T, version: "1" }
paths:
  /a:
    get:
      operationId: getA
${extra}
      responses:
        "200":
          description: ok
`;

/** `withOperationKeys` with a JSON request body whose schema is `{ $ref: ref }`. */
const withBodyRef = (ref: string) =>
  withOperationKeys(
    `      requestBody:\n        content:\n          application/json:\n            schema: { $ref: "${ref}" }`,
  );

describe("YAML aliases", () => {
  it("an alias inside the node its anchor names is an error at the alias, raised at load, in every lint mode", async () => {
    const sequence = write("loop.yaml", withOperationKeys("      x-loop: &a [*a]"));
    expect((await caught(() => loadSpec(sequence))).format()).toMatch(
      /loop\.yaml:7:19 YAML alias \*a is recursive: it stands for &a \(anchored at 7:15\), a node that contains it, so its value would be infinitely deep, which a JSON value cannot be$/,
    );
    // a value straight after a quoted key's colon, with no space (flow style)
    const tight = write("tight.yaml", withOperationKeys('      x-loop: {"k":&a [*a]}'));
    expect((await caught(() => loadSpec(tight))).format()).toMatch(
      /tight\.yaml:7:24 YAML alias \*a is recursive: it stands for &a \(anchored at 7:20\)/,
    );
    // `foo-&a` in a value is text, not the anchor
    const texty = write("texty.yaml", withOperationKeys("      x-l: &a\n        k: foo-&a\n        j: [*a]"));
    expect((await caught(() => loadSpec(texty))).format()).toMatch(
      /texty\.yaml:9:13 YAML alias \*a is recursive: it stands for &a \(anchored at 7:12\)/,
    );
    const mapping = write(
      "self.yaml",
      withOperationKeys("      x-self: &op\n        name: n\n        again: { deeper: [*op] }"),
    );
    for (const lint of MODES) {
      const out = join(temp.root, `self-out-${lint}`);
      const error = await caught(() => runPipeline({ spec: mapping, out, lint, check: false }));
      expect(error.format()).toMatch(
        /self\.yaml:9:27 YAML alias \*op is recursive: it stands for &op \(anchored at 7:15\)/,
      );
      expect(existsSync(out)).toBe(false);
    }
  });

  it("a recursive alias in a $ref'd file is reported at its file:line:col, even with --lint off", async () => {
    write(
      "loop-part.yaml",
      "type: object\nproperties:\n  self: &s\n    type: object\n    properties:\n      again: *s\n",
    );
    const spec = write("loop-root.yaml", withBodyRef("./loop-part.yaml"));
    const error = await caught(() =>
      runPipeline({ spec, out: join(temp.root, "loop-out"), lint: "off", check: false }),
    );
    expect(error.details.join("\n")).toMatch(
      /loop-part\.yaml:6:14 error no-unresolved-refs Failed to parse: YAML alias \*s is recursive: it stands for &s \(anchored at 3:9\)/,
    );
  });

  it(`a chain of aliases nesting deeper than ${MAX_ALIAS_DEPTH} levels is an error at load; a shallower one generates`, async () => {
    const chain = (length: number) => {
      const schemas = ["    S0: &a0 { type: string }"];
      for (let i = 1; i < length; i++) schemas.push(`    S${i}: &a${i} { type: array, items: *a${i - 1} }`);
      return answering(`S${length - 1}`, schemas);
    };
    const deep = write("chain-deep.yaml", chain(1000));
    // the first alias past the limit: S197's `items: *a196`, 4 levels down, names a value 196 levels deep
    expect((await caught(() => loadSpec(deep))).format()).toMatch(
      new RegExp(
        `chain-deep\\.yaml:212:39 YAML alias \\*a196 nests the document deeper than ${MAX_ALIAS_DEPTH} levels`,
      ),
    );
    const result = await runPipeline({
      spec: write("chain-ok.yaml", chain(150)),
      out: join(temp.root, "chain-out"),
      lint: "minimal",
      check: false,
    });
    expect(result.operations).toBe(1);
  }, 60_000);

  it("aliases of aliases that expand past the limit (a billion laughs) are an error at load, at the alias", async () => {
    // ten `*a{i-1}` in each `&a{i}`: 10^9 arrays once expanded, which ran the emit worker out of memory
    const levels = ["  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `  a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    const spec = write("laughs.yaml", withOperationKeys(["x-laughs:", ...levels].map((l) => `      ${l}`).join("\n")));
    const limit = MAX_ALIAS_EXPANSION.toLocaleString("en-US");
    expect((await caught(() => loadSpec(spec))).format()).toMatch(
      new RegExp(`laughs\\.yaml:14:53 YAML alias \\*a5 takes the document past ${limit} objects and arrays`),
    );
  });

  it("aliases that share a node without containing it generate as before", async () => {
    const spec = write(
      "shared.yaml",
      withOperationKeys(
        "      parameters:\n        - &p { name: q, in: query, schema: { type: string } }\n      x-same: [*p, *p]",
      ),
    );
    const result = await runPipeline({ spec, out: join(temp.root, "shared-out"), lint: "minimal", check: false });
    expect(result.operations).toBe(1);
  });

  it("plain YAML nested 10,000 levels deep is a YAML error at its file:line:col, not a stack overflow", async () => {
    const spec = write("nested.yaml", withOperationKeys(`      x-deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}`));
    expect((await caught(() => loadSpec(spec))).format()).toMatch(
      /nested\.yaml:7:\d+ YAML syntax error: nesting exceeded maxDepth \(100\)$/,
    );
    const block = write(
      "nested-block.yaml",
      withOperationKeys(Array.from({ length: 10_000 }, (_, i) => `${" ".repeat(6 + 2 * i)}k${i}:`).join("\n") + " 1"),
    );
    expect((await caught(() => loadSpec(block))).format()).toMatch(
      /nested-block\.yaml:\d+:\d+ YAML syntax error: nesting exceeded maxDepth \(100\)$/,
    );
  });
});

describe("files that are not files", () => {
  it("a $ref to a FIFO, or a FIFO as the spec, is an error naming it, not a read that never ends", async () => {
    const pipe = join(temp.root, "pipe");
    execFileSync("mkfifo", [pipe]);
    const spec = write("fifo-root.yaml", withBodyRef("./pipe"));
    const error = await caught(() =>
      runPipeline({ spec, out: join(temp.root, "fifo-out"), lint: "off", check: false }),
    );
    expect(error.details.join("\n")).toMatch(
      /fifo-root\.yaml:\d+:\d+ error no-unresolved-refs Can't resolve \$ref: Expected a file but received a FIFO at \S+pipe\./,
    );
    expect(existsSync(join(temp.root, "fifo-out"))).toBe(false);
    expect((await caught(() => loadSpec(pipe))).format()).toMatch(
      /pipe cannot read spec: Expected a file but received a FIFO at \S+pipe\.$/,
    );
  }, 20_000);
});

describe("a % or ~ in a file's name", () => {
  const part = (property: string) => `type: object\nproperties:\n  ${property}: { type: integer }\n`;
  /** A spec whose request body and responses 200, 201, … are `refs`, in that order; then generates it. */
  const generate = async (name: string, refs: string[], components = "") => {
    const [body, ...responses] = refs.map((ref) => `{ $ref: "${ref}" }`);
    const spec = `openapi: 3.1.0
info: { title: T, version: "1" }
paths:
  /a:
    post:
      operationId: postA
      requestBody: { content: { application/json: { schema: ${body} } } }
      responses:
${responses.map((schema, i) => `        "${200 + i}": { description: ok, content: { application/json: { schema: ${schema} } } }`).join("\n")}
${components}`;
    const out = join(temp.root, `${name}-out`);
    await runPipeline({ spec: write(`${name}.yaml`, spec), out, lint: "off", check: false });
    return readFileSync(join(out, "schema.d.ts"), "utf8");
  };
  /** The component each body is typed by: request first, then responses in order. */
  const targets = (types: string) =>
    [...types.matchAll(/"application\/json": components\["schemas"\]\["([^"]+)"\];/g)].map((m) => m[1]);

  it("each file's component is the one its ref points at, however its name reads as a URI (a%20b, a b, a%2520b, 100%, a~1b)", async () => {
    // Redocly's bundler pointed at `a%20b.yaml` as `#/components/schemas/a%20b`, which a JSON pointer reads as "a b":
    // the other file's component, or nothing; a bare % made openapi-typescript throw URIError
    writeFiles(temp.root, {
      "a%20b.yaml": part("percent"),
      "a b.yaml": part("space"),
      "a%2520b.yaml": part("twice"),
      "100%.yaml": part("bare"),
      "a~1b.yaml": part("tilde"),
    });
    const files = ["a%20b", "a b", "a%2520b", "100%", "a~1b"];
    const types = await generate(
      "percent",
      files.map((file) => `./${file}.yaml`),
    );
    expect(targets(types)).toEqual(files);
    for (const [file, property] of [
      ["a%20b", "percent"],
      ["a b", "space"],
      ["a%2520b", "twice"],
      ["100%", "bare"],
      ["a~1b", "tilde"],
    ])
      expect(types).toMatch(new RegExp(`"${file.replace(/[%~]/g, "\\$&")}": \\{\\s+${property}\\?: number;`));
  }, 20_000);

  it("a ref the author wrote keeps its URI reading beside a file's component of the same spelling", async () => {
    writeFiles(temp.root, { "a%20b.yaml": part("file") });
    const types = await generate(
      "authored",
      ["#/components/schemas/a%20b", "./a%20b.yaml", "#/components/schemas/100%"],
      "components:\n  schemas:\n    a b: { type: object, properties: { own: { type: string } } }\n    100%: { type: object, properties: { pct: { type: string } } }\n",
    );
    // `%20` in the author's pointer is a space; a bare % is read as written
    expect(targets(types)).toEqual(["a b", "a%20b", "100%"]);
  }, 20_000);

  it("a ref to a file the root's own components entry also refs is the bundler's, and points at that entry", async () => {
    // the bundler reuses the root's `a%20b` entry for the direct ref, and wrote its name unescaped: "a b"
    writeFiles(temp.root, { "a%20b.yaml": part("file") });
    const types = await generate(
      "reused",
      ["./a%20b.yaml", "#/components/schemas/a b"],
      'components:\n  schemas:\n    a%20b: { $ref: "./a%20b.yaml" }\n    a b: { type: object, properties: { own: { type: string } } }\n',
    );
    expect(targets(types)).toEqual(["a%20b", "a b"]);
    expect(types).toMatch(/"a%20b": \{\s+file\?: number;/);
  }, 20_000);
});
