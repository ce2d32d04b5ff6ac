// `npm run bench:size`: what each client costs a browser bundle, bundled by esbuild, minified and gzipped.
// Ours is bundled from src/index.ts: dist/esm is tsc's file-by-file output of the same source at
// the same target, so the numbers match what a bundler makes of the installed package.
import { spawnSync } from "node:child_process";
import { build, type Metafile } from "esbuild";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The goal for the createAndWait consumer: what loads at once. */
export const GOAL = { minBytes: 12_000, gzipBytes: 4_500 } as const;

/**
 * Our goal for an endpoint that only verifies webhooks. It sends no request, so it must cost well under bare
 * openapi-fetch (6.8 kB / 2.7 kB), the floor of anything that does; what it needs is Web Crypto's HMAC, the
 * `Flora-Signature` parser, a constant-time compare, the JSON parse and messages that say which check failed.
 * A third of the client's 12 kB leaves room for those messages, option checks and secret masking (which the
 * official SDK's 2.5 kB verifier lacks), and none for any part of the client.
 */
export const WEBHOOK_GOAL = { minBytes: 4_000, gzipBytes: 2_000 } as const;

export interface SizeGoal {
  minBytes: number;
  gzipBytes: number;
}

export interface SizeCase {
  name: string;
  /** A small consumer module, as an app would write it; absent when the peer has no such feature. */
  source?: string;
  /**
   * A script that runs the bundled consumer (`./consumer.js` beside it) once on its happy path, against a scripted
   * `fetch`, and prints `ok`: its V8 block coverage says how much of what loads at once that call runs.
   */
  drive?: string;
}

/** One consumer: ours first, then the same job done with each peer. */
export interface SizeGroup {
  /** Short name of the job, used in the goal and contributor lines. */
  job: string;
  ours: SizeCase;
  peers: readonly SizeCase[];
  goal?: SizeGoal;
}

export interface SizeResult {
  name: string;
  /** The entry chunk: what the page loads before any lazily imported code. */
  minBytes: number;
  gzipBytes: number;
  /** Chunks split off at `import()`, loaded only when their feature is first used. */
  lazyBytes: number;
  /** Of `minBytes`, the bytes one happy-path call runs (the case's `drive`), by V8 block coverage. */
  executedBytes?: number;
  metafile: Metafile;
}

/** A peer without the feature: printed as "–". */
export interface AbsentResult {
  name: string;
  absent: true;
}

export interface GroupResult {
  group: SizeGroup;
  ours: SizeResult;
  peers: Array<SizeResult | AbsentResult>;
}

const body = `{ inputs: [{ id: "prompt", type: "text", value: "a red chair" }], mode: "async" }`;

