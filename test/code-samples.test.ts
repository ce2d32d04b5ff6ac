// The code samples of the API reference (scripts/docs/code-samples.ts): every operation of openapi/flora.yaml has a
// TypeScript SDK sample and a curl sample; each TypeScript sample compiles, strict with skipLibCheck off, against
// the packed and installed package; each curl sample is accepted by the Flora test server; and the writer serves
// any spec: museum.yaml's and openai.yaml's samples compile against the code generated from them. A spec whose
// examples are shell and curl syntax gets curl samples that bash, run as a script or reading them as an interactive
// shell would a paste, sends to a loopback server as the spec wrote them, reading no local file and running nothing.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
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
  FRESH_KEY_COMMAND,
  IDEMPOTENCY_COMMENT,
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

  it("takes its values from the spec's examples: the technique slug, the run id, the seed's request body", () => {
    const create = reference.model.operations.find((op) => op.id === "createTechniqueRun") as OperationModel;
    // Compared as one line without trailing commas, whatever the line width.
    const flat = (source = "") =>
      source
        .replace(/\s+/g, " ")
        .replace(/,\s*([}\])])/g, " $1")
        .replace(/\s+/g, " ");
    const ts = flat(byLabel(samplesOf(reference.document, create), SAMPLE_LABELS.typeScript)?.source);
    expect(ts).toContain(
      'flora.techniques.runs.create( "art-directors-critique", { inputs: [{ id: "id", type: "text", value: "value" }], mode: "async" } )',
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

describe("Flora's reference samples pasted twice, or walked", () => {
  const idempotencyExample = "3f1c2b9e-8a47-4d0e-9c55-0b6f2a7d1e93";

  it("leave the idempotency key to the SDK (TypeScript) and make a fresh one per run (curl): never the spec's example key", () => {
    const create = reference.model.operations.find((op) => op.id === "createTechniqueRun") as OperationModel;
    expect(create.idempotency).toBeDefined();
    // The spec's example key is still there to be (wrongly) copied.
    expect(JSON.stringify(reference.document)).toContain(idempotencyExample);
    for (const op of reference.model.operations) {
      for (const sample of samplesOf(reference.document, op)) {
        expect(sample.source, `${op.id} ${sample.label}`).not.toContain(idempotencyExample);
        // No idempotencyKey option in code, no idempotency_key in a body (the header's twin).
        const code = sample.source.replace(/^\s*\/\/.*$/gm, "");
        expect(code, `${op.id} ${sample.label}`).not.toMatch(/idempotency_?key\b/i);
        if (sample.lang === "TypeScript" && op.idempotency)
          expect(sample.source, `${op.id} ${sample.label}`).toContain(IDEMPOTENCY_COMMENT);
      }
    }
    expect(byLabel(samplesOf(reference.document, create), SAMPLE_LABELS.curl)?.source).toContain(
      `-H "Idempotency-Key: ${FRESH_KEY_COMMAND}"`,
    );
  });

  it("list the technique catalogue from its first page, by limit only, and walk it with for await", () => {
    const list = reference.model.operations.find((op) => op.id === "listTechniques") as OperationModel;
    expect(list.pagination?.limitParam).toBe("limit");
    const samples = samplesOf(reference.document, list);
    // The spec's cursor (an offset of 20), search word and workspace id stay out: a pasted sample would get an empty page.
    for (const sample of samples) expect(sample.source).not.toMatch(/cursor|eyJvZmZzZXQiOjIwfQ|logo|ws_abc123/);
    const ts = byLabel(samples, SAMPLE_LABELS.typeScript)?.source.replace(/\s+/g, " ");
    expect(ts).toContain("for await (const technique of flora.techniques.list({ query: { limit: 20 }, })) {");
    expect(byLabel(samples, SAMPLE_LABELS.curl)?.source).toBe(
      'curl "https://app.flora.ai/api/v1/techniques?limit=20" \\\n  -H "Authorization: Bearer $FLORA_API_KEY"',
    );
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
    const runCurl = async (op: OperationModel) => {
      const curl = byLabel(samplesOf(reference.document, op), SAMPLE_LABELS.curl) as CodeSample;
      const script = `${curl.source.split(base).join(server.url)} -sS -w '\\n%{http_code}'`;
      const { stdout } = await execFileAsync("bash", ["-c", script], {
        env: { ...process.env, FLORA_API_KEY: server.apiKey },
      });
      const lines = stdout.trimEnd().split("\n");
      const status = Number(lines.pop());
      return { status, body: JSON.parse(lines.join("\n")) as Json };
    };
    let succeeded = 0;
    for (const op of reference.model.operations) {
      const { status, body } = await runCurl(op);
      if (status >= 200 && status < 300) {
        succeeded++;
        // Every property the operation's success schema requires (a run's `run_id`, a page's `techniques`, …).
        const required = Object.keys(op.responseShape?.required ?? {});
        expect(required.length, op.id).toBeGreaterThan(0);
        for (const property of required) expect(body, op.id).toHaveProperty(property);
        // A list's sample asks for the first page, unfiltered: it has items.
        if (op.pagination) {
          const items = op.pagination.items.reduce<unknown>((value, key) => (value as Json)[key], body);
          expect(items, op.id).toEqual(expect.arrayContaining([expect.anything()]));
        }
        // Pasted again, a sample that starts something starts it again: not a replay of the first, not a conflict.
        if (op.idempotency) {
          const again = await runCurl(op);
          expect(again.status, op.id).toBe(status);
          expect(JSON.stringify(again.body), op.id).not.toBe(JSON.stringify(body));
        }
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
    expect(posts.length).toBeGreaterThan(1);
    const keys = posts.map((post) => post.headers["idempotency-key"]);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(keys).size).toBe(keys.length);
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
      // A list that pages: walked with for await, from its first page (no `page` literal).
      expect(op.pagination?.param).toBe("page");
      expect(ts.source).toContain(
        `for await (const museumHour of client${op.resourcePath.map(member).join("")}${member(op.methodName)}(`,
      );
      expect(ts.source).not.toMatch(/\bpage\b/);
      expect(result.model.client.envPrefix).toBe("REDOCLY_MUSEUM");
      expect(curl.source).toMatch(
        /^curl "https:\/\/redocly\.com\/_mock\/docs\/openapi\/museum-api\/museum-hours\?limit=15"/,
      );
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
                required: true,
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
        '--form-string "name=name"',
        '-F "photo=@./file.bin"',
      ].join(" \\\n  "),
    );
    expect(await curl("deleteAnimal")).toBe(
      'curl -X DELETE "https://eu.zoo.example/v1/animals/5" \\\n  -H "Authorization: Bearer $ZOO_ACCESS_TOKEN"',
    );
  });
});

