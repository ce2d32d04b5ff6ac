// `npm run generate -- --watch`: regenerate on every change under the spec's folder, keeping the last good output on errors.
import { watch, type FSWatcher } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { bundleSpec } from "./pipeline/bundle.js";
import { PipelineError } from "./pipeline/errors.js";
import { displayPath, loadSpec } from "./pipeline/load.js";
import { runPipeline, type PipelineOptions } from "./pipeline/run.js";

export interface WatchOptions extends Omit<PipelineOptions, "check" | "onStage"> {
  /** Quiet period after the last file event before regenerating (editors save in several writes). */
  debounceMs?: number;
  log?: (line: string) => void;
  error?: (line: string) => void;
}

export interface SpecWatcher {
  /** Stops watching; a regeneration under way still finishes. */
  close(): void;
  /** Settles after the first regeneration (successful or not). */
  ready: Promise<void>;
}

/** Every folder holding a file the spec loads: needed only where fs.watch cannot recurse. */
async function loadedFolders(spec: string): Promise<string[]> {
  const loaded = await loadSpec(spec);
  await bundleSpec(loaded);
  return [...new Set([...loaded.resolver.cache.keys()].map((file) => dirname(file)))];
}

export function watchSpec(options: WatchOptions): SpecWatcher {
  const log = options.log ?? ((line: string) => console.log(line));
  const error = options.error ?? ((line: string) => console.error(line));
  const folder = dirname(resolve(options.spec));
  const outDir = resolve(options.out);
  const watchers = new Map<string, FSWatcher>();
  let recursive = true;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  const regenerate = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const started = performance.now();
    try {
      const { plan } = await runPipeline({ ...options, check: false });
      const ms = (performance.now() - started).toFixed(0);
      const touched = [
        ...plan.changed.map((f) => `  changed: ${displayPath(resolve(outDir, f))}`),
        ...plan.stale.map((f) => `  removed: ${displayPath(resolve(outDir, f))}`),
      ];
      log(
        touched.length
          ? `regenerated in ${ms} ms: ${touched.length} file(s) changed\n${touched.join("\n")}`
          : `regenerated in ${ms} ms: output unchanged`,
      );
      if (!recursive) for (const dir of await loadedFolders(options.spec)) follow(dir);
    } catch (failure) {
      const text = failure instanceof PipelineError ? failure.format() : String((failure as Error)?.stack ?? failure);
      error(`error: ${text}\nkept the last good output in ${displayPath(outDir)}/; waiting for the next save`);
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        schedule();
      }
    }
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void regenerate(), options.debounceMs ?? 200);
  };

  const onEvent = (dir: string) => (_event: string, name: string | Buffer | null) => {
    // Writing the output must not retrigger a run when it sits inside the watched folder.
    const file = name ? resolve(dir, String(name)) : dir;
    if (file === outDir || file.startsWith(outDir + sep)) return;
    schedule();
  };

  function follow(dir: string): void {
    if (watchers.has(dir) || closed) return;
    try {
      watchers.set(dir, watch(dir, { recursive }, onEvent(dir)));
    } catch (failure) {
      if ((failure as NodeJS.ErrnoException).code !== "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM" || !recursive)
        throw failure;
      recursive = false;
      follow(dir);
    }
  }

  follow(folder);
  log(
    `watching ${displayPath(folder)}${recursive ? "/ (recursive)" : "/ and the folders of every file the spec loads"}; Ctrl-C stops`,
  );
  const ready = regenerate();
  return {
    ready,
    close() {
      closed = true;
      clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** Runs the watcher until Ctrl-C (or SIGTERM), then resolves with exit code 0. */
export function runWatch(options: WatchOptions): Promise<number> {
  const watcher = watchSpec(options);
  return new Promise((done) => {
    const stop = () => {
      watcher.close();
      (options.log ?? console.log)("watch stopped");
      done(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
