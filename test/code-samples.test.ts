// The code samples of the API reference (scripts/docs/code-samples.ts): every operation of openapi/flora.yaml has a
// TypeScript SDK sample and a curl sample; each TypeScript sample compiles, strict with skipLibCheck off, against
// the packed and installed package; each curl sample is accepted by the Flora test server; and the writer serves
// any spec: museum.yaml's and openai.yaml's samples compile against the code generated from them.
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { member } from "../scripts/pipeline/emit/common.js";
import type { OpenAPIDocument } from "../scripts/pipeline/bundle.js";
import { buildModel, type ApiModel, type OperationModel } from "../scripts/pipeline/model/index.js";
import { defaultServerUrl } from "../scripts/pipeline/model/servers.js";
import { REPO_ROOT, type PipelineResult } from "../scripts/pipeline/run.js";
import { STRICT_COMPILER_OPTIONS } from "../scripts/fuzz.js";
import {
  addCodeSamples,
  operationSamples,
  SAMPLE_LABELS,
  type CodeSample,
  type TypeScriptClient,
} from "../scripts/docs/code-samples.js";
import { schemaValue } from "../scripts/docs/sample-values.js";
import { buildReferenceSpec, type ReferenceSpec } from "../scripts/docs/reference-spec.js";
import { startFloraTestServer, type FloraTestServer } from "../src/testing/index.js";
import { generate, SHARED_SPECS, SHARED_SPECS_MISSING, tempPackage } from "./pipeline-harness.js";
import {
  installPackedPackage,
  parseDiagnostics,
  tscBin,
  typeCheck,
  type Diagnostic,
  type PackedProject,
} from "./support/packed-package.js";

type Json = Record<string, unknown>;
const execFileAsync = promisify(execFile);

function samplesOf(document: OpenAPIDocument, op: OperationModel): CodeSample[] {
  const item = (document.paths as Record<string, Json>)[op.path];
  return (item[op.method] as Json)["x-codeSamples"] as CodeSample[];
}

const byLabel = (samples: CodeSample[], label: string) => samples.find((sample) => sample.label === label);

// ---- Flora: the reference `npm run docs` renders -----------------------------------------------------------

let reference: ReferenceSpec;
let tsSamples: { op: OperationModel; sample: CodeSample; file: string }[] = [];
let project: PackedProject | undefined;
let diagnostics: Diagnostic[] = [];
let tscOutput = "";
/** A copy of the first sample calling a method the client lacks: tsc must reject it. */
const BROKEN_FILE = "broken-sample.ts";

beforeAll(async () => {
  reference = await buildReferenceSpec();
  tsSamples = reference.model.operations
    .flatMap((op) =>
      samplesOf(reference.document, op)
        .filter((sample) => sample.lang === "TypeScript")
        .map((sample) => ({ op, sample })),
    )
    .map((entry, index) => ({ ...entry, file: `sample-${index + 1}.ts` }));
  project = await installPackedPackage({ type: "module" });
  const dir = project.dir;
  await Promise.all(tsSamples.map(({ sample, file }) => writeFile(join(dir, file), `${sample.source}\n`)));
  const first = tsSamples[0];
  const call = `${member(first.op.methodName)}(`;
  await writeFile(
    join(dir, BROKEN_FILE),
    `${first.sample.source.replace(call, `${member(`${first.op.methodName}Missing`)}(`)}\n`,
  );
  const tsconfig = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      module: "Node16",
      moduleResolution: "Node16",
      types: ["node"],
      noEmit: true,
      skipLibCheck: false,
    },
    files: [...tsSamples.map(({ file }) => file), BROKEN_FILE],
  };
  await writeFile(join(dir, "tsconfig.samples.json"), JSON.stringify(tsconfig, null, 2));
  const result = await typeCheck(dir, "tsconfig.samples.json");
  diagnostics = result.diagnostics;
  tscOutput = result.output;
  if (result.code !== 0 && diagnostics.length === 0) throw new Error(`tsc failed without diagnostics:\n${tscOutput}`);
}, 240_000);

afterAll(async () => {
  await project?.remove();
});

