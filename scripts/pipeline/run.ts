// The pipeline: load → lint → bundle → model → types ‖ (emit → format, in a worker thread) → write, in one process.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { relative, resolve, dirname, join, sep, posix, isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleSpec, type OpenAPIDocument } from "./bundle.js";
import { PipelineError, usageError } from "./errors.js";
import { assertLintClean, lintSpec, type LintMode, type LintReport } from "./lint.js";
import { displayPath, loadSpec } from "./load.js";
import { buildModel, type ApiModel } from "./model/index.js";
import { parseNameOverrides, readNameOverrides } from "./name-overrides.js";
import type { Rendered, RenderRequest, Typed, TypesRequest } from "./render-worker.js";
import { toolchainFault, workerTask } from "./workers.js";
import type { StageCache } from "./stage-cache.js";
import {
  assertOwnedByGenerator,
  assertUsableOutDir,
  planWrite,
  removeCreatedFolders,
  writeOutput,
  type WritePlan,
} from "./write.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DEFAULT_SPEC = "openapi/flora.yaml";
export const DEFAULT_OUT = "generated";
/** The `detail` that `onStage` gets, with 0 ms, for a stage the cache skipped because its inputs did not change. */
export const SKIPPED = "skipped: inputs unchanged";

export interface PipelineOptions {
  spec: string;
  out: string;
  lint: LintMode;
  /** Compare only; write nothing. */
  check: boolean;
  /** Replace files in `out` that lack the generated header (hand-written ones); otherwise the run stops before writing. */
  force?: boolean;
  /** Import specifier of the runtime in generated code; default: the repo's src/runtime, relative to `out`. */
  runtimeImport?: string;
  /** Called after each stage with its name and duration. */
  onStage?: (stage: string, ms: number, detail?: string) => void;
  /**
   * Each stage's last output, kept by a long-lived caller (the watcher) across runs: a stage whose inputs did not
   * change is skipped, reported to `onStage` with 0 ms and the detail SKIPPED. Write always runs.
   */
  cache?: StageCache;
}

export interface PipelineResult {
  plan: WritePlan;
  files: Map<string, string>;
  operations: number;
  /** What the emitters read, for callers that want to reach a generated method by name. */
  model: ApiModel;
  /** The bundled document the model was read from. */
  document: OpenAPIDocument;
  /** The lint report's lines (warnings under minimal/off), formatted on first read (see LintReport.lines). */
  readonly lintLines: string[];
  /** How many lines lintLines holds, without formatting them. */
  lintCount: number;
  /** How many of those lines each rule produced. */
  lintByRule: Map<string, number>;
  /** Every file or URL the spec loaded: the root and each $ref'd file (what a watcher must follow). */
  sources: string[];
}

/**
 * Folders of this repository that hold its own code, the spec, build output or the package's entry stubs: generating
 * into them would scatter files there. Besides these, every folder package.json's `files` names (entry stubs such as
 * `cli/package.json` ship in the package).
 */
const PROJECT_FOLDERS = [
  "src",
  "scripts",
  "test",
  "openapi",
  "node_modules",
  ".git",
  ".github",
  ".cache",
  ".ci",
  "dist",
  "docs-dist",
  "runtime",
  "testing",
  "cli",
  "mcp",
  "webhooks",
];

function projectFolders(): string[] {
  let files: unknown;
  try {
    files = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { files?: unknown }).files;
  } catch {
    files = undefined;
  }
  const shipped = Array.isArray(files)
    ? files.filter((entry): entry is string => typeof entry === "string").map((entry) => entry.split("/")[0])
    : [];
  return [...new Set([...PROJECT_FOLDERS, ...shipped.filter((name) => name && !name.includes("*"))])];
}

/** Refuses an --out that is this repository's root, one of its own folders, or the spec's folder (exit 2). */
function assertNotProjectFolder(givenOutDir: string, givenSpecFile: string): void {
  // Compared as the file system resolves them: a symbolic link (on --out or a folder above it) into openapi/ is openapi/.
  const outDir = realPathOfNearest(givenOutDir);
  const specFile = realPathOfNearest(givenSpecFile);
  const root = realPathOfNearest(REPO_ROOT);
  const inside = (folder: string) => outDir === folder || outDir.startsWith(folder + sep);
  const own = projectFolders().find((name) => inside(realPathOfNearest(join(REPO_ROOT, name))));
  const what =
    outDir === root
      ? "this repository's root"
      : outDir === dirname(specFile)
        ? "the spec's own folder"
        : own && `inside ${displayPath(join(REPO_ROOT, own))}, this repository's own files`;
  if (what) throw usageError(`--out ${displayPath(givenOutDir)} is ${what}: pick a folder of its own`);
}

