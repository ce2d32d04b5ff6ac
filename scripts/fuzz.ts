// `npm run fuzz -- --seed N --count N`: mutate small specs and prove every case either generates compiling
// output or stops with one clear message — never a crash, never a half-written output folder.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { parse } from "yaml";
import { PipelineError } from "./pipeline/errors.js";
import { REPO_ROOT, runPipeline } from "./pipeline/run.js";
import { mulberry32 } from "../src/testing/faults.js";

type Json = Record<string, unknown>;
type Path = (string | number)[];

/** Small specs the mutations start from: the Flora spec and the names/shapes fixtures. */
export function seedSpecs(): string[] {
  const fixtures = ["test/fixtures/shapes", "test/fixtures/names"].flatMap((dir) =>
    readdirSync(resolve(REPO_ROOT, dir))
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .map((f) => `${dir}/${f}`),
  );
  return ["openapi/flora.yaml", ...fixtures];
}

/** How generated output is type-checked: strict, NodeNext, with the DOM and Node types the runtime uses. */
export const STRICT_COMPILER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2022", "DOM", "DOM.Iterable"],
  types: ["node"],
  typeRoots: [resolve(REPO_ROOT, "node_modules/@types")],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  verbatimModuleSyntax: true,
  isolatedModules: true,
};

/** A fixed seed gives the same cases on every machine (the test server's seeded PRNG). */
export const random = mulberry32;

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)];
const isContainer = (v: unknown): v is Json | unknown[] => typeof v === "object" && v !== null;

// Own properties only: assigning `__proto__` would set the prototype instead of adding a key.
function setOwn(target: Json | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function nodesOf(root: unknown): { path: Path; value: unknown }[] {
  const out: { path: Path; value: unknown }[] = [];
  const walk = (value: unknown, path: Path) => {
    out.push({ path, value });
    if (!isContainer(value) || path.length > 40) return;
    for (const [key, child] of Object.entries(value)) walk(child, [...path, Array.isArray(value) ? Number(key) : key]);
  };
  walk(root, []);
  return out;
}

function parentOf(root: Json, path: Path): Json | unknown[] {
  return path.slice(0, -1).reduce<unknown>((node, key) => (node as Json)[key as string], root) as Json | unknown[];
}

const ODD_NAMES = [
  "",
  " ",
  "x-ext",
  "$ref",
  "delete",
  "default",
  "class",
  "__proto__",
  "constructor",
  "a b",
  "1st",
  "@type",
  "display-name",
  "{id}",
  "/",
  "é漢字",
  "a/b~c",
  "*/",
  "\"'`",
  "toString",
];
const OTHER_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  "",
  "text",
  true,
  [],
  {},
  [1, "a"],
  { $ref: "#/components/schemas/Nope" },
  { type: "object" },
];
const BROKEN_REFS = [
  "#/components/schemas/Nope",
  "#/",
  "#",
  "missing.yaml#/X",
  "#/paths",
  "not a ref",
  "#/components/schemas/a~1b",
  "./missing.json",
];

