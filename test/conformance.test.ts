// Conformance on real public specs (../shared/specs, read in place, never copied): generate with --lint minimal,
// compile everything under tsc --strict plus the stricter common flags (skipLibCheck off, so errors inside schema.d.ts
// count) with the runtime in one program, and call one wrapper per spec against a loopback server.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OperationModel } from "../scripts/pipeline/model/index.js";
import { REPO_ROOT, type PipelineResult } from "../scripts/pipeline/run.js";
import type { OperationInvoker } from "../src/runtime/index.js";
import { shapeProblem } from "../src/runtime/check.js";
import {
  exampleOf,
  follow,
  generate,
  importGenerated,
  loopbackRuntime,
  SHARED_SPECS,
  SHARED_SPECS_MISSING,
  startServer,
  tempPackage,
  typeCheckStrictest,
} from "./pipeline-harness.js";

type Json = Record<string, unknown>;
type Method = (...args: unknown[]) => Promise<unknown>;

function corpus(): string[] {
  if (SHARED_SPECS_MISSING) return [];
  const oai = join(SHARED_SPECS, "oai");
  return [
    "simple-example.yaml",
    "museum.yaml",
    "openai.yaml",
    "digitalocean/DigitalOcean-public.v2.yaml",
    "stripe-2023-09-12.yaml",
    "box.json",
    "spotify.yml",
    // OpenAPI 3.2.0: this fails until the loader accepts 3.2, and must pass once it does.
    "flora-published/technique-runs.yml",
    ...(existsSync(oai)
      ? readdirSync(oai)
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => `oai/${f}`)
      : []),
  ].filter((spec) => existsSync(join(SHARED_SPECS, spec)));
}

const SPECS = corpus();
const folderOf = (spec: string) => spec.replace(/[^A-Za-z0-9.-]+/g, "_");
let root: string;
const results = new Map<string, PipelineResult | Error>();

if (SHARED_SPECS_MISSING) console.warn(`conformance: ${SHARED_SPECS_MISSING}`);

