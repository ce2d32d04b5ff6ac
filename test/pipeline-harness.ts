// Shared by the generator's tests: generate into a temp folder, type-check outputs in one tsc program, call them over loopback.
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { runPipeline, REPO_ROOT, type PipelineResult } from "../scripts/pipeline/run.js";
import type { LintMode } from "../scripts/pipeline/lint.js";
import { PipelineError } from "../scripts/pipeline/errors.js";
import { createRuntime } from "../src/runtime/index.js";
import type { OperationInvoker } from "../src/runtime/index.js";
import { STRICT_COMPILER_OPTIONS } from "../scripts/fuzz.js";
import { afterAll, beforeAll, expect } from "vitest";

export const SHARED_SPECS = resolve(REPO_ROOT, "../shared/specs");
export const SHARED_SPECS_MISSING = existsSync(SHARED_SPECS)
  ? undefined
  : `skipped: ${SHARED_SPECS} is absent (the real public specs live outside the repo; see ../shared/specs/README.md)`;

/** A fresh folder under the OS temp dir that is an ESM package, so generated `.ts` files compile as modules. */
export function tempPackage(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module", private: true }));
  return root;
}

/** A temp package for one test file, removed after it, with a writer of inline specs (JSON is YAML) into it. */
export function useTempPackage(prefix: string): { readonly root: string; specFile(name: string, doc: object): string } {
  let root = "";
  beforeAll(() => {
    root = tempPackage(prefix);
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });
  return {
    get root() {
      return root;
    },
    specFile(name, doc) {
      const path = join(root, name);
      writeFileSync(path, JSON.stringify(doc));
      return path;
    },
  };
}

export async function generate(spec: string, out: string, lint: LintMode = "minimal"): Promise<PipelineResult> {
  return runPipeline({ spec, out, lint, check: false });
}

/** Snapshot of a folder: file name → bytes and mtime, to prove a failed run left it untouched. */
export function snapshot(dir: string): Map<string, { text: string; mtimeMs: number }> {
  const out = new Map<string, { text: string; mtimeMs: number }>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) out.set(name, { text: readFileSync(path, "utf8"), mtimeMs: statSync(path).mtimeMs });
    else out.set(`${name}/`, { text: "", mtimeMs: 0 });
  }
  return out;
}

const TSC = resolve(REPO_ROOT, "node_modules/typescript/bin/tsc");

/**
 * The flags projects add on top of `strict` (the strictest common tsconfig). Generated files are compiled as
 * source inside the user's project, so `skipLibCheck` does not cover them: they must compile under each of these.
 */
export const STRICTEST_COMPILER_OPTIONS = {
  exactOptionalPropertyTypes: true,
  noPropertyAccessFromIndexSignature: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  useUnknownInCatchVariables: true,
};

/**
 * Type-checks generated folders (all under `root`, an ESM package) together with the runtime, strict, in one
 * tsc program; `options` adds compiler options. Returns tsc's diagnostics, empty when everything compiles.
 */
