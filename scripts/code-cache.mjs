// A V8 code cache for the few large CommonJS files the precompiled toolchain loads: TypeScript (ts-morph's 9 MB
// copy), prettier's standalone core with the two plugins it formats with, and the render worker's own bundle.
// Node 20 has no module.enableCompileCache, and ES modules take no cached data; a CommonJS file compiled through
// vm.Script does. Loading TypeScript then takes ~50 ms instead of ~150 ms, and the functions that the first run
// compiled lazily (emitting, formatting) come compiled from the cache too.
//
// Plain Node, like scripts/toolchain.mjs, which installs it on the main thread and in the worker threads it starts.
//
// Where: <build folder>/v8-cache/, so a build's cache goes when the build is pruned. What: one file per source,
// named by a hash of the exact source text compiled (V8 itself checks only the source's length and its flags), the
// Node version, the architecture and V8's cachedDataVersionTag() (V8's version, flags and CPU features): a cache
// made for other bytes or another Node is never offered to V8. A cache V8 rejects, a truncated or foreign file, or an
// unreadable one is the same as none: the file compiles as Node would compile it, and the cache is written anew.
// Writes go to a temporary file renamed into place (a reader sees a whole file or none), and a cache that cannot be
// written (read-only .cache/, a full disk) is skipped: it never fails a run.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { isMainThread, threadId } from "node:worker_threads";
import { cachedDataVersionTag } from "node:v8";
import { constants, Script } from "node:vm";

/** The folder under a build that holds its code cache. */
export const CODE_CACHE_FOLDER = "v8-cache";

/**
 * The files cached, as the toolchain requires them from the repository's root: each one is CommonJS, large, and
 * loaded on every run that needs it. Not @ts-morph/common's own 3 MB file: it is mostly TypeScript's lib .d.ts texts,
 * whose cache (5.6 MB) saves ~10 ms of compiling and adds ~30 MB to the peak memory.
 */
export const CACHED_MODULES = [
  "@ts-morph/common/dist/typescript.js",
  "prettier/standalone",
  "prettier/plugins/typescript",
  "prettier/plugins/estree",
];

const STATE = Symbol.for("flora-sdk.code-cache");

/**
 * A file's name in the cache and its stats: its path below node_modules with "/" as "+" (prettier's plugin is
 * "prettier+plugins+typescript.js", TypeScript "@ts-morph+common+dist+typescript.js"), or its own name elsewhere.
 */
function shortName(filename) {
  const inPackage = filename.split(/[\\/]node_modules[\\/]/);
  return inPackage.length > 1 ? inPackage.at(-1).replace(/[\\/]/g, "+") : basename(filename);
}

/**
 * The cache file's name for `source` compiled from `filename` by this Node, on this kind of thread. The main thread
 * and a worker each keep their own file: a cache holds the functions its thread compiled, and on a large API the main
 * thread runs openapi-typescript while the worker runs ts-morph, so one shared file would hold only the last writer's.
 */
export function cacheName(filename, source) {
  const key = createHash("sha256")
    .update(`${process.version}\0${process.arch}\0${cachedDataVersionTag()}\0`)
    .update(source)
    .digest("hex")
    .slice(0, 24);
  return `${shortName(filename)}-${isMainThread ? "main" : "worker"}-${key}.bin`;
}

/** Temporary files (`<name>.tmp-<pid>-<thread>`) whose writer was killed mid-write: removed by the next flush. */
const TEMPORARY = /\.tmp-(\d+)-\d+$/;

/** Whether a process with this id is alive (or not ours to signal, which also means alive). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error?.code === "EPERM";
  }
}

/**
 * Compiles each of `modules` (resolved from `root`; those that do not resolve are left to Node) through a V8 code
 * cache in `folder` when it is first required on this thread, from then until the thread ends. Returns this
 * thread's cache, whose `flush()` writes the cache of each such file that had none or a rejected one (call it once
 * the work that compiles most of their functions has run), and whose `stats` says what happened, by file name:
 * "hit", "miss" (no usable cache), "rejected" (V8 refused it) or "written". Installing twice on a thread returns the
 * first installation.
 */
export function installCodeCache({ root, folder, modules = CACHED_MODULES }) {
  if (globalThis[STATE]) return globalThis[STATE];
  const require = createRequire(join(root, "package.json"));
  const files = new Set(
    modules.flatMap((specifier) => {
      if (specifier.startsWith("/")) return [specifier];
      try {
        return [require.resolve(specifier)];
      } catch {
        return [];
      }
    }),
  );
  /** Scripts compiled without a usable cache, with where their cache goes. */
  const unwritten = [];
  const stats = {};
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileWithCodeCache(content, filename) {
    if (!files.has(filename)) return compile.call(this, content, filename);
    const path = join(folder, cacheName(filename, content));
    let cachedData;
    try {
      cachedData = readFileSync(path);
    } catch {
      cachedData = undefined;
    }
    // As Node wraps a CommonJS module: the same five parameters, the same line numbers in stack traces (a column on
    // the first line moves right by the wrapper's 62 characters). A "#!" line, which V8 reads only at the very start
    // of a script, becomes a comment of the same length, as Node's own loader strips it.
    const text = content.startsWith("#!") ? `//${content.slice(2)}` : content;
    const script = new Script(Module.wrap(text), {
      filename,
      cachedData,
      // import() in the file resolves as in any module of the main context.
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const rejected = cachedData !== undefined && script.cachedDataRejected === true;
    stats[shortName(filename)] = cachedData === undefined ? "miss" : rejected ? "rejected" : "hit";
    if (cachedData === undefined || rejected) unwritten.push({ script, path, name: shortName(filename) });
    const wrapper = script.runInThisContext({ displayErrors: true });
    const moduleRequire = createRequire(filename);
    return wrapper.call(this.exports, this.exports, moduleRequire, this, filename, dirname(filename));
  };
  const state = {
    stats,
    flush() {
      if (unwritten.length === 0) return;
      try {
        for (const entry of readdirSync(folder)) {
          const writer = TEMPORARY.exec(entry)?.[1];
          if (writer && Number(writer) !== process.pid && !alive(Number(writer)))
            rmSync(join(folder, entry), { force: true });
        }
      } catch {
        // no folder yet, or unreadable: nothing to tidy
      }
      for (const { script, path, name } of unwritten.splice(0)) {
        const temporary = `${path}.tmp-${process.pid}-${threadId}`;
        try {
          mkdirSync(folder, { recursive: true });
          writeFileSync(temporary, script.createCachedData());
          renameSync(temporary, path);
          stats[name] = "written";
        } catch {
          // Read-only or full: the next run compiles as this one did.
          try {
            rmSync(temporary, { force: true });
          } catch {
            // not even that: nothing was written
          }
        }
      }
    },
  };
  globalThis[STATE] = state;
  return state;
}