function hugeName(rand: () => number): string {
  const alphabet = "abcXYZ_-. 0123456789$@é";
  const length = pick(rand, [300, 1000, 5000, 20000]);
  let out = "";
  while (out.length < length) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

function deepSchema(rand: () => number): unknown {
  const depth = pick(rand, [20, 100, 400, 2000]);
  const kind = pick(rand, ["properties", "items", "allOf", "additionalProperties"] as const);
  let node: unknown = { type: "string" };
  for (let i = 0; i < depth; i++) {
    if (kind === "properties") node = { type: "object", properties: { n: node } };
    else if (kind === "items") node = { type: "array", items: node };
    else if (kind === "allOf") node = { allOf: [node] };
    else node = { type: "object", additionalProperties: node };
  }
  return node;
}

/** Applies one random mutation in place and names it. */
export function mutate(doc: Json, rand: () => number): string {
  const nodes = nodesOf(doc);
  const objects = nodes.filter(
    (n) => n.value && typeof n.value === "object" && !Array.isArray(n.value) && Object.keys(n.value).length > 0,
  );
  const kind = pick(rand, ["drop-key", "rename-key", "swap-type", "break-ref", "huge-name", "deep-nesting"] as const);
  if (kind === "drop-key" || kind === "rename-key" || kind === "huge-name") {
    const { value, path } = pick(rand, objects);
    const object = value as Json;
    const key = pick(rand, Object.keys(object));
    const moved = object[key];
    delete object[key];
    if (kind === "drop-key") return `drop ${[...path, key].join(".")}`;
    const name = kind === "huge-name" ? hugeName(rand) : pick(rand, ODD_NAMES);
    setOwn(object, name, moved);
    return `${kind} ${[...path, key].join(".")} → ${name.slice(0, 24)}${name.length > 24 ? `…(${name.length})` : ""}`;
  }
  if (kind === "swap-type") {
    const { path, value } = pick(
      rand,
      nodes.filter((n) => n.path.length > 0),
    );
    const replacement = pick(
      rand,
      OTHER_VALUES.filter((v) => typeof v !== typeof value || Array.isArray(v) !== Array.isArray(value)),
    );
    setOwn(parentOf(doc, path), path[path.length - 1], structuredClone(replacement));
    return `swap-type ${path.join(".")} → ${JSON.stringify(replacement)}`;
  }
  if (kind === "break-ref") {
    const refs = nodes.filter((n) => n.path[n.path.length - 1] === "$ref");
    const target = refs.length ? pick(rand, refs).path : [...pick(rand, objects).path, "$ref"];
    const broken = pick(rand, BROKEN_REFS);
    setOwn(target.length === 1 ? doc : parentOf(doc, target), "$ref", broken);
    return `break-ref ${target.join(".")} → ${broken}`;
  }
  const schemas = nodes.filter(
    (n) => (n.path.length >= 3 && n.path[n.path.length - 2] === "schemas") || n.path[n.path.length - 1] === "schema",
  );
  const { path } = schemas.length
    ? pick(rand, schemas)
    : pick(
        rand,
        nodes.filter((n) => n.path.length > 0),
      );
  setOwn(parentOf(doc, path), path[path.length - 1], deepSchema(rand));
  return `deep-nesting ${path.join(".")}`;
}

export interface FuzzCase {
  index: number;
  seedSpec: string;
  mutations: string[];
  outcome: "generated" | "rejected" | "crash" | "half-written" | "unclear-message";
  /** The message for rejected cases, the error for crashes. */
  detail?: string;
  out?: string;
}

export interface FuzzReport {
  seed: number;
  cases: FuzzCase[];
  counts: Record<FuzzCase["outcome"] | "compiled" | "compile-failed" | "distinct-outputs", number>;
  compileErrors: string;
  /** Total time per pipeline stage over all cases. */
  stageMs: Map<string, number>;
}

function snapshot(dir: string): string {
  if (!existsSync(dir)) return "";
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) {
    hash.update(`${name}\0`);
    const path = join(dir, name);
    hash.update(existsSync(path) && !name.startsWith(".") ? readFileSync(path) : Buffer.from("dir"));
  }
  return hash.digest("hex");
}

const TSC = resolve(REPO_ROOT, "node_modules/typescript/bin/tsc");

/** Type-checks many generated folders in a few tsc programs (one per batch), strict, with the runtime. */
async function typeCheckBatches(
  root: string,
  folders: string[],
  batchSize: number,
): Promise<{ failed: Set<string>; errors: string }> {
  const failed = new Set<string>();
  let errors = "";
  for (let i = 0; i < folders.length; i += batchSize) {
    const batch = folders.slice(i, i + batchSize);
    const configPath = join(root, `tsconfig.batch-${i}.json`);
    writeFileSync(
      configPath,
      JSON.stringify({
        compilerOptions: STRICT_COMPILER_OPTIONS,
        files: [...batch.map((f) => join(f, "index.ts")), resolve(REPO_ROOT, "src/runtime/index.ts")],
      }),
    );
    try {
      await promisify(execFile)(process.execPath, [TSC, "-p", configPath], { maxBuffer: 256 * 1024 * 1024 });
    } catch (error) {
      const output = String((error as { stdout?: string }).stdout ?? error);
      errors += output;
      for (const folder of batch) if (output.includes(folder)) failed.add(folder);
    }
  }
  return { failed, errors };
}