describe("Flora's API reference spec", () => {
  it("gives every operation a TypeScript SDK sample that calls its generated method, and a curl sample", () => {
    expect(reference.model.operations.length).toBeGreaterThan(0);
    for (const op of reference.model.operations) {
      const samples = samplesOf(reference.document, op);
      const call = `flora${op.resourcePath.map(member).join("")}`;
      expect(byLabel(samples, SAMPLE_LABELS.typeScript)?.source, op.id).toContain(`${call}${member(op.methodName)}(`);
      expect(byLabel(samples, SAMPLE_LABELS.typeScript)?.source).toContain('import { Flora } from "flora-sdk";');
      if (op.eventStream) {
        expect(byLabel(samples, SAMPLE_LABELS.typeScriptStream)?.source, op.id).toContain(
          `${call}${member(op.eventStream.methodName)}(`,
        );
      }
      const curl = byLabel(samples, SAMPLE_LABELS.curl);
      expect(curl?.lang).toBe("Shell");
      expect(curl?.source).toContain(`${defaultServerUrl(reference.model.servers[0])}`);
      expect(curl?.source).toContain('-H "Authorization: Bearer $FLORA_API_KEY"');
      if (op.idempotency) expect(curl?.source).toContain(`-H "${op.idempotency.header}: `);
      else expect(curl?.source).not.toMatch(/idempotency-key/i);
    }
    expect(reference.languages.map((language) => language.label)).toEqual([
      SAMPLE_LABELS.typeScript,
      ...(reference.model.operations.some((op) => op.eventStream) ? [SAMPLE_LABELS.typeScriptStream] : []),
      SAMPLE_LABELS.curl,
    ]);
  });

  it("takes its values from the spec's examples: the technique slug, the run id, the seed body, the idempotency key", () => {
    const create = reference.model.operations.find((op) => op.id === "createTechniqueRun") as OperationModel;
    // Compared as one line without trailing commas, whatever the line width.
    const flat = (source = "") =>
      source
        .replace(/\s+/g, " ")
        .replace(/,\s*([}\])])/g, " $1")
        .replace(/\s+/g, " ");
    const ts = flat(byLabel(samplesOf(reference.document, create), SAMPLE_LABELS.typeScript)?.source);
    expect(ts).toContain(
      'flora.techniques.runs.create( "art-directors-critique", { inputs: [{ id: "id", type: "text", value: "value" }], mode: "async" }, { idempotencyKey: "3f1c2b9e-8a47-4d0e-9c55-0b6f2a7d1e93" } )',
    );
    const stream = flat(byLabel(samplesOf(reference.document, create), SAMPLE_LABELS.typeScriptStream)?.source);
    expect(stream).toContain('mode: "stream"');
    const retrieve = reference.model.operations.find((op) => op.id === "retrieveTechniqueRun") as OperationModel;
    expect(byLabel(samplesOf(reference.document, retrieve), SAMPLE_LABELS.curl)?.source).toBe(
      'curl "https://app.flora.ai/api/v1/techniques/art-directors-critique/runs/run_abc123" \\\n' +
        '  -H "Authorization: Bearer $FLORA_API_KEY"',
    );
  });

  it("is a copy: openapi/flora.yaml and the bundled document it came from carry no samples", async () => {
    expect(readFileSync(join(REPO_ROOT, "openapi/flora.yaml"), "utf8")).not.toContain("x-codeSamples");
    const again = await buildReferenceSpec();
    expect(JSON.stringify(again.document)).toBe(JSON.stringify(reference.document));
  });
});