beforeAll(async () => {
  if (SPECS.length === 0) return;
  root = tempPackage("conformance");
  for (const spec of SPECS) {
    results.set(
      spec,
      await generate(join(SHARED_SPECS, spec), join(root, folderOf(spec)), "minimal").catch((error: Error) => error),
    );
  }
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** The operation a test can call with nothing but the spec: a JSON success response with an example, GET first. */
function pickOperation(result: PipelineResult): { op: OperationModel; status: number; example: unknown } | undefined {
  const document = result.document as Json;
  const candidates = result.model.operations
    .filter((op) => op.response === "json" && op.successResponses.some((r) => r.mediaType))
    .sort((a, b) => Number(b.method === "get") - Number(a.method === "get"));
  for (const op of candidates) {
    const success = op.successResponses.find((r) => r.mediaType) as { status: string; mediaType: string };
    const responses = follow(document, ((document.paths as Json)[op.path] as Json)[op.method]) as Json;
    const response = follow(document, (responses.responses as Json)[success.status]) as Json;
    const example = exampleOf(document, (response.content as Json)[success.mediaType]);
    // Some specs' examples contradict their own schema (Spotify's album lacks its required `artists`): the
    // runtime rightly rejects those, so the call is made with an operation whose example fits.
    const fits = !op.responseShape || !shapeProblem(JSON.parse(JSON.stringify(example ?? null)), op.responseShape);
    if (example !== undefined && example !== null && fits)
      return { op, status: /^\d{3}$/.test(success.status) ? Number(success.status) : 200, example };
  }
  return undefined;
}

/** Arguments in the wrapper's order: path values, the body, then query/header parameters. */
function argumentsFor(result: PipelineResult, op: OperationModel): unknown[] {
  const document = result.document as Json;
  const args: unknown[] = op.pathParams.map((p, i) => `v${i}-${p.name}`);
  // An optional body is left out, as a caller would: Stripe declares empty form bodies on GETs, which fetch refuses to send.
  if (op.requestBody?.required) {
    const operation = follow(document, ((document.paths as Json)[op.path] as Json)[op.method]) as Json;
    const body = follow(document, operation.requestBody) as Json;
    args.push(exampleOf(document, (body.content as Json)[op.requestBody.contentType]) ?? {});
  } else if (op.requestBody) args.push(undefined);
  const required = (list: OperationModel["queryParams"]) =>
    Object.fromEntries(list.filter((p) => p.required).map((p) => [p.name, "x"]));
  if (op.queryParams.length || op.headerParams.length)
    args.push({ query: required(op.queryParams), header: required(op.headerParams) });
  return args;
}

describe.skipIf(Boolean(SHARED_SPECS_MISSING))("conformance on ../shared/specs", () => {
  it.each(SPECS)("%s: generate --lint minimal succeeds", (spec) => {
    const result = results.get(spec);
    if (result instanceof Error) throw result;
    expect(result?.files.get("resources.ts")).toContain("export function createResources");
  });

  // A spec that did not generate fails its own test above; the others still compile here, in one program. The
  // generated folder is compiled as source in the user's project, so it must pass the flags strict projects add.
  it("every output compiles under tsc --strict and the stricter common flags (exactOptionalPropertyTypes, noPropertyAccessFromIndexSignature, noUnusedLocals, …), skipLibCheck off, together with the runtime (one program)", async () => {
    const folders = SPECS.filter((spec) => !(results.get(spec) instanceof Error)).map(folderOf);
    expect(folders.length).toBeGreaterThan(0);
    expect(await typeCheckStrictest(root, folders)).toBe("");
  }, 300_000);

  it("every output imports the runtime through one specifier (and the command line's and MCP server's entries beside it)", () => {
    for (const spec of SPECS) {
      const result = results.get(spec);
      if (result instanceof Error || result === undefined) continue;
      const specifiers = new Set(
        [...result.files.values()]
          .flatMap((text) => [...text.matchAll(/from "([^"]+)"/g)].map((m) => m[1]))
          .filter((s) => !s.startsWith("./")),
      );
      const beside = (entry: string) => relative(join(root, folderOf(spec)), join(REPO_ROOT, "src", entry));
      expect([...specifiers].sort()).toEqual(
        [beside("runtime/index.js"), beside("cli/index.js"), beside("mcp/index.js")].sort(),
      );
    }
  });

  it.each(SPECS)("%s: one generated wrapper answers from the spec's own example over loopback", async (spec) => {
    const result = results.get(spec);
    if (result instanceof Error || result === undefined) throw result ?? new Error(`${spec} was not generated`);
    const { createResources } = await importGenerated<{ createResources(invoker: OperationInvoker): Json }>(
      join(root, folderOf(spec)),
    );
    const picked = pickOperation(result);
    if (!picked) {
      // Only specs without a callable JSON operation get here (the webhooks-only example): the factory still works.
      expect(result.model.operations.filter((op) => op.response === "json")).toEqual([]);
      expect(typeof createResources(loopbackRuntime("http://127.0.0.1:9"))).toBe("object");
      return;
    }
    const { op, status, example } = picked;
    const server = await startServer((_seen, res) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(example));
    });
    try {
      const resources = createResources(loopbackRuntime(`${server.origin}/base`));
      const resource = op.resourcePath.reduce<Json>((node, name) => node[name] as Json, resources);
      const value = await (resource[op.methodName] as Method)(...argumentsFor(result, op));
      expect(value).toEqual(JSON.parse(JSON.stringify(example)));
      const expectedPath = op.pathParams.reduce(
        (path, p, i) => path.replace(`{${p.name}}`, encodeURIComponent(`v${i}-${p.name}`)),
        op.path,
      );
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0].method).toBe(op.method.toUpperCase());
      expect(server.requests[0].url.split("?")[0]).toBe(`/base${expectedPath}`);
    } finally {
      await server.close();
    }
  });
});