export async function typeCheck(root: string, folders: string[], options: object = {}): Promise<string> {
  const config = {
    compilerOptions: { ...STRICT_COMPILER_OPTIONS, ...options },
    // Each folder's index.ts, plus its check.ts of type assertions when a test wrote one.
    files: [
      ...folders.flatMap((f) =>
        ["index.ts", "check.ts"].map((name) => resolve(root, f, name)).filter((path) => existsSync(path)),
      ),
      resolve(REPO_ROOT, "src/runtime/index.ts"),
    ],
  };
  const configDir = mkdtempSync(join(tmpdir(), "tsconfig-"));
  const configPath = join(configDir, "tsconfig.json");
  writeFileSync(configPath, JSON.stringify(config));
  try {
    await promisify(execFile)(process.execPath, [TSC, "-p", configPath], { maxBuffer: 64 * 1024 * 1024 });
    return "";
  } catch (error) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
    return `${stdout ?? ""}${stderr ?? ""}` || message;
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

/**
 * `typeCheck` under STRICTEST_COMPILER_OPTIONS, keeping only the diagnostics outside src/runtime. The runtime's
 * sources are in the program because generated code imports them, but a user's project reaches the runtime as the
 * package's .d.ts, not as source; the sources themselves are held to the repo's tsconfig (`npm run typecheck`).
 */
export async function typeCheckStrictest(root: string, folders: string[]): Promise<string> {
  const output = await typeCheck(root, folders, STRICTEST_COMPILER_OPTIONS);
  const runtime = resolve(REPO_ROOT, "src/runtime") + sep;
  // One diagnostic per unindented line (`file(line,col): error TS…`); its indented lines continue it.
  const diagnostics = output.split(/\n(?=\S)/).filter((text) => text.trim());
  return diagnostics
    .filter((text) => !resolve(text.replace(/\(\d+,\d+\):[\s\S]*$/, "")).startsWith(runtime))
    .join("\n");
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (port 0); `respond` answers each request after its body is read. */
export async function startServer(respond: (seen: SeenRequest, res: ServerResponse) => void): Promise<LoopbackServer> {
  const requests: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
    requests.push(seen);
    respond(seen, res);
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** The repo's runtime pointed at a loopback server, with no retries so a wrong call fails at once. */
export function loopbackRuntime(baseUrl: string, defaultHeaders?: Record<string, string>): OperationInvoker {
  return createRuntime({ baseUrl, maxRetries: 0, timeoutMs: 10_000, defaultHeaders });
}

/** Imports a generated folder's index.ts (vitest transpiles it; `./x.js` resolves to `./x.ts`). */
export async function importGenerated<T = Record<string, unknown>>(dir: string): Promise<T> {
  return (await import(resolve(dir, "index.ts"))) as T;
}

/** Writes text files under `dir`, creating folders as needed. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(resolve(path, ".."), { recursive: true });
    writeFileSync(path, text);
  }
}

type Json = Record<string, unknown>;
const isJson = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Follows local `#/...` refs in a bundled document. */
export function follow(document: Json, node: unknown, depth = 0): unknown {
  if (!isJson(node) || typeof node.$ref !== "string" || depth > 20) return node;
  const target = node.$ref
    .slice(2)
    .split("/")
    .reduce<unknown>(
      (at, key) => (isJson(at) ? at[decodeURIComponent(key).replace(/~1/g, "/").replace(/~0/g, "~")] : undefined),
      document,
    );
  return follow(document, target, depth + 1);
}

/** The example a media type object documents: `example`, the first of `examples`, the schema's, or one built from the schema. */
export function exampleOf(document: Json, media: unknown): unknown {
  const m = follow(document, media);
  if (!isJson(m)) return undefined;
  if (m.example !== undefined) return m.example;
  if (isJson(m.examples)) {
    const first = follow(document, Object.values(m.examples)[0]);
    if (isJson(first) && first.value !== undefined) return first.value;
  }
  return sampleOf(document, m.schema, 0);
}

/** A value of the schema's shape: its example or default, else the smallest value with every required property. */
export function sampleOf(document: Json, raw: unknown, depth: number): unknown {
  const schema = follow(document, raw);
  if (!isJson(schema) || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  for (const key of ["allOf", "oneOf", "anyOf"]) {
    const parts = schema[key];
    if (!Array.isArray(parts) || parts.length === 0) continue;
    if (key !== "allOf") return sampleOf(document, parts[0], depth + 1);
    return Object.assign({}, ...parts.map((part) => sampleOf(document, part, depth + 1)).filter(isJson));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "string") return "string";
  if (type === "integer" || type === "number") return 1;
  if (type === "boolean") return true;
  if (type === "array") return [];
  if (type === "object" || isJson(schema.properties)) {
    const properties = isJson(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
    return Object.fromEntries(
      required
        .filter((name) => name in properties)
        .map((name) => [name, sampleOf(document, properties[name], depth + 1)]),
    );
  }
  return null;
}

/** The PipelineError `work` rejects with (and that it rejects with one). */
export async function caught(work: () => Promise<unknown>): Promise<PipelineError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}