describe("every TypeScript sample of Flora's reference", () => {
  it("has samples to check", () => {
    expect(tsSamples.length).toBeGreaterThanOrEqual(reference.model.operations.length);
  });

  it("compiles under strict, skipLibCheck off, against the packed and installed package", () => {
    for (const { op, sample, file } of tsSamples) {
      const problems = diagnostics
        .filter((d) => d.file === file)
        .map((d) => `${file}:${d.line}: ${d.code} ${d.message}`);
      expect(problems, `${op.id} (${sample.label}):\n${sample.source}\n${tscOutput}`).toEqual([]);
    }
  });

  it("would fail to compile if it called a method the client lacks", () => {
    const problems = diagnostics.filter((d) => d.file === BROKEN_FILE);
    // TS2339 "does not exist", or TS2551 when tsc also suggests a near name.
    expect(problems.map((d) => d.code).join(" ")).toMatch(/TS2339|TS2551/);
    expect(problems.map((d) => d.message).join("\n")).toMatch(/Missing' does not exist/);
  });
});

describe("every curl sample of Flora's reference", () => {
  let server: FloraTestServer;
  beforeAll(async () => {
    server = await startFloraTestServer({ runDurationMs: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("is accepted by the Flora test server: authorized, well formed, and answered as the spec promises (or 404 for an example id it does not know)", async () => {
    const base = defaultServerUrl(reference.model.servers[0]);
    let succeeded = 0;
    for (const op of reference.model.operations) {
      const curl = byLabel(samplesOf(reference.document, op), SAMPLE_LABELS.curl) as CodeSample;
      const script = `${curl.source.split(base).join(server.url)} -sS -w '\\n%{http_code}'`;
      const { stdout } = await execFileAsync("bash", ["-c", script], {
        env: { ...process.env, FLORA_API_KEY: server.apiKey },
      });
      const lines = stdout.trimEnd().split("\n");
      const status = Number(lines.pop());
      const body = JSON.parse(lines.join("\n")) as Json;
      if (status >= 200 && status < 300) {
        succeeded++;
        // Every property the operation's success schema requires (a run's `run_id`, a page's `techniques`, …).
        const required = Object.keys(op.responseShape?.required ?? {});
        expect(required.length, op.id).toBeGreaterThan(0);
        for (const property of required) expect(body, op.id).toHaveProperty(property);
      } else {
        expect({ op: op.id, status, code: (body.error as Json | undefined)?.code }).toEqual({
          op: op.id,
          status: 404,
          code: "not_found",
        });
      }
    }
    expect(succeeded).toBeGreaterThan(0);
    const posts = server.requests().filter((request) => request.method === "POST");
    expect(posts.length).toBeGreaterThan(0);
    for (const post of posts) expect(post.headers["idempotency-key"]).toMatch(/\S/);
  });
});

// ---- Any spec --------------------------------------------------------------------------------------------------

const SPECS = SHARED_SPECS_MISSING ? [] : ["museum.yaml", "openai.yaml"];
if (SHARED_SPECS_MISSING) console.warn(`code samples of shared specs: ${SHARED_SPECS_MISSING}`);

describe("samples of other APIs", () => {
  let root = "";
  const generated = new Map<string, PipelineResult>();
  beforeAll(async () => {
    if (SPECS.length === 0) return;
    root = tempPackage("code-samples");
    for (const spec of SPECS)
      generated.set(spec, await generate(join(SHARED_SPECS, spec), join(root, spec.replace(/\W+/g, "_"))));
  }, 300_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it.runIf(SPECS.length > 0)(
    "compile under strict against the code generated from museum.yaml and openai.yaml, one sample per operation",
    async () => {
      const files: string[] = [];
      for (const [spec, result] of generated) {
        const folder = join(root, spec.replace(/\W+/g, "_"));
        // The generated folder's own client factory, as the README's recipe uses it.
        const client: TypeScriptClient = {
          imports: `import { createClient } from "./index.js";`,
          setup: "const client = createClient();",
          variable: "client",
        };
        const { document, languages } = await addCodeSamples(result.document, result.model, { client });
        expect(languages.map((l) => l.label)).toEqual([SAMPLE_LABELS.typeScript, SAMPLE_LABELS.curl]);
        result.model.operations.forEach((op, index) => {
          const ts = byLabel(samplesOf(document, op), SAMPLE_LABELS.typeScript) as CodeSample;
          expect(ts.source, op.id).toContain(`client${op.resourcePath.map(member).join("")}${member(op.methodName)}(`);
          const file = join(folder, `sample-${index + 1}.ts`);
          writeFileSync(file, `${ts.source}\n`);
          files.push(file);
        });
      }
      const config = join(root, "tsconfig.samples.json");
      writeFileSync(config, JSON.stringify({ compilerOptions: STRICT_COMPILER_OPTIONS, files }));
      const output = await execFileAsync(process.execPath, [tscBin, "-p", config, "--pretty", "false"], {
        maxBuffer: 64 * 1024 * 1024,
      }).then(
        () => "",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      expect(parseDiagnostics(output).slice(0, 20), output.slice(0, 4000)).toEqual([]);
    },
    300_000,
  );

  it.runIf(SPECS.length > 0)(
    "use createClient() from the generated folder and the spec's server, credentials and examples",
    async () => {
      const result = generated.get("museum.yaml") as PipelineResult;
      const op = result.model.operations.find((o) => o.id === "getMuseumHours") as OperationModel;
      const [ts, curl] = await operationSamples(result.document, result.model, op);
      expect(ts.source).toMatch(
        /^import \{ createClient \} from "\.\/generated\/index\.js";\n\nconst client = createClient\(\);\n/,
      );
      expect(ts.source).toContain(`await client${op.resourcePath.map(member).join("")}${member(op.methodName)}(`);
      expect(result.model.client.envPrefix).toBe("REDOCLY_MUSEUM");
      expect(curl.source).toMatch(/^curl "https:\/\/redocly\.com\/_mock\/docs\/openapi\/museum-api\/museum-hours"/);
      expect(curl.source).toContain('-u "$REDOCLY_MUSEUM_USERNAME:$REDOCLY_MUSEUM_PASSWORD"');
    },
  );
});

// ---- One spec per feature, inline -----------------------------------------------------------------------------

function inlineModel(spec: Json): { document: OpenAPIDocument; model: ApiModel } {
  const document = { openapi: "3.1.0", info: { title: "Zoo API", version: "1" }, ...spec } as OpenAPIDocument;
  return { document, model: buildModel(document) };
}

describe("the curl sample", () => {
  it("puts each kind of credential where its scheme says, and styles query parameters", async () => {
    const { document, model } = inlineModel({
      servers: [{ url: "https://{region}.zoo.example/v1", variables: { region: { default: "eu" } } }],
      security: [{ Key: [] }],
      components: {
        securitySchemes: {
          Key: { type: "apiKey", in: "query", name: "api_key" },
          Session: { type: "apiKey", in: "cookie", name: "sid" },
          Login: { type: "http", scheme: "basic" },
          OAuth: { type: "oauth2", flows: {} },
        },
      },
      paths: {
        "/animals": {
          get: {
            operationId: "listAnimals",
            parameters: [
              {
                name: "tags",
                in: "query",
                required: true,
                schema: { type: "array", items: { type: "string" } },
                example: ["a b", "c"],
              },
              {
                name: "filter",
                in: "query",
                style: "deepObject",
                schema: { type: "object" },
                example: { kind: "cat" },
              },
              { name: "page", in: "query", schema: { type: "integer" } },
            ],
            responses: { "200": { description: "ok" } },
          },
          post: {
            operationId: "createAnimal",
            security: [{ Session: [] }, { Login: [] }],
            requestBody: {
              required: true,
              content: {
                "multipart/form-data": {
                  schema: {
                    type: "object",
                    required: ["name", "photo"],
                    properties: { name: { type: "string" }, photo: { type: "string", format: "binary" } },
                  },
                },
              },
            },
            responses: { "201": { description: "created" } },
          },
        },
        "/animals/{animalId}": {
          delete: {
            operationId: "deleteAnimal",
            security: [{ OAuth: [] }],
            parameters: [{ name: "animalId", in: "path", required: true, schema: { type: "integer", minimum: 5 } }],
            responses: { "204": { description: "gone" } },
          },
        },
      },
    });
    const curl = async (id: string) =>
      (await operationSamples(document, model, model.operations.find((op) => op.id === id) as OperationModel)).find(
        (sample) => sample.label === SAMPLE_LABELS.curl,
      )?.source;
    expect(await curl("listAnimals")).toBe(
      'curl "https://eu.zoo.example/v1/animals?tags=a%20b&tags=c&filter%5Bkind%5D=cat&api_key=$ZOO_API_KEY"',
    );
    expect(await curl("createAnimal")).toBe(
      [
        'curl -X POST "https://eu.zoo.example/v1/animals"',
        '-b "sid=$ZOO_SESSION"',
        '-F "name=name"',
        '-F "photo=@photo"',
      ].join(" \\\n  "),
    );
    expect(await curl("deleteAnimal")).toBe(
      'curl -X DELETE "https://eu.zoo.example/v1/animals/5" \\\n  -H "Authorization: Bearer $ZOO_ACCESS_TOKEN"',
    );
  });
});

describe("sample values", () => {
  const document = {
    components: {
      schemas: {
        Node: {
          type: "object",
          required: ["id", "child"],
          properties: { id: { type: "string", readOnly: true }, child: { $ref: "#/components/schemas/Node" } },
        },
        Named: { type: "object", properties: { name: { type: "string" } } },
      },
    },
  };

  it("fills required, writable properties, through allOf and $ref, and ends on a recursive schema", () => {
    const value = schemaValue(document, { $ref: "#/components/schemas/Node" }, "node");
    let depth = 0;
    for (let node = value as Json; node.child; node = node.child as Json) {
      expect(node).not.toHaveProperty("id");
      depth++;
    }
    expect(depth).toBeGreaterThan(2);
    const merged = {
      allOf: [
        { $ref: "#/components/schemas/Named" },
        { required: ["name", "age"], properties: { age: { type: "integer", exclusiveMinimum: 17 } } },
      ],
    };
    expect(schemaValue(document, merged, "pet")).toEqual({ name: "name", age: 18 });
  });

  it("prefers the schema's own example, then const, default and enum, and gives each format a value of its kind", () => {
    expect(schemaValue({}, { type: "string", examples: ["rex"], default: "x" }, "n")).toBe("rex");
    expect(schemaValue({}, { type: "string", enum: [null, "b"] }, "n")).toBe("b");
    expect(schemaValue({}, { type: ["null", "string"], format: "date-time" }, "n")).toBe("2024-01-01T00:00:00Z");
    expect(schemaValue({}, { oneOf: [{ type: "null" }, { type: "number", maximum: 0.5 }] }, "n")).toBe(0.5);
    expect(schemaValue({}, { type: "array", items: { type: "boolean" } }, "n")).toEqual([true]);
  });
});
