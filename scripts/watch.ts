// `npm run generate -- --watch`: regenerate on every save in the spec's folder or to a file it $refs, keeping the last good output on errors.
import { watch, type FSWatcher } from "chokidar";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve, sep } from "node:path";
import { PipelineError } from "./pipeline/errors.js";
import { toolchainFault } from "./pipeline/workers.js";
import { PROJECT_CONFIG } from "./pipeline/lint.js";
import { displayPath } from "./pipeline/load.js";
import { nameOverridesPath } from "./pipeline/name-overrides.js";
import { runPipeline, SKIPPED, type PipelineOptions } from "./pipeline/run.js";
import { StageCache } from "./pipeline/stage-cache.js";

export interface WatchOptions extends Omit<PipelineOptions, "check" | "onStage" | "cache"> {
  /**
   * Quiet period in ms after the last file event before regenerating (editors save in several writes); default 60.
   * Keep it above chokidar's 50 ms: it drops a file's second change event within 50 ms of the first, so a write in
   * that window is seen only if the run starts after it.
   */
  debounceMs?: number;
  log?: (line: string) => void;
  error?: (line: string) => void;
  /**
   * Called when each regeneration ends, successful or not, after its line is logged; a run that changed nothing logs
   * none, nor does a failure that repeats the last one with every file it reads unchanged.
   */
  onRun?: (run: WatchRun) => void;
}

/**
 * Checked before each regeneration: what scripts/toolchain.mjs publishes when it runs the precompiled build, the
 * files of the generator's own code that changed since the build was chosen (empty when none did). Absent when the
 * watcher runs from sources (tsx, tests): there is no build to go stale.
 */
const toolchainCodeChanged = () =>
  (globalThis as { [key: symbol]: { codeChanged?: () => string[] } | undefined })[
    Symbol.for("flora-sdk.toolchain")
  ]?.codeChanged?.() ?? [];

/** One regeneration, as the watcher's per-run line reports it. */
export interface WatchRun {
  ok: boolean;
  /** Wall time of the pipeline run in ms (after the debounce). */
  ms: number;
  /** Stages that ran, in order, with their duration in ms (emit and format run beside types, in a worker thread). */
  ran: [stage: string, ms: number][];
  /** Stages skipped because their inputs were unchanged since their last successful run. */
  skipped: string[];
  /** Output files written or removed, relative to the output folder. */
  changed: string[];
}