describe("the samples of a list that pages and of an operation with an idempotency key", () => {
  const { document, model } = inlineModel({
    servers: [{ url: "https://zoo.example" }],
    paths: {
      "/pets": {
        get: {
          operationId: "listPets",
          parameters: [
            { name: "owner", in: "query", required: true, schema: { type: "string" }, example: "ann" },
            { name: "page_size", in: "query", schema: { type: "integer", default: 50 } },
            { name: "page_token", in: "query", schema: { type: "string" }, example: "b2Zmc2V0OjIw" },
            { name: "species", in: "query", schema: { type: "string" }, example: "cat" },
          ],
          responses: {
            "200": {
              description: "A page",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    required: ["pets"],
                    properties: {
                      pets: { type: "array", items: { type: "object" } },
                      next_page_token: { type: ["string", "null"] },
                    },
                  },
                },
              },
            },
          },
        },
        post: {
          operationId: "createPet",
          parameters: [{ name: "Idempotency-Key", in: "header", schema: { type: "string" }, example: "fixed-key-123" }],
          requestBody: {
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  properties: { name: { type: "string" }, idempotency_key: { type: "string" } },
                },
                example: { name: "Rex", idempotency_key: "fixed-key-123" },
              },
            },
          },
          responses: { "201": { description: "created" } },
        },
      },
    },
  });
  const samples = async (id: string) =>
    operationSamples(document, model, model.operations.find((op) => op.id === id) as OperationModel);

  it("walk a list with for await from its first page: required parameters and the page size, no cursor or filter examples", async () => {
    const op = model.operations.find((o) => o.id === "listPets") as OperationModel;
    expect(op.pagination).toMatchObject({ param: "page_token", limitParam: "page_size" });
    const [ts, curl] = await samples("listPets");
    expect(ts.source.replace(/\s+/g, " ")).toContain(
      'for await (const pet of client.pets.list({ query: { owner: "ann", page_size: 50 }, })) { console.log(pet); }',
    );
    expect(curl.source).toBe('curl "https://zoo.example/pets?owner=ann&page_size=50"');
  });

  it("leave the key to the SDK and to a command run per paste, and drop the body's fixed idempotency_key", async () => {
    const [ts, curl] = await samples("createPet");
    expect(ts.source).toContain(IDEMPOTENCY_COMMENT);
    expect(ts.source.replace(/\s+/g, " ")).toContain('await client.pets.create({ name: "Rex" });');
    expect(curl.source).toBe(
      [
        'curl -X POST "https://zoo.example/pets"',
        `-H "Idempotency-Key: ${FRESH_KEY_COMMAND}"`,
        '-H "Content-Type: application/json"',
        `--data-raw '{\n    "name": "Rex"\n  }'`,
      ].join(" \\\n  "),
    );
  });
});