export const groups: readonly SizeGroup[] = [
  {
    job: "createAndWait + retrieve + errors",
    goal: GOAL,
    ours: {
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
      // One successful call: the create answers a pending run, the first poll a completed one, retrieve the same.
      // Delays under 10 s (the poll interval, a retry's backoff) pass at once; timeouts keep theirs.
      drive: `
      const wait = globalThis.setTimeout;
      globalThis.setTimeout = (callback, ms, ...args) => wait(callback, ms < 10_000 ? 0 : ms, ...args);
      const run = { run_id: "run_abc123", status: "pending", progress: 0, created_at: 1700000000000 };
      let calls = 0;
      globalThis.fetch = async () => {
        calls += 1;
        const body = calls === 1 ? run : { ...run, status: "completed", progress: 100, outputs: [] };
        return new Response(JSON.stringify(body), { status: calls === 1 ? 201 : 200, headers: { "content-type": "application/json" } });
      };
      const { run: start } = await import("./consumer.js");
      const done = await start("tech_1");
      if (done?.status !== "completed" || calls !== 3) throw new Error("not the happy path: " + JSON.stringify(done) + ", " + calls + " requests");
      console.log("ok");`,
    },
    peers: [
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
    ],
  },
  {
    job: "webhook endpoint",
    goal: WEBHOOK_GOAL,
    // An app's callback endpoint, as the README's "Polling or callbacks" shows: verify, read the event, answer.
    ours: {
      name: "flora-sdk/webhooks (unwrap a delivery)",
      source: `
      import { unwrap, WebhookVerificationError } from "flora-sdk/webhooks";
      export async function onDelivery(rawBody, headers, secret) {
        try {
          const event = await unwrap(rawBody, headers, secret);
          return event.type === "run.completed" ? { status: 200, runId: event.data.run_id } : { status: 200 };
        } catch (error) {
          return { status: error instanceof WebhookVerificationError ? 400 : 500 };
        }
      }`,
    },
    peers: [
      { name: "openapi-fetch (has no webhook verification)" },
      {
        // The official SDK's verifier on its own; through "@flora-ai/flora" it brings the whole client.
        name: "@flora-ai/flora/lib/webhooks (Webhooks.unwrap)",
        source: `
      import { Webhooks, WebhookVerificationError } from "@flora-ai/flora/lib/webhooks";
      const webhooks = new Webhooks();
      export async function onDelivery(rawBody, headers, secret) {
        try {
          const event = await webhooks.unwrap(rawBody, headers, secret);
          return event.type === "run.completed" ? { status: 200, runId: event.data.run_id } : { status: 200 };
        } catch (error) {
          return { status: error instanceof WebhookVerificationError ? 400 : 500 };
        }
      }`,
      },
    ],
  },
  {
    job: "every feature",
    ours: {
      name: "flora-sdk (every feature)",
      source: `
      import { Flora, FloraError, APIError, RateLimitError, IdempotencyError, APIConnectionError, APITimeoutError,
        APIUserAbortError, MalformedResponseError, ValidationError, StreamParseError, WebhookVerificationError } from "flora-sdk";
      const flora = new Flora({ apiKey: "sk_test" });
      export async function run(techniqueId) {
        try {
          const ids = [];
          for await (const technique of flora.techniques.list({ query: { limit: 50 } })) ids.push(technique.technique_id);
          const technique = await flora.techniques.retrieve(techniqueId);
          const started = await flora.techniques.runs.create(techniqueId, ${body});
          const waited = await flora.techniques.runs.wait(started, { intervalMs: 2_000 });
          const done = await flora.techniques.runs.createAndWait(techniqueId, ${body}, { checkInputs: true });
          const snapshots = [];
          for await (const snapshot of flora.techniques.runs.stream(techniqueId, { inputs: [{ id: "prompt", type: "text", value: "a red chair" }] }))
            snapshots.push(snapshot.status);
          const run = await flora.techniques.runs.retrieve(techniqueId, done.run_id);
          return { ids, name: technique.name, waited: waited.status, snapshots, outputs: run.outputs };
        } catch (error) {
          if (error instanceof RateLimitError) return "later";
          if (error instanceof IdempotencyError) return error.idempotencyKey;
          if (error instanceof APITimeoutError || error instanceof APIUserAbortError) return "timeout";
          if (error instanceof APIConnectionError || error instanceof MalformedResponseError) return "network";
          if (error instanceof ValidationError || error instanceof StreamParseError) return error.message;
          if (error instanceof APIError) return error.code;
          if (error instanceof FloraError) return error.runId;
          throw error;
        }
      }
      export async function onDelivery(rawBody, headers, secret) {
        try {
          const event = await flora.webhooks.unwrap(rawBody, headers, secret);
          return { status: 200, runId: event.data.run_id };
        } catch (error) {
          return { status: error instanceof WebhookVerificationError ? 400 : 500 };
        }
      }`,
    },
    peers: [
      {
        // The same four operations by hand: no paging, polling, streaming, input checks or webhooks.
        name: "openapi-fetch (the four operations, by hand)",
        source: `
      import createClient from "openapi-fetch";
      const client = createClient({ baseUrl: "https://app.flora.ai/api/v1", headers: { Authorization: "Bearer sk_test" } });
      export async function run(techniqueId) {
        const list = await client.GET("/techniques", { params: { query: { limit: 50 } } });
        const technique = await client.GET("/techniques/{techniqueId}", { params: { path: { techniqueId } } });
        const started = await client.POST("/techniques/{techniqueId}/runs", { params: { path: { techniqueId } }, body: ${body} });
        const runId = started.data?.run_id;
        const run = await client.GET("/techniques/{techniqueId}/runs/{runId}", { params: { path: { techniqueId, runId } } });
        return { list: list.data, technique: technique.data, run: run.data, error: run.error };
      }`,
      },
      {
        // What the official SDK has of the same: no createAndWait, wait, stream or input checks.
        name: "@flora-ai/flora (every feature it has)",
        source: `
      import Flora, { FLORAError, APIError, RateLimitError, APIConnectionError, APIConnectionTimeoutError,
        APIUserAbortError, WebhookVerificationError } from "@flora-ai/flora";
      const client = new Flora({ apiKey: "sk_test" });
      export async function run(techniqueId) {
        try {
          const ids = [];
          for await (const technique of client.techniques.list({ limit: 50 })) ids.push(technique.technique_id);
          const technique = await client.techniques.retrieve(techniqueId);
          const started = await client.techniques.runs.create(techniqueId, ${body});
          const run = await client.techniques.runs.retrieve(started.run_id, { techniqueId });
          return { ids, name: technique.name, outputs: run.outputs };
        } catch (error) {
          if (error instanceof RateLimitError) return "later";
          if (error instanceof APIConnectionTimeoutError || error instanceof APIUserAbortError) return "timeout";
          if (error instanceof APIConnectionError) return "network";
          if (error instanceof APIError) return error.status;
          if (error instanceof FLORAError) return error.message;
          throw error;
        }
      }
      export async function onDelivery(rawBody, headers, secret) {
        try {
          const event = await client.webhooks.unwrap(rawBody, headers, secret);
          return { status: 200, runId: event.data.run_id };
        } catch (error) {
          return { status: error instanceof WebhookVerificationError ? 400 : 500 };
        }
      }`,
      },
    ],
  },
];