/** Runs `count` cases from `seed`, in this process, then type-checks the distinct outputs. */
export async function runFuzz(options: {
  seed: number;
  count: number;
  onCase?: (c: FuzzCase) => void;
  keep?: boolean;
}): Promise<FuzzReport> {
  const rand = random(options.seed);
  const seeds = seedSpecs().map((spec) => ({
    spec,
    doc: parse(readFileSync(resolve(REPO_ROOT, spec), "utf8")) as Json,
  }));
  const root = mkdtempSync(join(tmpdir(), `fuzz-${options.seed}-`));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module", private: true }));
  // Every case's output folder starts as a copy of a good output, so a failed case must leave it byte-for-byte intact.
  const baseline = join(root, "baseline");
  await runPipeline({ spec: resolve(REPO_ROOT, "openapi/flora.yaml"), out: baseline, lint: "minimal", check: false });

  const cases: FuzzCase[] = [];
  const stageMs = new Map<string, number>();
  const outputs = new Map<string, string>();
  try {
    for (let index = 0; index < options.count; index++) {
      const seed = pick(rand, seeds);
      const doc = structuredClone(seed.doc);
      const mutations = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => mutate(doc, rand));
      const dir = join(root, `case-${index}`);
      mkdirSync(dir);
      const specFile = join(dir, "spec.json");
      writeFileSync(specFile, JSON.stringify(doc));
      const out = join(dir, "out");
      cpSync(baseline, out, { recursive: true });
      const before = snapshot(out);
      const entry: FuzzCase = { index, seedSpec: seed.spec, mutations, outcome: "generated" };
      try {
        const result = await runPipeline({
          spec: specFile,
          out,
          lint: pick(rand, ["minimal", "off"] as const),
          check: false,
          onStage: (stage, ms) => stageMs.set(stage, (stageMs.get(stage) ?? 0) + ms),
        });
        const written = readdirSync(out).sort();
        if (written.join() !== [...result.files.keys()].sort().join()) {
          Object.assign(entry, { outcome: "half-written", detail: `out/ holds ${written.join(", ")}` });
        } else {
          const hash = createHash("sha256")
            .update([...result.files].map(([n, t]) => `${n}\0${t.replace(/^\/\/ Generated by .*\n/, "")}`).join("\0"))
            .digest("hex");
          if (!outputs.has(hash)) outputs.set(hash, out);
          entry.out = outputs.get(hash);
        }
      } catch (error) {
        if (!(error instanceof PipelineError)) {
          Object.assign(entry, {
            outcome: "crash",
            detail: error instanceof Error ? (error.stack ?? error.message) : String(error),
          });
        } else {
          const message = error.format();
          const first = message.split("\n")[0];
          const clear = first.includes("spec.json") && !/^\s+at .+:\d+:\d+\)?$/m.test(message);
          const intact = snapshot(out) === before;
          Object.assign(entry, {
            outcome: !intact ? "half-written" : clear ? "rejected" : "unclear-message",
            detail: first.slice(0, 300),
          });
        }
      }
      cases.push(entry);
      options.onCase?.(entry);
    }
    const { failed, errors } = await typeCheckBatches(root, [...outputs.values()], 200);
    const count = (outcome: FuzzCase["outcome"]) => cases.filter((c) => c.outcome === outcome).length;
    const generated = cases.filter((c) => c.outcome === "generated");
    return {
      seed: options.seed,
      cases,
      counts: {
        generated: generated.length,
        rejected: count("rejected"),
        crash: count("crash"),
        "half-written": count("half-written"),
        "unclear-message": count("unclear-message"),
        "distinct-outputs": outputs.size,
        compiled: generated.filter((c) => !failed.has(c.out as string)).length,
        "compile-failed": generated.filter((c) => failed.has(c.out as string)).length,
      },
      compileErrors: errors,
      stageMs,
    };
  } finally {
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: "string", default: "1" },
      count: { type: "string", default: "200" },
      verbose: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 1) {
    console.error("usage: npm run fuzz -- --seed N --count N [--verbose] [--keep]");
    return 2;
  }
  const started = performance.now();
  const report = await runFuzz({
    seed,
    count,
    keep: values.keep,
    onCase: (c) => {
      if (values.verbose || !["generated", "rejected"].includes(c.outcome))
        console.log(
          `#${c.index} ${c.outcome} [${c.seedSpec}] ${c.mutations.join("; ")}${c.detail ? `\n    ${c.detail.split("\n").slice(0, 8).join("\n    ")}` : ""}`,
        );
    },
  });
  const { counts } = report;
  console.log(`fuzz seed ${seed}: ${count} case(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    `  generated ${counts.generated} (${counts["distinct-outputs"]} distinct outputs type-checked: ${counts.compiled} compile, ${counts["compile-failed"]} do not)`,
  );
  console.log(`  rejected with a clear message ${counts.rejected}`);
  console.log(
    `  stage time: ${[...report.stageMs].map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)} s`).join(", ")}`,
  );
  console.log(
    `  crashes ${counts.crash}, half-written outputs ${counts["half-written"]}, unclear messages ${counts["unclear-message"]}`,
  );
  if (counts["compile-failed"]) console.log(report.compileErrors.split("\n").slice(0, 30).join("\n"));
  return counts.crash + counts["half-written"] + counts["unclear-message"] + counts["compile-failed"] === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