describe("the curl sample's server", () => {
  it("is an http(s) URL: one of another scheme (file:, gopher:) is replaced by https://api.example.com", async () => {
    for (const url of ["file:///home/me/.ssh", "gopher://127.0.0.1:6379/_FLUSHALL"]) {
      const { document, model } = inlineModel({
        servers: [{ url }],
        paths: { "/x": { get: { operationId: "getX", responses: { "204": { description: "none" } } } } },
      });
      const [, curl] = await operationSamples(document, model, model.operations[0]);
      expect(curl.source).toBe('curl "https://api.example.com/x"');
    }
  });
});

// ---- Hostile examples: the sample is run, by a script and pasted into an interactive shell --------------------

/** One request as the loopback server read it: the raw target, the raw headers, the body's bytes. */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe("a curl sample of a spec with hostile examples", () => {
  // Each payload would create a `pwned-…` file in the working folder, read a secret file there, or send several
  // requests, if a shell or curl read anything in the spec's text.
  const SECRET = "TOP-SECRET";
  const PLACEHOLDER = "the placeholder file";
  const values = {
    header: "!#; >pwned-history; #",
    bang: `a!!b !$ !-1 "$(>pwned-h1)" \`>pwned-h2\` \\ ' ;>pwned-h3`,
    folded: "one\ntwo: >pwned-h4",
    path: `a'b"$(>pwned-path)!!`,
    queryName: "q'$(>pwned-qn)",
    query: "!!$(>pwned-q)`>pwned-q2`",
    cookie: 'x"$(>pwned-cookie)!!; y=1',
    plain: "@secret.txt",
    note: "<secret.txt",
    typed: "text;type=text/html;headers=@secret.txt",
    control: "a\u0015b\u007f!c'd\\e\u2028f\u001b[2J",
    formKey: "a@secret.txt&c=!",
    formValue: "x'y!$(>pwned-form)",
    token: "tok!$(>pwned-env)'",
    serverPath: "v1!!'$(>pwned-server)",
  };
  const json = { "a'b": "it's $(>pwned-body) `>pwned-body2` '; >pwned-body3; '", "!!": '\u2028\u007f\\"' };
  let server: http.Server;
  let received: Received[] = [];
  let dir = "";
  let document: OpenAPIDocument;
  let model: ApiModel;

  beforeAll(async () => {
    server = http.createServer({ insecureHTTPParser: true }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const { method = "", url = "", headers } = request;
        received.push({ method, url, headers, body: Buffer.concat(chunks) });
        response.end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    dir = mkdtempSync(join(tmpdir(), "hostile-samples-"));
    writeFileSync(join(dir, "secret.txt"), SECRET);
    writeFileSync(join(dir, "file.bin"), PLACEHOLDER);
    ({ document, model } = inlineModel({
      info: { title: "Hostile API", version: "1" },
      servers: [{ url: `http://127.0.0.1:${port}/{v}`, variables: { v: { default: values.serverPath } } }],
      security: [{ QueryKey: [], HeaderKey: [] }],
      components: {
        securitySchemes: {
          QueryKey: { type: "apiKey", in: "query", name: "key!$(>pwned-kn)" },
          HeaderKey: { type: "apiKey", in: "header", name: "X-Key" },
        },
      },
      paths: {
        "/things/{id}": {
          post: {
            operationId: "createThing",
            "x-idempotency": { header: "Idem!Key" },
            parameters: [
              { name: "id", in: "path", required: true, schema: { type: "string" }, example: values.path },
              { name: values.queryName, in: "query", schema: { type: "string" }, example: values.query },
              { name: "X-Trace", in: "header", schema: { type: "string" }, example: values.header },
              { name: "X-Bang", in: "header", schema: { type: "string" }, example: values.bang },
              { name: "X-Folded", in: "header", schema: { type: "string" }, example: values.folded },
              { name: "c", in: "cookie", schema: { type: "string" }, example: values.cookie },
            ],
            requestBody: { content: { "application/json": { schema: { type: "object" }, example: json } } },
            responses: { "200": { description: "ok" } },
          },
        },
        "/plain": {
          post: {
            operationId: "sendPlain",
            requestBody: { content: { "text/plain": { schema: { type: "string" }, example: values.plain } } },
            responses: { "200": { description: "ok" } },
          },
        },
        "/upload": {
          post: {
            operationId: "upload",
            requestBody: {
              content: {
                "multipart/form-data": {
                  schema: {
                    type: "object",
                    properties: {
                      note: { type: "string" },
                      typed: { type: "string" },
                      control: { type: "string" },
                      "../secret.txt": { type: "string", format: "binary" },
                      "secret.txt": { type: "string", format: "binary" },
                    },
                  },
                  example: {
                    note: values.note,
                    typed: values.typed,
                    control: values.control,
                    "../secret.txt": "x",
                    "secret.txt": "x",
                  },
                },
              },
            },
            responses: { "200": { description: "ok" } },
          },
        },
        "/form": {
          post: {
            operationId: "sendForm",
            requestBody: {
              content: {
                "application/x-www-form-urlencoded": {
                  schema: { type: "object" },
                  example: { [values.formKey]: "", b: values.formValue },
                },
              },
            },
            responses: { "200": { description: "ok" } },
          },
        },
        "/files/[1-3]/{name}": {
          get: {
            operationId: "getFiles",
            parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" }, example: "n" }],
            responses: { "200": { description: "ok" } },
          },
        },
      },
    }));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs an operation's curl sample in `dir` by bash, as a script or read line by line by an interactive shell. */
  async function run(id: string, interactive: boolean): Promise<Received> {
    const op = model.operations.find((o) => o.id === id) as OperationModel;
    const curl = byLabel(await operationSamples(document, model, op), SAMPLE_LABELS.curl) as CodeSample;
    for (const file of readdirSync(dir)) if (file.startsWith("pwned")) rmSync(join(dir, file));
    writeFileSync(join(dir, "sample.sh"), `${curl.source} -sS -o /dev/null\n`);
    received = [];
    const env = {
      ...process.env,
      HOME: dir,
      HISTFILE: "/dev/null",
      HOSTILE_API_KEY: values.token,
      HOSTILE_HEADER_KEY: "hk",
    };
    await (interactive
      ? execFileAsync("bash", ["-c", "exec bash --norc -i < sample.sh"], { cwd: dir, env })
      : execFileAsync("bash", ["sample.sh"], { cwd: dir, env }));
    const files = readdirSync(dir).sort();
    expect(files, `${id}:\n${curl.source}`).toEqual(["file.bin", "sample.sh", "secret.txt"]);
    expect(received.length, `${id}:\n${curl.source}`).toBe(1);
    for (const request of received) expect(request.body.toString("latin1")).not.toContain(SECRET);
    return received[0];
  }

  for (const interactive of [false, true]) {
    describe(interactive ? "read by an interactive bash (history expansion on)" : "run by bash as a script", () => {
      it("sends the path, query, header, cookie and JSON body values as the spec writes them, and runs nothing", async () => {
        const request = await run("createThing", interactive);
        const url = new URL(request.url, "http://x");
        expect(decodeURIComponent(url.pathname)).toBe(`/${values.serverPath}/things/${values.path}`);
        expect([...url.searchParams]).toEqual([
          [values.queryName, values.query],
          ["key!$(>pwned-kn)", values.token],
        ]);
        expect(request.headers["x-trace"]).toBe(values.header);
        expect(request.headers["x-bang"]).toBe(values.bang);
        // A line break cannot be in a header: it is sent as the space HTTP's line folding makes of it, not as a new header.
        expect(request.headers["x-folded"]).toBe("one two: >pwned-h4");
        expect(request.headers).not.toHaveProperty("two");
        expect(request.headers["x-key"]).toBe("hk");
        // The one command a sample runs: ours, making a fresh key, after a header name a shell would read.
        expect(request.headers["idem!key"]).toMatch(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        expect(request.headers.cookie).toBe(`c=${encodeURIComponent(values.cookie)}`);
        expect(JSON.parse(request.body.toString("utf8"))).toEqual(json);
      });

      it("posts a text body starting with @ as text, not the file it names", async () => {
        const request = await run("sendPlain", interactive);
        expect(request.body.toString("utf8")).toBe(values.plain);
      });

      it("sends multipart string fields as text (no <file, @file or ;type=) and file fields from a fixed placeholder file", async () => {
        const request = await run("upload", interactive);
        const form = await new Response(new Uint8Array(request.body), {
          headers: { "content-type": String(request.headers["content-type"]) },
        }).formData();
        expect(form.get("note")).toBe(values.note);
        expect(form.get("typed")).toBe(values.typed);
        expect(form.get("control")).toBe(values.control);
        for (const name of ["../secret.txt", "secret.txt"]) {
          const file = form.get(name) as File;
          expect(await file.text()).toBe(PLACEHOLDER);
          expect(file.name).toBe("file.bin");
        }
      });

      it("encodes form keys, which curl sends as written, so that a key with @, & or = stays one key and reads no file", async () => {
        const request = await run("sendForm", interactive);
        expect([...new URLSearchParams(request.body.toString("utf8"))]).toEqual([
          [values.formKey, ""],
          ["b", values.formValue],
        ]);
      });

      it("sends a path with [] as one request to that path, not a range of them", async () => {
        const request = await run("getFiles", interactive);
        expect(decodeURIComponent(request.url)).toBe(
          `/${values.serverPath}/files/[1-3]/n?key!$(>pwned-kn)=${values.token}`,
        );
      });
    });
  }
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