/** `path` with its nearest existing ancestor (itself included) replaced by that ancestor's real path. */
function realPathOfNearest(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    return join(realpathSync(existing), relative(existing, path));
  } catch {
    return path;
  }
}

/** Where the spec is named in headers: repo-relative when inside the repo, else its path as given. */
function specLabel(specFile: string): string {
  const rel = relative(REPO_ROOT, specFile);
  return rel.startsWith("..") ? (specFile.split(sep).pop() ?? specFile) : rel.split(sep).join(posix.sep);
}

/**
 * The runtime as the installed package (`flora-sdk/runtime`) when `outDir` is outside this repository,
 * where a relative import into the repo would break as soon as the folder moves; undefined inside it.
 */
export function packageRuntimeImport(outDir: string): string | undefined {
  const rel = relative(REPO_ROOT, outDir);
  if (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return undefined;
  const { name } = JSON.parse(readFileSync(resolve(REPO_ROOT, "package.json"), "utf8")) as { name: string };
  return `${name}/runtime`;
}

function defaultRuntimeImport(outDir: string): string {
  let rel = relative(outDir, resolve(REPO_ROOT, "src/runtime/index.js")).split(sep).join(posix.sep);
  if (!rel.startsWith(".")) rel = `./${rel}`;
  return rel;
}

/** A spec problem passes through; anything else (a library bug, a stack overflow on absurd nesting) becomes one line naming the stage. */
export function asPipelineError(stage: string, error: unknown): PipelineError {
  if (error instanceof PipelineError) return error;
  const lost = toolchainFault(error);
  if (lost) return lost;
  const reason =
    error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  return new PipelineError(`${stage} stage failed: ${reason.split("\n")[0]}`);
}

const renderWorker = workerTask<RenderRequest | TypesRequest, Rendered | Typed>(
  new URL("./render-worker.ts", import.meta.url),
  "emit stage",
);

/**
 * Up to this many operations and schemas, the types stage runs in the render worker, on the TypeScript it loaded for
 * ts-morph, and this thread never loads a compiler (~0.2 s and ~45 MB less); above it, types run here, alongside
 * emit in the worker, where the two overlap. On 2 cores the overlap pays only once emit is large: measured against
 * 150, spotify.yml (187) in the worker used 7% less CPU and 45 MB less peak RSS at the same wall time, box.json
 * (601) 7% less CPU and 0.2–0.4 s less wall; DigitalOcean (869), stripe (1287) and openai (1710) were 0.3–0.5 s
 * slower there.
 */
const TYPES_IN_WORKER_MAX = 700;

/**
 * A full garbage collection, where Node runs with `--expose-gc` (package.json's generate script starts it so); else
 * undefined. Called once per run, before this thread compiles a large API's types: what load, lint and bundle left
 * is garbage by then (after the model, ~35 MB of the heap is live on openai.yaml), and V8 had not collected it, so
 * the types stage's allocations grew the heap instead of reusing it. Paired runs: peak RSS on openai.yaml 371–386 →
 * 325–331 MB, stripe 367–386 → 353–357 MB, at the same wall time (the collection overlaps the worker's emit).
 */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  const stage = async <T>(name: string, work: () => Promise<T> | T, detail?: (value: T) => string): Promise<T> => {
    const started = performance.now();
    let value: T;
    try {
      value = await work();
    } catch (error) {
      throw asPipelineError(name, error);
    }
    options.onStage?.(name, performance.now() - started, detail?.(value));
    return value;
  };
  const outDir = resolve(options.out);
  // A path check first: the usability check creates folders, which must never land in the project's own.
  assertNotProjectFolder(outDir, resolve(options.spec));
  const created = assertUsableOutDir(outDir, { writable: !options.check });
  try {
    return await runStages(options, outDir, stage);
  } catch (error) {
    removeCreatedFolders(created);
    throw error;
  }
}