/** ` (ran load 5 · lint 40 … ms; skipped emit, format)`: what the per-run line says about the stages. */
function stageSummary({ ran, skipped }: Pick<WatchRun, "ran" | "skipped">): string {
  const parts = [];
  if (ran.length) parts.push(`ran ${ran.map(([stage, ms]) => `${stage} ${ms.toFixed(0)}`).join(" · ")} ms`);
  if (skipped.length) parts.push(`skipped ${skipped.join(", ")}`);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

export interface SpecWatcher {
  /** Stops watching; a regeneration under way still finishes. */
  close(): Promise<void>;
  /** Settles after the first regeneration (successful or not). */
  ready: Promise<void>;
}

/** Vim's swap files, `~` backups and write probe (4913, 5036, …) and emacs's `#x#` and `.#x`: writing them is not a save. */
function isEditorFile(name: string): boolean {
  if (/^\d+$/.test(name)) return Number(name) >= 4913 && (Number(name) - 4913) % 123 === 0;
  return /^\..+\.sw[a-px]$|~$|^#.*#$|^\.#/.test(name);
}

export function watchSpec(options: WatchOptions): SpecWatcher {
  const log = options.log ?? ((line: string) => console.log(line));
  const error = options.error ?? ((line: string) => console.error(line));
  const folder = dirname(resolve(options.spec));
  const outDir = resolve(options.out);
  const inside = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);
  let watcher: FSWatcher | undefined;
  let outsideFiles: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;
  // Kept for the watcher's life: each run re-runs only the stages whose inputs changed since the last good one.
  const cache = new StageCache();
  // Every file the last run loaded (or tried to), and what the last failure line printed was about (see `failed`).
  let loaded: string[] = [];
  let lastFailure: string | undefined;

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void regenerate(), options.debounceMs ?? 60);
  };

  /**
   * Folders, not files, so rename-over and re-create saves stay seen; the old watcher closes once the new one is ready.
   * A file whose folder does not exist yet (a $ref written before the folder) is watched from its nearest existing
   * ancestor, which sees only the folders on the way to it: creating them and then the file is a save.
   */
  async function watchFiles(outside: string[]): Promise<void> {
    // Under --lint project, redocly.yaml is part of the stage cache's key: an edit to it is a save too.
    const files = [...outside, ...(options.lint === "project" ? [PROJECT_CONFIG] : [])];
    const existing = (dir: string): string => (existsSync(dir) || dirname(dir) === dir ? dir : existing(dirname(dir)));
    const roots = [...new Set(files.map((file) => existing(dirname(file))))];
    // In the spec's folder all counts but editor files and the output (writing it must not retrigger a run); outside
    // it, a watched file and the folders that lead to it.
    const relevant = (path: string) =>
      inside(path, folder)
        ? !inside(path, outDir) && !isEditorFile(basename(path))
        : files.some((file) => inside(file, path));
    const next = watch([folder, ...roots], { ignoreInitial: true, ignored: (path) => !relevant(path) });
    next.on("all", (event) => {
      if (event === "add" || event === "change" || event === "unlink") schedule();
    });
    next.on("error", (failure) => error(`watch error: ${(failure as Error).message}`));
    await new Promise<void>((ready) => next.once("ready", () => ready()));
    if (closed) return next.close();
    const previous = watcher;
    watcher = next;
    outsideFiles = outside;
    await previous?.close();
  }

  /** Follows the $ref'd files that live outside the spec's folder (the folder itself is always watched). */
  async function followSources(sources: string[]): Promise<void> {
    const outside = sources.filter((file) => isAbsolute(file) && !inside(file, folder)).sort();
    if (outside.join("\n") !== outsideFiles.join("\n")) await watchFiles(outside);
  }

  /**
   * Prints a failed run's error unless it repeats the last one printed with every file the run reads unchanged (the
   * spec, the files it loads, its name overrides, redocly.yaml under --lint project): such a run followed a write to
   * some other file in the spec's folder, or a save of the same bytes, and has nothing new to say. Above all the
   * watcher's own output, e.g. `… --watch > log` or `| tee log` with the log beside the spec: each error line is such
   * a write, and printing it again would run it again, forever. A good run that changed nothing prints nothing too.
   */
  function failed(text: string): void {
    const files = [
      resolve(options.spec),
      nameOverridesPath(resolve(options.spec)),
      ...(options.lint === "project" ? [PROJECT_CONFIG] : []),
      ...loaded,
      ...outsideFiles,
    ];
    const hash = createHash("sha256").update(text);
    for (const file of [...new Set(files)].sort()) {
      hash.update(`\0${file}\0`);
      try {
        const content = readFileSync(file);
        hash.update(`${content.length} bytes\0`).update(content);
      } catch (failure) {
        hash.update(`unread: ${(failure as NodeJS.ErrnoException).code ?? String(failure)}`);
      }
    }
    const fingerprint = hash.digest("hex");
    if (fingerprint === lastFailure) return;
    lastFailure = fingerprint;
    error(text);
  }

  const regenerate = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const started = performance.now();
    const run: WatchRun = { ok: false, ms: 0, ran: [], skipped: [], changed: [] };
    const onStage = (stage: string, ms: number, detail?: string) =>
      detail === SKIPPED ? run.skipped.push(stage) : run.ran.push([stage, ms]);
    try {
      // The generator's code changed since this process loaded it: running would write output that a fresh
      // `npm run generate` (and so `generate --check`) disagrees with. Refuse and say to restart, rather than re-exec
      // on the new build: an edit under scripts/ is often one of several saves, and a build of a half-made edit (or
      // one that fails to build) would run or fail unseen; a restart is one keystroke and the user picks the moment.
      const changedCode = toolchainCodeChanged();
      if (changedCode.length) {
        const shown = changedCode.slice(0, 3).join(", ") + (changedCode.length > 3 ? ", …" : "");
        failed(
          `error: the generator's code changed (${shown}) since this watcher started: restart it; ` +
            `kept the last output in ${displayPath(outDir)}/`,
        );
        return;
      }
      const { plan, sources } = await runPipeline({ ...options, check: false, onStage, cache });
      run.ms = performance.now() - started;
      run.ok = true;
      run.changed = [...plan.changed, ...plan.stale];
      loaded = sources.filter((file) => isAbsolute(file));
      // A failure was printed since the last good run: this run's line says the fix worked.
      const fixed = lastFailure !== undefined;
      lastFailure = undefined;
      // Report only once every file the spec now loads is watched, so the next save of any of them is seen.
      await followSources(sources);
      const touched = [
        ...plan.changed.map((f) => `  changed: ${displayPath(resolve(outDir, f))}`),
        ...plan.stale.map((f) => `  removed: ${displayPath(resolve(outDir, f))}`),
      ];
      const ms = `${run.ms.toFixed(0)} ms`;
      // No input and no output changed since the last good run (a late event of a save already seen, a touch):
      // not a save, so no line; after a failed run it says the fix worked.
      const idle = !touched.length && run.ran.every(([stage]) => stage === "write") && !fixed;
      if (!idle)
        log(
          touched.length
            ? `regenerated in ${ms}: ${touched.length} file(s) changed${stageSummary(run)}\n${touched.join("\n")}`
            : `regenerated in ${ms}: output unchanged${stageSummary(run)}`,
        );
    } catch (failure) {
      run.ms = performance.now() - started;
      // A newly $ref'd file that is broken is followed too, so that its fix is seen.
      if (failure instanceof PipelineError && failure.sources) {
        loaded = failure.sources.filter((file) => isAbsolute(file));
        await followSources([...outsideFiles, ...failure.sources]);
      }
      const known = failure instanceof PipelineError ? failure : toolchainFault(failure);
      const text = known ? known.format() : String((failure as Error)?.stack ?? failure);
      failed(`error: ${text}\nkept the last good output in ${displayPath(outDir)}/; waiting for the next save`);
    } finally {
      running = false;
      options.onRun?.(run);
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };

  log(`watching ${displayPath(folder)}/ and every file the spec $refs; Ctrl-C stops`);
  // The first run starts once the folder is watched, so a save made while it runs is not missed.
  const ready = watchFiles([]).then(regenerate);
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await watcher?.close();
      watcher = undefined;
    },
  };
}

/** Runs the watcher until Ctrl-C (or SIGTERM), then resolves with exit code 0. */
export function runWatch(options: WatchOptions): Promise<number> {
  const watcher = watchSpec(options);
  return new Promise((done) => {
    let stopping = false;
    const stop = () => {
      // Under npm, Ctrl-C arrives twice (from the terminal and forwarded by npm): the second must not kill the stop.
      if (stopping) return;
      stopping = true;
      void watcher.close().finally(() => {
        (options.log ?? console.log)("watch stopped");
        done(0);
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
