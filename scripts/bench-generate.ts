// `npm run bench:generate`: wall time and peak memory of the full pipeline beside openapi-typescript's CLI alone and
// @hey-api/openapi-ts on the same specs, in the same run (median of several runs); then ×1/×2/×4 of a synthetic spec.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { parse } from "yaml";
import { REPO_ROOT } from "./pipeline/run.js";

const SPECS_DIR = resolve(REPO_ROOT, "../shared/specs");
const TIME = "/usr/bin/time";
const BIN = {
  openapiTypescript: resolve(REPO_ROOT, "node_modules/openapi-typescript/bin/cli.js"),
  heyApi: resolve(REPO_ROOT, "node_modules/@hey-api/openapi-ts/bin/run.js"),
};

interface Run {
  ms: number;
  /** Peak resident set size in MB, when /usr/bin/time is there to report it. */
  rssMb?: number;
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs a command as a child process; wall time measured here, peak RSS by GNU time's %M. */
async function measure(command: string, args: string[], cwd: string): Promise<Run> {
  const withTime = existsSync(TIME);
  const started = performance.now();
  let stdout = "";
  let stderr = "";
  let ok = true;
  try {
    ({ stdout, stderr } = await promisify(execFile)(
      withTime ? TIME : command,
      withTime ? ["-f", "@@rss %M", command, ...args] : args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off", NO_COLOR: "1" },
      },
    ));
  } catch (error) {
    ok = false;
    ({ stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string });
  }
  const ms = performance.now() - started;
  const rss = /@@rss (\d+)/.exec(stderr);
  return { ms, rssMb: rss ? Number(rss[1]) / 1024 : undefined, ok, stdout, stderr: stderr.replace(/@@rss \d+\n?/, "") };
}

/**
 * The pipeline as `npm run generate` starts it: the Node arguments of package.json's generate script (today the
 * precompiled toolchain, `node scripts/toolchain.mjs scripts/generate.ts`), run by this Node without npm.
 */
function pipelineCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync(resolve(REPO_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = scripts.generate.replace(/^exec\s+/, "").split(/\s+/);
  if (words[0] !== "node")
    throw new Error(`package.json's generate script does not start with node: ${scripts.generate}`);
  return words.slice(1).map((word) => (word.startsWith("scripts/") ? resolve(REPO_ROOT, word) : word));
}
const PIPELINE = pipelineCommand();
// Operations in museum.yaml, the synthetic spec's unit.
const MUSEUM_OPERATIONS = 8;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

interface Summary {
  ms: number;
  rssMb?: number;
  ok: boolean;
  /** Median time of each pipeline stage, from the CLI's own stage lines. */
  stages?: Map<string, number>;
  /** Median of the CLI's own total (`done … in N ms`): the pipeline without process start-up. */
  pipelineMs?: number;
  failure?: string;
}

function summarize(runs: Run[]): Summary {
  const good = runs.filter((r) => r.ok);
  if (good.length === 0)
    return {
      ms: NaN,
      ok: false,
      failure: (runs[0].stderr || runs[0].stdout).trim().split("\n").slice(-1)[0]?.slice(0, 160),
    };
  const rss = good.map((r) => r.rssMb).filter((v): v is number => v !== undefined);
  const done = good.flatMap((r) => [...(/^done .* in (\d+) ms$/m.exec(r.stdout)?.slice(1) ?? [])].map(Number));
  const stages = new Map<string, number[]>();
  for (const run of good) {
    for (const [, stage, ms] of run.stdout.matchAll(/^(load|lint|bundle|types|model|emit|format|write)\s+(\d+) ms/gm))
      stages.set(stage, [...(stages.get(stage) ?? []), Number(ms)]);
  }
  return {
    ms: median(good.map((r) => r.ms)),
    rssMb: rss.length ? median(rss) : undefined,
    ok: true,
    stages: stages.size ? new Map([...stages].map(([stage, values]) => [stage, median(values)])) : undefined,
    pipelineMs: done.length ? median(done) : undefined,
  };
}

interface Target {
  label: string;
  spec: string;
  lint: "project" | "minimal";
}

async function benchSpec(
  target: Target,
  runs: number,
  scratch: string,
): Promise<{ ours: Summary; openapiTypescript: Summary; heyApi: Summary }> {
  const collect = { ours: [] as Run[], openapiTypescript: [] as Run[], heyApi: [] as Run[] };
  // Interleaved, so a burst of load on the shared machine hits every tool alike.
  for (let i = 0; i < runs; i++) {
    const out = join(scratch, `run-${i}`);
    collect.ours.push(
      await measure(
        process.execPath,
        [...PIPELINE, "--spec", target.spec, "--out", join(out, "ours"), "--lint", target.lint],
        REPO_ROOT,
      ),
    );
    // The peers run from the scratch folder so they do not pick up this repo's redocly.yaml.
    collect.openapiTypescript.push(
      await measure(
        process.execPath,
        [BIN.openapiTypescript, target.spec, "-o", join(out, "openapi-typescript.d.ts")],
        scratch,
      ),
    );
    collect.heyApi.push(
      await measure(process.execPath, [BIN.heyApi, "-i", target.spec, "-o", join(out, "hey-api")], scratch),
    );
    rmSync(out, { recursive: true, force: true });
  }
  return {
    ours: summarize(collect.ours),
    openapiTypescript: summarize(collect.openapiTypescript),
    heyApi: summarize(collect.heyApi),
  };
}

/** `copies` copies of museum's paths under /copyN prefixes, operationIds suffixed: the same work repeated. */
function syntheticSpec(copies: number): string {
  const base = parse(readFileSync(join(SPECS_DIR, "museum.yaml"), "utf8")) as Record<string, unknown> & {
    paths: Record<string, Record<string, unknown>>;
  };
  const paths: Record<string, unknown> = {};
  for (let n = 1; n <= copies; n++) {
    for (const [path, item] of Object.entries(base.paths)) {
      const copy = structuredClone(item) as Record<string, Record<string, unknown>>;
      for (const operation of Object.values(copy))
        if (operation && typeof operation.operationId === "string")
          operation.operationId = `${operation.operationId}${n}`;
      paths[`/copy${n}${path}`] = copy;
    }
  }
  return JSON.stringify({ ...base, paths });
}

/** Folders of ../shared/specs that hold one spec split over many files, by the root file to generate from. */
const MULTI_FILE_SPECS: Record<string, { root: string; label: string }> = {
  digitalocean: { root: "DigitalOcean-public.v2.yaml", label: "DigitalOcean" },
};

/**
 * Every spec in ../shared/specs, under Redocly's minimal ruleset: each file at the top and in each folder, except a
 * multi-file spec, which counts once by its root. The goal specs come first.
 */
function sharedSpecs(): Target[] {
  if (!existsSync(SPECS_DIR)) return [];
  const isSpec = (name: string) => /\.(ya?ml|json)$/.test(name);
  const found: Target[] = [];
  for (const entry of readdirSync(SPECS_DIR, { withFileTypes: true })) {
    const multi = MULTI_FILE_SPECS[entry.name];
    if (entry.isFile() && isSpec(entry.name))
      found.push({ label: entry.name, spec: join(SPECS_DIR, entry.name), lint: "minimal" });
    else if (entry.isDirectory() && multi)
      found.push({ label: multi.label, spec: join(SPECS_DIR, entry.name, multi.root), lint: "minimal" });
    else if (entry.isDirectory())
      for (const name of readdirSync(join(SPECS_DIR, entry.name)).filter(isSpec))
        found.push({ label: `${entry.name}/${name}`, spec: join(SPECS_DIR, entry.name, name), lint: "minimal" });
  }
  const first = ["museum.yaml", "openai.yaml", "DigitalOcean", "stripe-2023-09-12.yaml"];
  const rank = (label: string) => (first.includes(label) ? first.indexOf(label) : first.length);
  return found.sort((a, b) => rank(a.label) - rank(b.label) || a.label.localeCompare(b.label));
}

interface Measured {
  target: Target;
  ours: Summary;
  openapiTypescript: Summary;
  heyApi: Summary;
}

/** Issue 14's goals: the full pipeline's time against openapi-typescript's CLI alone, by spec. */
const TIME_LIMITS: Record<string, number> = {
  "openapi/flora.yaml": 1.5,
  "openai.yaml": 1.3,
  DigitalOcean: 1.3,
  "stripe-2023-09-12.yaml": 1.3,
};
const RSS_LIMIT = 1.5;

/**
 * One PASS or MISS line per spec and goal, then one verdict per goal. `available` lists every spec a full run
 * measures: a goal over specs this run left out (`--only`) is a MISS naming them, never a PASS on part of its specs.
 */
function printGoals(results: Measured[], available: string[]): void {
  const measured = new Set(results.map((r) => r.target.label));
  const unmeasured = (labels: string[]) => {
    const left = labels.filter((label) => !measured.has(label));
    return left.length ? `; not measured in this run: ${left.join(", ")}` : "";
  };
  const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
  const times = (a: Summary, b: Summary) => a.ms / b.ms;
  const rss = (a: Summary, b: Summary) => (a.rssMb ?? NaN) / (b.rssMb ?? NaN);
  console.log("\nGoals (full pipeline against each peer, by spec):\n");
  const timeLines = results.filter((r) => TIME_LIMITS[r.target.label] !== undefined);
  const timeOk = timeLines.map((r) => {
    const limit = TIME_LIMITS[r.target.label];
    const ok = r.ours.ok && r.openapiTypescript.ok && times(r.ours, r.openapiTypescript) <= limit;
    console.log(
      `${verdict(ok)}  ${r.target.label}: ${ratio(r.ours, r.openapiTypescript)} openapi-typescript's time (limit ${limit.toFixed(2)}×)`,
    );
    return ok;
  });
  // Where hey-api fails (DigitalOcean's multi-file spec), there is nothing to be faster than.
  const heyLines = results.filter((r) => r.target.label !== "openapi/flora.yaml" && r.heyApi.ok);
  const heyOk = heyLines.map((r) => {
    const ok = r.ours.ok && times(r.ours, r.heyApi) < 1;
    console.log(
      `${verdict(ok)}  ${r.target.label}: ${ratio(r.ours, r.heyApi)} @hey-api/openapi-ts's time (below 1.00×)`,
    );
    return ok;
  });
  const rssLines = results.filter(
    (r) => r.ours.ok && r.openapiTypescript.ok && r.ours.rssMb && r.openapiTypescript.rssMb,
  );
  const rssOk = rssLines.map((r) => {
    const value = rss(r.ours, r.openapiTypescript);
    const ok = value <= RSS_LIMIT;
    console.log(
      `${verdict(ok)}  ${r.target.label}: peak RSS ${value.toFixed(2)}× openapi-typescript's (limit ${RSS_LIMIT.toFixed(2)}×)`,
    );
    return ok;
  });
  const timeMissing = unmeasured(Object.keys(TIME_LIMITS).filter((label) => available.includes(label)));
  const sharedMissing = unmeasured(available.filter((label) => label !== "openapi/flora.yaml"));
  const allMissing = unmeasured(available);
  const skipped = results
    .filter((r) => r.target.label !== "openapi/flora.yaml" && !r.heyApi.ok)
    .map((r) => r.target.label);
  console.log(
    `\ngoal time ≤ 1.3× openapi-typescript (openai, DigitalOcean, stripe), ≤ 1.5× (flora): ${verdict(timeLines.length > 0 && timeOk.every(Boolean) && !timeMissing)} (${timeOk.filter(Boolean).length} of ${timeLines.length} specs${timeMissing})`,
  );
  console.log(
    `goal faster than @hey-api/openapi-ts on every shared spec it runs on: ${verdict(heyLines.length > 0 && heyOk.every(Boolean) && !sharedMissing)} (${heyOk.filter(Boolean).length} of ${heyLines.length} specs${skipped.length ? `; hey-api failed on ${skipped.join(", ")}` : ""}${sharedMissing})`,
  );
  console.log(
    `goal peak RSS ≤ ${RSS_LIMIT}× openapi-typescript's: ${verdict(rssLines.length > 0 && rssOk.every(Boolean) && !allMissing)} (${rssOk.filter(Boolean).length} of ${rssLines.length} specs${allMissing})`,
  );
}

const seconds = (ms: number) => (Number.isNaN(ms) ? "failed" : `${(ms / 1000).toFixed(2)} s`);
const megabytes = (s: Summary) => (s.ok && s.rssMb !== undefined ? `${Math.round(s.rssMb)} MB` : "–");
const ratio = (a: Summary, b: Summary) => (a.ok && b.ok ? `${(a.ms / b.ms).toFixed(2)}×` : "–");

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: "string", default: "3" }, only: { type: "string" } },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error("usage: npm run bench:generate -- [--runs N] [--only PART-OF-A-SPEC-LABEL|synthetic]");
    return 2;
  }
  const candidates: Target[] = [
    { label: "openapi/flora.yaml", spec: resolve(REPO_ROOT, "openapi/flora.yaml"), lint: "project" },
    ...sharedSpecs(),
  ];
  const targets = candidates.filter(
    (t) => existsSync(t.spec) && (!values.only || t.label.toLowerCase().includes(values.only.toLowerCase())),
  );
  if (!existsSync(SPECS_DIR)) console.log(`note: ${SPECS_DIR} is absent; only openapi/flora.yaml is measured`);
  // Built before timing, so that no measured run pays for a rebuild of the precompiled toolchain.
  const toolchain = resolve(REPO_ROOT, "scripts/toolchain.mjs");
  if (existsSync(toolchain)) await promisify(execFile)(process.execPath, [toolchain, "--build"], { cwd: REPO_ROOT });

  const scratch = mkdtempSync(join(tmpdir(), "bench-generate-"));
  try {
    console.log(
      `bench:generate — median of ${runs} run(s) per tool, each a fresh process (wall time includes start-up; the pipeline runs as \`node ${PIPELINE.map((word) => relative(REPO_ROOT, word) || word).join(" ")}\`, as \`npm run generate\` does); peak RSS by ${existsSync(TIME) ? TIME : "(unavailable)"}\n`,
    );
    console.log(
      "| spec | full pipeline | peak RSS | openapi-typescript CLI | peak RSS | @hey-api/openapi-ts | peak RSS | pipeline ÷ openapi-typescript | pipeline ÷ hey-api |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|");
    const stageRows: string[] = [];
    const results: Measured[] = [];
    for (const target of targets) {
      const { ours, openapiTypescript, heyApi } = await benchSpec(target, runs, scratch);
      results.push({ target, ours, openapiTypescript, heyApi });
      console.log(
        `| ${target.label} | ${seconds(ours.ms)} | ${megabytes(ours)} | ${seconds(openapiTypescript.ms)} | ${megabytes(openapiTypescript)} | ${seconds(heyApi.ms)}${heyApi.ok ? "" : ` (${heyApi.failure ?? "error"})`} | ${megabytes(heyApi)} | ${ratio(ours, openapiTypescript)} | ${ratio(ours, heyApi)} |`,
      );
      if (ours.stages)
        stageRows.push(
          `| ${target.label} | ${[...ours.stages].map(([stage, ms]) => `${stage} ${ms}`).join(" · ")} | ${seconds(ours.pipelineMs ?? NaN)} | ${seconds(ours.ms - (ours.pipelineMs ?? NaN))} |`,
        );
      if (!ours.ok) console.log(`  pipeline failed on ${target.label}: ${ours.failure}`);
    }
    console.log(
      "\nPipeline stages (median ms, as the CLI prints them; emit and format run in a worker thread alongside types), the CLI's own total, and the rest of the wall time (process start-up and module loading):\n\n| spec | stages | pipeline | start-up |\n|---|---|---|---|",
    );
    for (const row of stageRows) console.log(row);
    printGoals(
      results,
      candidates.filter((t) => existsSync(t.spec)).map((t) => t.label),
    );

    if (existsSync(join(SPECS_DIR, "museum.yaml")) && (!values.only || values.only === "synthetic")) {
      console.log(
        "\nLinear growth: museum.yaml's paths copied 50×, 100×, 200× (×1, ×2, ×4), full pipeline. Start-up is a fixed cost," +
          " so growth shows in the pipeline's own time (the CLI's `done … in N ms`, after start-up) and in the marginal cost per added operation:\n\n" +
          "| size | operations | wall time | pipeline time | peak RSS | marginal per added operation |\n|---|---|---|---|---|---|",
      );
      let previous: { operations: number; stageMs: number } | undefined;
      for (const factor of [1, 2, 4]) {
        const copies = 50 * factor;
        const spec = join(scratch, `synthetic-x${factor}.json`);
        writeFileSync(spec, syntheticSpec(copies));
        const list: Run[] = [];
        for (let i = 0; i < runs; i++)
          list.push(
            await measure(
              process.execPath,
              [...PIPELINE, "--spec", spec, "--out", join(scratch, `synthetic-out-${factor}`), "--lint", "minimal"],
              REPO_ROOT,
            ),
          );
        const result = summarize(list);
        const operations = copies * MUSEUM_OPERATIONS;
        const stageMs = result.pipelineMs ?? NaN;
        const marginal = previous
          ? `${((stageMs - previous.stageMs) / (operations - previous.operations)).toFixed(2)} ms`
          : "–";
        console.log(
          `| ×${factor} | ${operations} | ${seconds(result.ms)} | ${seconds(stageMs)} | ${megabytes(result)} | ${marginal} |`,
        );
        previous = { operations, stageMs };
      }
    }
    if (!values.only || ["flora", "watch"].includes(values.only)) {
      console.log(
        "\nWatch mode on a temporary copy of openapi/flora.yaml: 20 saves, docs-only and types-changing in turn:\n",
      );
      const { benchWatchRegen, formatWatchRegen } = await import("./bench/watch-regen.js");
      for (const line of formatWatchRegen(await benchWatchRegen())) console.log(line);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