async function runStages(
  options: PipelineOptions,
  outDir: string,
  stage: <T>(name: string, work: () => Promise<T> | T, detail?: (value: T) => string) => Promise<T>,
): Promise<PipelineResult> {
  renderWorker.start();
  const { cache } = options;
  const skip = (...names: string[]) => names.forEach((name) => options.onStage?.(name, 0, SKIPPED));
  /** A stage through the cache: its last value when `key` is unchanged, else run and kept. */
  const cached = async <T>(
    name: string,
    key: string | undefined,
    work: () => Promise<T> | T,
    detail?: (value: T) => string,
  ) => {
    if (!cache) return stage(name, work, detail);
    const { value, skipped } = await cache.memo(name, key, () => stage(name, work, detail));
    if (skipped) skip(name);
    return value;
  };
  const reused = cache?.reuseFront(options);
  if (reused) skip("load", "lint", "bundle");
  const spec =
    reused?.spec ??
    (await stage(
      "load",
      () => loadSpec(options.spec),
      (s) => `OpenAPI ${s.version}`,
    ));
  let built: { report: LintReport; model: ApiModel; document: OpenAPIDocument; files: Map<string, string> };
  try {
    const report =
      reused?.report ??
      (await stage(
        "lint",
        () => lintSpec(spec, options.lint),
        (r) => `${options.lint}: ${r.errors} error(s), ${r.warnings} warning(s)`,
      ));
    assertLintClean(report, options.lint);
    const document = reused?.document ?? (await stage("bundle", () => bundleSpec(spec)));
    const front = reused ?? (await cache?.keepFront(options, { spec, report, document }));
    const modelInputs = front && cache?.modelInputs(front);
    const names = modelInputs?.nameOverrides;
    const model = await cached(
      "model",
      modelInputs?.key,
      () =>
        buildModel(document, {
          nameOverrides:
            names === null
              ? []
              : names === undefined
                ? readNameOverrides(spec.file)
                : parseNameOverrides(spec.file, names),
        }),
      (m) => `${m.operations.length} operation(s), ${m.schemas.length} schema(s)`,
    );
    const ctx = {
      runtimeImport: options.runtimeImport ?? defaultRuntimeImport(outDir),
      specLabel: specLabel(spec.file),
    };
    // For a small API the worker compiles the types before it emits (the request goes first); for a large one it
    // emits and formats while this thread compiles them. The model was read before openapi-typescript patches
    // discriminator enums into (a normalized copy of) the document.
    const inWorker = model.operations.length + model.schemas.length <= TYPES_IN_WORKER_MAX;
    const typing = cached(
      "types",
      front && cache?.typesKey(front),
      async () =>
        inWorker
          ? ((await renderWorker.run({ document })) as Typed).types
          : await import("./types.js").then(({ generateTypes }) => {
              // The render request is posted by now (this ran after an await): the worker emits meanwhile.
              collectGarbage?.();
              return generateTypes(document);
            }),
      (t) => `${Math.round(t.length / 1024)} kB${inWorker ? ", in the worker thread" : ""}`,
    );
    const render = () => renderWorker.run({ model, ctx, formatMemo: cache?.formatMemo }) as Promise<Rendered>;
    const rendering = (
      cache
        ? cache.memo("emit", cache.emitKey(model, ctx), render)
        : render().then((value) => ({ value, skipped: false }))
    ).then(
      (value) => value,
      (error: unknown) => ({ error }),
    );
    const schema = await typing;
    const outcome = await rendering;
    if ("error" in outcome) throw asPipelineError("emit", outcome.error);
    const rendered = outcome.value;
    if (outcome.skipped) skip("emit", "format");
    else {
      if (cache && rendered.memo) cache.formatMemo = rendered.memo;
      options.onStage?.("emit", rendered.emitMs, `${rendered.files.length} file(s), in a worker thread`);
      options.onStage?.("format", rendered.formatMs, cache ? `${rendered.formatted} changed file(s)` : undefined);
    }
    built = { report, model, document, files: new Map([["schema.d.ts", schema], ...rendered.files]) };
  } catch (error) {
    // Stages after load know JSON pointers, not files: name the spec file.
    const failure =
      error instanceof PipelineError && !error.location?.file
        ? new PipelineError(
            error.message,
            { ...error.location, file: displayPath(spec.file) },
            error.exitCode,
            error.details,
          )
        : error;
    // A watcher must follow the files this run loaded even though it failed: fixing one of them is the next save.
    if (failure instanceof PipelineError) failure.sources = [...spec.resolver.cache.keys()];
    throw failure;
  }
  // After the spec stages: a problem here is the output folder's, so it does not name the spec.
  const { report, model, document, files } = built;
  const plan = await stage(
    options.check ? "check" : "write",
    () => {
      // Again just before writing: the folder (or one above it) may have become a link into the repository meanwhile.
      if (!options.check) assertNotProjectFolder(outDir, spec.file);
      const planned = planWrite(outDir, files);
      if (!options.check && !options.force) assertOwnedByGenerator(outDir, planned);
      if (!options.check) writeOutput(outDir, files, planned);
      return planned;
    },
    (p) =>
      `${p.changed.length} changed, ${p.unchanged.length} unchanged, ` +
      (options.check ? `${p.extra.length} extra` : `${p.stale.length} removed`),
  );
  const sources = [...spec.resolver.cache.keys()];
  return {
    plan,
    files,
    operations: model.operations.length,
    model,
    document,
    get lintLines() {
      return report.lines;
    },
    lintCount: report.count,
    lintByRule: report.byRule,
    sources,
  };
}
