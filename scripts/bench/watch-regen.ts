// Watch-mode latency: `npm run generate -- --watch` (the precompiled toolchain, as users run it) on a temporary copy
// of a spec, timed from each save (the write) to the watcher's per-run line on its stdout. Run alone:
// `tsx scripts/bench/watch-regen.ts`.
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { lintSpec } from "../pipeline/lint.js";
import { loadSpec } from "../pipeline/load.js";
import { nameOverridesPath } from "../pipeline/name-overrides.js";
import { REPO_ROOT } from "../pipeline/run.js";
import type { WatchRun } from "../watch.js";

/** What one kind of save edits: "docs" changes a description only; "types" changes what the generated types say. */
export type SaveKind = "docs" | "types";

export interface SaveTiming {
  kind: SaveKind;
  /** What the save did, e.g. "description", "+ enum value". */
  edit: string;
  /** From the write to the end of the watcher's run, debounce included, in ms. */
  ms: number;
  ran: WatchRun["ran"];
  skipped: string[];
  /** How many output files the run wrote or removed. */
  changedFiles: number;
}

export interface WatchRegenResult {
  saves: SaveTiming[];
  /** Median and 90th percentile (nearest rank) of all saves, in ms. */
  medianMs: number;
  p90Ms: number;
  /** Per edit, in the order first made: its saves' median, the stages most of them skipped, the last one's stages. */
  byEdit: { edit: string; kind: SaveKind; saves: number; medianMs: number; skipped: string[]; ran: WatchRun["ran"] }[];
  /** Extra runs no save accounts for (a save seen twice): 0 when every save made exactly one run. */
  extraRuns: number;
}

