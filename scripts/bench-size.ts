// `npm run bench:size`: what each client costs a browser bundle, bundled by esbuild, minified and gzipped.
// Ours is bundled from src/index.ts: dist/esm is tsc's file-by-file output of the same source at
// the same target, so the numbers match what a bundler makes of the installed package.
import { build, type Metafile } from "esbuild";
import { dirname, relative, resolve } from "node:path";
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
  minBytes: number;
  gzipBytes: number;
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

export async function measure(sizeCase: SizeCase): Promise<SizeResult> {
  const result = await build({
    stdin: { contents: sizeCase.source, resolveDir: root, sourcefile: "consumer.js", loader: "js" },
    alias: { "flora-sdk": resolve(root, "src/index.ts") },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  return {
    name: sizeCase.name,
    minBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    metafile: result.metafile,
  };
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
  ]);
  const header = ["bundle (esbuild, browser, minified)", "min bytes", "gzip bytes", "min vs ours", "gzip vs ours"];
  const lines = [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`);
  return lines.join("\n");
}

export function goalVerdict(ours: SizeResult): string {
  const pass = ours.minBytes <= GOAL.minBytes && ours.gzipBytes <= GOAL.gzipBytes;
  return `goal ≤ ${kB(GOAL.minBytes)} min, ≤ ${kB(GOAL.gzipBytes)} gzip: ${pass ? "PASS" : "MISS"} (${kB(ours.minBytes)} min, ${kB(ours.gzipBytes)} gzip)`;
}

/** The inputs that put the most bytes into the bundle, largest first. */
export function biggestInputs(metafile: Metafile, count: number): Array<{ path: string; bytes: number }> {
  const output = Object.values(metafile.outputs)[0];
  return Object.entries(output.inputs)
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
