// `npm run bench:size`: what each client costs a browser bundle, bundled by esbuild, minified and gzipped.
// Ours is bundled from src/index.ts: dist/esm is tsc's file-by-file output of the same source at
// the same target, so the numbers match what a bundler makes of the installed package.
import { build, type Metafile } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const GOAL = { minBytes: 12_000, gzipBytes: 4_500 } as const;

export interface SizeCase {
  name: string;
  /** A small consumer module, as an app would write it. */
  source: string;
}

export interface SizeResult {
  name: string;
  /** The entry chunk: what the page loads before any lazily imported code. */
  minBytes: number;
  gzipBytes: number;
  /** Chunks split off at `import()`, loaded only when their feature is first used. */
  lazyBytes: number;
  metafile: Metafile;
}

const body = `{ inputs: [{ id: "prompt", type: "text", value: "a red chair" }], mode: "async" }`;

export const cases: readonly SizeCase[] = [
  {
    name: "flora-sdk (createAndWait + retrieve + errors)",
    source: `
      import { Flora, FloraError, APIError, RateLimitError, IdempotencyError, APITimeoutError, ValidationError } from "flora-sdk";
      const flora = new Flora({ apiKey: "sk_test" });
      export async function run(techniqueId) {
        try {
          const done = await flora.techniques.runs.createAndWait(techniqueId, ${body});
          return await flora.techniques.runs.retrieve(techniqueId, done.run_id);
        } catch (error) {
          if (error instanceof RateLimitError) return "later";
          if (error instanceof IdempotencyError) return error.idempotencyKey;
          if (error instanceof APITimeoutError || error instanceof ValidationError) return error.message;
          if (error instanceof APIError) return error.code;
          if (error instanceof FloraError) return error.name;
          throw error;
        }
      }`,
  },
  {
    name: "openapi-fetch (one POST)",
    source: `
      import createClient from "openapi-fetch";
      const client = createClient({ baseUrl: "https://app.flora.ai/api/v1", headers: { Authorization: "Bearer sk_test" } });
      export const run = (techniqueId) =>
        client.POST("/techniques/{techniqueId}/runs", { params: { path: { techniqueId } }, body: ${body} });`,
  },
  {
    name: "@flora-ai/flora (runs.create)",
    source: `
      import Flora from "@flora-ai/flora";
      const client = new Flora({ apiKey: "sk_test" });
      export const run = (techniqueId) => client.techniques.runs.create(techniqueId, ${body});`,
  },
];

/** Bundles a case with code splitting, as Vite, webpack and Rollup do for `import()`, and measures the chunks. */
export async function measure(sizeCase: SizeCase): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-size-"));
  try {
    const entry = join(dir, "consumer.js");
    writeFileSync(entry, sizeCase.source);
    const result = await build({
      entryPoints: [entry],
      alias: { "flora-sdk": resolve(root, "src/index.ts") },
      nodePaths: [join(root, "node_modules")],
      bundle: true,
      splitting: true,
      outdir: join(dir, "out"),
      minify: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    // What loads at once: the entry chunk and the chunks it imports statically; `import()` targets wait.
    const outputs = result.metafile.outputs;
    const initial = new Set<string>();
    const visit = (path: string) => {
      if (initial.has(path)) return;
      initial.add(path);
      for (const imported of outputs[path].imports) if (imported.kind === "import-statement") visit(imported.path);
    };
    // every import() target is an entry point in the metafile too: start from the consumer's alone
    for (const [path, output] of Object.entries(outputs))
      if (output.entryPoint && resolve(output.entryPoint) === entry) visit(path);
    // metafile paths are relative to the working directory, output file paths absolute
    const loadsAtOnce = new Set([...initial].map((path) => resolve(path)));
    const chunks = result.outputFiles.filter((file) => !file.path.endsWith(".map"));
    const code = Buffer.concat(chunks.filter((file) => loadsAtOnce.has(file.path)).map((file) => file.contents));
    const lazyBytes = chunks
      .filter((file) => !loadsAtOnce.has(file.path))
      .reduce((sum, file) => sum + file.contents.byteLength, 0);
    initialOutputs.set(result.metafile, [...initial]);
    return {
      name: sizeCase.name,
      minBytes: code.byteLength,
      gzipBytes: gzipSync(code, { level: 9 }).byteLength,
      lazyBytes,
      metafile: result.metafile,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

export function formatTable(results: readonly SizeResult[]): string {
  const ours = results[0];
  const rows = results.map((r) => [
    r.name,
    `${r.minBytes} (${kB(r.minBytes)})`,
    `${r.gzipBytes} (${kB(r.gzipBytes)})`,
    `${(r.minBytes / ours.minBytes).toFixed(2)}×`,
    `${(r.gzipBytes / ours.gzipBytes).toFixed(2)}×`,
    r.lazyBytes === 0 ? "–" : kB(r.lazyBytes),
  ]);
  const header = [
    "bundle (esbuild, browser, minified, split at import())",
    "min bytes",
    "gzip bytes",
    "min vs ours",
    "gzip vs ours",
    "lazy chunks",
  ];
  const lines = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
  return lines.join("\n");
}

export function goalVerdict(ours: SizeResult): string {
  const pass = ours.minBytes <= GOAL.minBytes && ours.gzipBytes <= GOAL.gzipBytes;
  return `goal ≤ ${kB(GOAL.minBytes)} min, ≤ ${kB(GOAL.gzipBytes)} gzip: ${pass ? "PASS" : "MISS"} (${kB(ours.minBytes)} min, ${kB(ours.gzipBytes)} gzip)`;
}

/** Which outputs of a measured build load at once (entry plus static imports). */
const initialOutputs = new WeakMap<Metafile, string[]>();

/** The inputs that put the most bytes into what loads at once, largest first. */
export function biggestInputs(metafile: Metafile, count: number): Array<{ path: string; bytes: number }> {
  const paths = initialOutputs.get(metafile) ?? Object.keys(metafile.outputs);
  return paths
    .flatMap((path) => Object.entries(metafile.outputs[path].inputs))
    .map(([path, { bytesInOutput }]) => ({ path: relative(root, resolve(root, path)), bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

async function main(): Promise<void> {
  const results: SizeResult[] = [];
  for (const sizeCase of cases) results.push(await measure(sizeCase));
  console.log(formatTable(results));
  console.log();
  console.log(goalVerdict(results[0]));
  console.log();
  console.log("largest contributors to flora-sdk's bundle (minified bytes):");
  for (const { path, bytes } of biggestInputs(results[0].metafile, 12))
    console.log(`  ${String(bytes).padStart(6)}  ${path}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