/** Every case, ours and the peers', in the order of the table. */
export const cases: readonly SizeCase[] = groups.flatMap((group) => [group.ours, ...group.peers]);

/** Bundles a case with code splitting, as Vite, webpack and Rollup do for `import()`, and measures the chunks. */
export async function measure(sizeCase: SizeCase): Promise<SizeResult> {
  if (sizeCase.source === undefined) throw new Error(`${sizeCase.name} has no consumer to bundle`);
  // the real path: esbuild names entry points by it, so a linked temp folder (macOS's) would match none
  const dir = mkdtempSync(join(realpathSync(tmpdir()), "bench-size-"));
  try {
    const entry = join(dir, "consumer.js");
    writeFileSync(entry, sizeCase.source);
    const result = await build({
      entryPoints: [entry],
      // the package's entries, as its "exports" map them
      alias: { "flora-sdk/webhooks": resolve(root, "src/webhooks.ts"), "flora-sdk": resolve(root, "src/index.ts") },
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
    if (code.byteLength === 0) throw new Error(`${sizeCase.name}: no output chunk is the consumer's entry`);
    const lazyBytes = chunks
      .filter((file) => !loadsAtOnce.has(file.path))
      .reduce((sum, file) => sum + file.contents.byteLength, 0);
    initialOutputs.set(result.metafile, [...initial]);
    return {
      name: sizeCase.name,
      minBytes: code.byteLength,
      gzipBytes: gzipSync(code, { level: 9 }).byteLength,
      lazyBytes,
      executedBytes:
        sizeCase.drive === undefined
          ? undefined
          : executedBytes(sizeCase.drive, chunks, loadsAtOnce, join(dir, "out"), join(dir, "coverage")),
      metafile: result.metafile,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes the chunks, runs `drive` beside them in a fresh Node with V8 block coverage on, and returns how many bytes of
 * the chunks in `loadsAtOnce` ran: each function's and block's range says whether it ran, a nested range overriding
 * the one around it.
 */
function executedBytes(
  drive: string,
  chunks: ReadonlyArray<{ path: string; contents: Uint8Array }>,
  loadsAtOnce: ReadonlySet<string>,
  outDir: string,
  coverageDir: string,
): number {
  mkdirSync(outDir, { recursive: true });
  for (const chunk of chunks) writeFileSync(chunk.path, chunk.contents);
  const driver = join(outDir, "drive.mjs");
  writeFileSync(driver, drive);
  const ran = spawnSync(process.execPath, [driver], {
    encoding: "utf8",
    env: { ...process.env, NODE_V8_COVERAGE: coverageDir, NODE_OPTIONS: "" },
    timeout: 60_000,
  });
  if (ran.status !== 0 || ran.stdout.trim() !== "ok") {
    const how = ran.error ? ran.error.message : ran.signal ? `killed by ${ran.signal}` : `exit ${ran.status}`;
    throw new Error(`the happy-path driver failed (${how}): ${ran.stderr.trim() || ran.stdout.trim()}`);
  }
  let executed = 0;
  const counted = new Set<string>();
  for (const file of readdirSync(coverageDir)) {
    const { result } = JSON.parse(readFileSync(join(coverageDir, file), "utf8")) as {
      result: Array<{
        url: string;
        functions: Array<{ ranges: Array<{ startOffset: number; endOffset: number; count: number }> }>;
      }>;
    };
    for (const script of result) {
      const path = script.url.startsWith("file:") ? fileURLToPath(script.url) : script.url;
      if (!loadsAtOnce.has(path) || counted.has(path)) continue;
      counted.add(path);
      const length = readFileSync(path).byteLength;
      // offsets count UTF-16 units; esbuild's output is ASCII (it escapes the rest), so they are bytes too
      const runs = new Uint8Array(length);
      const ranges = script.functions.flatMap((fn) => fn.ranges);
      ranges.sort((a, b) => b.endOffset - b.startOffset - (a.endOffset - a.startOffset));
      for (const range of ranges) runs.fill(range.count > 0 ? 1 : 0, range.startOffset, range.endOffset);
      executed += runs.reduce((sum, bit) => sum + bit, 0);
    }
  }
  if (counted.size !== loadsAtOnce.size)
    throw new Error(
      `the happy-path driver's coverage holds ${counted.size} of the ${loadsAtOnce.size} chunks that load at once`,
    );
  return executed;
}

/** Measures one consumer: ours and each peer that has the feature. */
export async function measureGroup(group: SizeGroup): Promise<GroupResult> {
  const ours = await measure(group.ours);
  const peers: Array<SizeResult | AbsentResult> = [];
  for (const peer of group.peers)
    peers.push(peer.source === undefined ? { name: peer.name, absent: true } : await measure(peer));
  return { group, ours, peers };
}

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
/** Two decimals, so a size just over a goal never prints as the goal itself. */
const exact = (bytes: number): string => `${(bytes / 1000).toFixed(2)} kB`;

/** One row per case; ratios are against ours of the same consumer. */
export function formatTable(results: readonly GroupResult[]): string {
  const rows = results.flatMap(({ ours, peers }) =>
    [ours, ...peers].map((r) =>
      "absent" in r
        ? [r.name, "–", "–", "–", "–", "–"]
        : [
            r.name,
            `${r.minBytes} (${kB(r.minBytes)})`,
            `${r.gzipBytes} (${kB(r.gzipBytes)})`,
            `${(r.minBytes / ours.minBytes).toFixed(2)}×`,
            `${(r.gzipBytes / ours.gzipBytes).toFixed(2)}×`,
            r.lazyBytes === 0 ? "–" : kB(r.lazyBytes),
          ],
    ),
  );
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

/** `goal (<job>) ≤ … min, ≤ … gzip: PASS|MISS (…)`, on what loads at once. */
export function goalVerdict(ours: SizeResult, goal: SizeGoal = GOAL, job = groups[0].job): string {
  const pass = ours.minBytes <= goal.minBytes && ours.gzipBytes <= goal.gzipBytes;
  return `goal (${job}) ≤ ${kB(goal.minBytes)} min, ≤ ${kB(goal.gzipBytes)} gzip: ${pass ? "PASS" : "MISS"} (${exact(ours.minBytes)} min, ${exact(ours.gzipBytes)} gzip)`;
}

/**
 * `happy path (<job>): … of the … kB loaded at once run …`: the floor under any split of this code, since a bundle
 * that loads less at once defers code that every successful call needs.
 */
export function happyPathLine(ours: SizeResult, job = groups[0].job): string {
  const executed = ours.executedBytes ?? 0;
  return `happy path (${job}): one successful call runs ${executed} (${exact(executed)}) of the ${ours.minBytes} minified bytes loaded at once (${Math.round((100 * executed) / ours.minBytes)}%); the rest runs only on errors, bad input or other options`;
}

/** Which outputs of a measured build load at once (entry plus static imports). */
const initialOutputs = new WeakMap<Metafile, string[]>();

/** A repo-relative path; a dependency from `node_modules/` on (node_modules may be a link); the consumer by name. */
function displayPath(path: string): string {
  const fromRoot = relative(root, resolve(path));
  const dependency = fromRoot.lastIndexOf("node_modules/");
  if (dependency >= 0) return fromRoot.slice(dependency);
  return fromRoot.startsWith("..") ? basename(path) : fromRoot;
}

/** The inputs that put the most bytes into what loads at once, largest first. */
export function biggestInputs(metafile: Metafile, count: number): Array<{ path: string; bytes: number }> {
  const paths = initialOutputs.get(metafile) ?? Object.keys(metafile.outputs);
  return paths
    .flatMap((path) => Object.entries(metafile.outputs[path].inputs))
    .map(([path, { bytesInOutput }]) => ({ path: displayPath(path), bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

async function main(): Promise<void> {
  const results: GroupResult[] = [];
  for (const group of groups) results.push(await measureGroup(group));
  console.log(formatTable(results));
  console.log();
  for (const { group, ours } of results)
    if (group.goal !== undefined) console.log(goalVerdict(ours, group.goal, group.job));
  for (const { group, ours } of results)
    if (ours.executedBytes !== undefined) console.log(happyPathLine(ours, group.job));
  for (const { group, ours } of results) {
    console.log();
    console.log(`largest contributors to ${ours.name} (minified bytes loaded at once):`);
    for (const { path, bytes } of biggestInputs(ours.metafile, 8))
      console.log(`  ${String(bytes).padStart(6)}  ${path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