export interface WatchRegenOptions {
  /** Spec to copy; default openapi/flora.yaml. */
  spec?: string;
  /** Number of saves (alternately docs-only and types-changing); default 20. */
  saves?: number;
  lint?: "project" | "minimal" | "off";
  /** Pause between one run's end and the next save, in ms (a person does not save every millisecond); default 150. */
  pauseMs?: number;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** Copies the spec, every local file it $refs and its name-override file into `dir`, keeping their relative layout. */
async function copySpec(spec: string, dir: string): Promise<string> {
  const loaded = await loadSpec(spec);
  // Linting resolves every $ref, so the resolver then holds each file the spec loads.
  await lintSpec(loaded, "off");
  const files = [...loaded.resolver.cache.keys()].filter((file) => isAbsolute(file));
  const names = nameOverridesPath(loaded.file);
  const all = [...files, ...(files.includes(names) ? [] : [names])];
  let root = dirname(loaded.file);
  const under = (folder: string) => (folder.endsWith(sep) ? folder : folder + sep);
  while (all.some((file) => !file.startsWith(under(root)))) root = dirname(root);
  for (const file of all) {
    const target = join(dir, relative(root, file));
    mkdirSync(dirname(target), { recursive: true });
    try {
      cpSync(file, target);
    } catch (error) {
      if (file !== names) throw error;
    }
  }
  return join(dir, relative(root, loaded.file));
}

interface Edit {
  kind: SaveKind;
  edit: string;
  apply(text: string, n: number): string;
  /** Text the generated output shows once the save was seen. */
  marker(n: number): string;
}

/**
 * Realistic edits to flora.yaml's run schema; each is applied to the text as the previous save left it. Docs-only saves
 * change a description (only schema.d.ts's comment changes); types saves toggle an enum value and a property.
 */
function floraEdits(original: string): Edit[] {
  const description = "description: Cost charged in USD";
  const enumAt = "            - pending\n            - running\n";
  const propertyAt = "        charged_cost:\n";
  const property =
    "        queue_position:\n          type: integer\n          description: Place in the queue while the run is pending.\n";
  for (const needle of [description, enumAt, propertyAt])
    if (!original.includes(needle))
      throw new Error(`the spec no longer contains ${JSON.stringify(needle)}: update the bench's edits`);
  const docs: Edit = {
    kind: "docs",
    edit: "a description",
    apply: (text, n) => text.replace(/description: Cost charged in USD[^\n]*/, `${description} (save ${n})`),
    marker: (n) => `Cost charged in USD (save ${n})`,
  };
  const toggle = (
    edit: string,
    present: (t: string) => boolean,
    add: (t: string) => string,
    remove: (t: string) => string,
  ): Edit => ({
    kind: "types",
    edit,
    apply: (text) => (present(text) ? remove(text) : add(text)),
    marker: () => "",
  });
  const enumValue = toggle(
    "± an enum value",
    (t) => t.includes("- queued\n"),
    (t) => t.replace(enumAt, "            - pending\n            - queued\n            - running\n"),
    (t) => t.replace("            - queued\n", ""),
  );
  const queuePosition = toggle(
    "± a property",
    (t) => t.includes(property),
    (t) => t.replace(propertyAt, property + propertyAt),
    (t) => t.replace(property, ""),
  );
  return [docs, enumValue, docs, queuePosition];
}

/** A run as the watcher's line reports it: the line counts the changed files (the next lines name them). */
export type ParsedRun = Omit<WatchRun, "changed"> & { changedFiles: number };

/**
 * The watcher's per-run line as a run: `regenerated in 102 ms: 1 file(s) changed (ran load 4 · lint 57 ms; skipped
 * emit, format)`, `regenerated in 80 ms: output unchanged (…)`, or `error: …` for a failed run; undefined otherwise.
 */
export function parseRunLine(line: string): ParsedRun | undefined {
  if (line.startsWith("error: ")) return { ok: false, ms: NaN, ran: [], skipped: [], changedFiles: 0 };
  const match = /^regenerated in (\d+) ms: (?:(\d+) file\(s\) changed|output unchanged)(?: \((.*)\))?$/.exec(line);
  if (!match) return undefined;
  const parts = (match[3] ?? "").split("; ");
  const ranPart = parts
    .find((part) => part.startsWith("ran "))
    ?.slice(4)
    .replace(/ ms$/, "");
  const skippedPart = parts.find((part) => part.startsWith("skipped "))?.slice(8);
  return {
    ok: true,
    ms: Number(match[1]),
    ran: (ranPart ? ranPart.split(" · ") : []).map((entry) => {
      const [stage, ms] = entry.split(" ");
      return [stage, Number(ms)] as [string, number];
    }),
    skipped: skippedPart ? skippedPart.split(", ") : [],
    changedFiles: Number(match[2] ?? 0),
  };
}

/**
 * Starts `npm run generate -- --watch` (the precompiled toolchain) on a temporary copy of the spec, makes `saves` saves alternating docs-only and types-changing
 * edits, and times each from the write to the watcher's line for the run it triggered. Throws when a run fails or
 * its output does not show the save. The copy and its output are removed afterwards.
 */
export async function benchWatchRegen(options: WatchRegenOptions = {}): Promise<WatchRegenResult> {
  const count = options.saves ?? 20;
  const dir = mkdtempSync(join(tmpdir(), "bench-watch-"));
  const logs: string[] = [];
  const toolchain = resolve(REPO_ROOT, "scripts/toolchain.mjs");
  // Built before the watcher starts, so no save waits for a rebuild of the precompiled toolchain.
  execFileSync(process.execPath, [toolchain, "--build"], { cwd: REPO_ROOT, stdio: "ignore" });
  let watcher: ReturnType<typeof spawn> | undefined;
  try {
    const spec = await copySpec(resolve(REPO_ROOT, options.spec ?? "openapi/flora.yaml"), join(dir, "spec"));
    const out = join(dir, "out");
    const edits = floraEdits(readFileSync(spec, "utf8"));
    const runs: { run: ParsedRun; at: number }[] = [];
    let wake: (() => void) | undefined;
    const args = ["scripts/generate.ts", "--spec", spec, "--out", out, "--lint", options.lint ?? "project", "--watch"];
    watcher = spawn(process.execPath, [toolchain, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<never>((_, fail) =>
      watcher?.once("exit", (code) => fail(new Error(`the watcher exited (${code}):\n${logs.join("\n")}`))),
    );
    exited.catch(() => undefined);
    const onLine = (line: string) => {
      logs.push(line);
      const run = parseRunLine(line);
      if (!run) return;
      runs.push({ run, at: performance.now() });
      wake?.();
    };
    for (const stream of [watcher.stdout, watcher.stderr])
      createInterface({ input: stream as NodeJS.ReadableStream }).on("line", onLine);
    const nextRun = (after: number) =>
      Promise.race([
        exited,
        new Promise<{ run: ParsedRun; at: number }>((done) => {
          const check = () => (runs.length > after ? done(runs[after]) : (wake = check));
          check();
        }),
      ]);
    await nextRun(0);
    if (!runs[0]?.run.ok) throw new Error(`the first generation failed:\n${logs.join("\n")}`);

    const saves: SaveTiming[] = [];
    let text = readFileSync(spec, "utf8");
    for (let n = 0; n < count; n++) {
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 150));
      const edit = edits[n % edits.length];
      text = edit.apply(text, n);
      const seen = runs.length;
      const saved = performance.now();
      writeFileSync(spec, text);
      const { run, at } = await nextRun(seen);
      if (!run.ok) throw new Error(`save ${n + 1} (${edit.edit}) failed:\n${logs.slice(-3).join("\n")}`);
      const marker = edit.marker(n);
      if (run.changedFiles === 0 || (marker && !readFileSync(join(out, "schema.d.ts"), "utf8").includes(marker)))
        throw new Error(`save ${n + 1} (${edit.edit}) ran, but the output does not show it`);
      saves.push({
        kind: edit.kind,
        edit: edit.edit,
        ms: at - saved,
        ran: run.ran,
        skipped: run.skipped,
        changedFiles: run.changedFiles,
      });
    }
    await new Promise((r) => setTimeout(r, options.pauseMs ?? 150));
    const all = saves.map((s) => s.ms);
    const byEdit = [...new Set(saves.map((s) => s.edit))].map((edit) => {
      const of = saves.filter((s) => s.edit === edit);
      const stages = [...new Set(of.flatMap((s) => s.skipped))];
      return {
        edit,
        kind: of[0].kind,
        saves: of.length,
        medianMs: median(of.map((s) => s.ms)),
        skipped: stages.filter((stage) => of.filter((s) => s.skipped.includes(stage)).length * 2 > of.length),
        ran: of[of.length - 1].ran,
      };
    });
    return {
      saves,
      medianMs: median(all),
      p90Ms: percentile(all, 90),
      byEdit,
      extraRuns: runs.length - 1 - saves.length,
    };
  } finally {
    if (watcher && watcher.exitCode === null) {
      const gone = new Promise((done) => watcher?.once("exit", done));
      watcher.kill("SIGINT");
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The watch goal: the median save regenerates flora.yaml within this many ms. */
export const WATCH_GOAL_MS = 300;

/** The bench's lines: a row per edit (median, stages skipped, the last save's stages), the median and p90, the goal. */
export function formatWatchRegen(result: WatchRegenResult): string[] {
  return [
    "| save | changes | saves | median | stages skipped | stages run, last save (ms) |",
    "|---|---|---|---|---|---|",
    ...result.byEdit.map(
      (e) =>
        `| ${e.edit} | ${e.kind === "docs" ? "docs only" : "types"} | ${e.saves} | ${e.medianMs.toFixed(0)} ms | ${e.skipped.join(", ") || "none"} | ${e.ran.map(([stage, ms]) => `${stage} ${ms.toFixed(0)}`).join(" · ")} |`,
    ),
    "",
    `watch: median of ${result.saves.length} saves ${result.medianMs.toFixed(0)} ms, p90 ${result.p90Ms.toFixed(0)} ms (\`npm run generate -- --watch\`, from the save to its per-run line, debounce included)` +
      (result.extraRuns ? `; ${result.extraRuns} extra run(s)` : ""),
    `goal < ${WATCH_GOAL_MS} ms: ${result.medianMs < WATCH_GOAL_MS ? "PASS" : "MISS"}`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  benchWatchRegen().then(
    (result) => {
      for (const line of formatWatchRegen(result)) console.log(line);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
