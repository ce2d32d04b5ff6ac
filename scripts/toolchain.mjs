// `npm run generate` runs scripts/generate.ts precompiled by esbuild, by plain Node: no tsx loader, no source maps,
// no TypeScript transpiled on every start (~0.7 s and ~130 MB less per run).
//
//   node scripts/toolchain.mjs scripts/generate.ts [args…]   run the entry's build, building it first when stale
//   node scripts/toolchain.mjs --build                       build when stale, print where, exit
//
// Plain Node, like scripts/setup.mjs: it must run before anything is compiled. A build lives in
// .cache/toolchain-<key>-<stamp>/ (gitignored), where <key> hashes every input the bundles can read: each file under
// scripts/ and src/, package.json, package-lock.json and tsconfig.json; and <stamp> the size and modification time of
// each node_modules file the build bundled or loads (an in-place patch: patch-package, npm link). An edit to any of
// them makes the next run build anew: a stale build never runs, and a build is stored under a key only when every
// file it read still had that key's bytes. A build is written into a temporary folder, its manifest.json (the files
// it holds) last, and renamed into place, so a concurrent run sees a whole build or none; a folder with a missing
// file or no manifest is rebuilt. A process running a build marks it in use (.in-use-<pid>) and no other run prunes
// it while that process lives: a watcher loads chunks on first use. Tests and other commands still import
// scripts/*.ts through tsx; this is only the fast path for the command line.
//
// Memory: package.json's generate script starts Node with --max-semi-space-size=2 (MB; Node 20's default grows to
// 16): a V8 flag, so it holds for the whole process, the render worker included, and takes effect only when given at
// start. The pipeline makes much short-lived garbage; a smaller young generation keeps peak RSS down (paired runs:
// stripe -84 MB, box -32 MB, spotify -35 MB, museum -28 MB, openai -4 to -16 MB) for ~1% more CPU. Run
// without it (node scripts/toolchain.mjs …, as tests do), a run's output is the same. --expose-gc lets the pipeline
// collect once, before a large API's types stage (scripts/pipeline/run.ts); without it that step is skipped.
//
// Start-up: the render worker's bundle (CommonJS), TypeScript and prettier compile from a V8 code cache kept in the
// build's v8-cache/ folder (scripts/code-cache.mjs: keyed by the exact source and the Node that compiled it, written
// atomically by the first run of a build, never needed for a run to succeed), and the render worker starts loading
// them before this thread loads the main bundle.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { constants as osConstants } from "node:os";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { CACHED_MODULES, CODE_CACHE_FOLDER, installCodeCache } from "./code-cache.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CACHE = join(ROOT, ".cache");
/** The folders whose files are hashed whole, and the single files beside them. */
const HASHED_FOLDERS = ["scripts", "src"];
const HASHED_FILES = ["package.json", "package-lock.json", "tsconfig.json"];
/**
 * Entry points by output name. Bundles sit two folders below the root (.cache/toolchain-<key>/), as the modules of
 * scripts/pipeline/ do, so the paths those modules resolve from import.meta.url (the repository root, redocly.yaml)
 * hold in both; a worker module's bundle sits beside the main one (scripts/pipeline/workers.ts finds it there).
 */
const ENTRIES = { generate: "scripts/generate.ts", "render-worker": "scripts/pipeline/render-worker.ts" };
/**
 * Entries bundled as one CommonJS file (.cjs), compiled from the build's V8 code cache (scripts/code-cache.mjs): Node
 * 20 compiles an ES module anew on every run, a CommonJS file through vm.Script takes cached data. The render worker
 * is one (its loading is on the critical path of a small API, and its cache adds ~5 MB at peak); the main entry stays
 * ES modules split in chunks, whose stages load on first use (as one cached CommonJS file it saved ~30 ms of CPU
 * and added ~12 MB at peak).
 */
const COMMONJS = ["render-worker"];
/** An entry's bundle file in a build. */
const bundleFile = (name) => `${name}.${COMMONJS.includes(name) ? "cjs" : "mjs"}`;
/** Modules left out of the bundles and loaded from node_modules at run time: their files are checked like bundled ones. */
const EXTERNAL = ["@ts-morph/common", "chokidar"];
/**
 * The node_modules files loaded at run time: the external modules, and the files with a code cache (prettier's are
 * required by scripts/pipeline/format.ts).
 */
const EXTERNAL_FILES = [
  ...new Set(["@ts-morph/common", "@ts-morph/common/dist/typescript.js", "chokidar", ...CACHED_MODULES]),
];
/**
 * How many builds to keep besides the ones a live process uses: the current one and the one before it. A build a
 * running command (a watcher) has open is never removed while that process lives: it loads chunks on first use.
 */
const KEEP_BUILDS = 2;
/** Written last into a build: a build folder without it, or missing a file it lists, is damaged and rebuilt. */
const MANIFEST = "manifest.json";
/** A build's folder: toolchain-<key of scripts/, src/ and the package files>-<stamp of its node_modules files>. */
const BUILD_NAME = /^toolchain-[0-9a-f]{16}-[0-9a-f]{8}$/;
/** Every toolchain folder this or an earlier version of this script wrote (pruned alike). */
const ANY_BUILD_NAME = /^toolchain-[0-9a-f]+(-[0-9a-f]+)?$/;
/** A marker a process using a build leaves in it: `.in-use-<pid>`. */
const IN_USE = /^\.in-use-(\d+)$/;
/** Error codes that say .cache/ cannot be written: read-only, not ours, a regular file in its place, or full. */
const UNWRITABLE = new Set(["EACCES", "EPERM", "EROFS", "ENOTDIR", "EEXIST", "ENOSPC", "EDQUOT"]);

/** .cache/ cannot hold a build; `code` is the file system's error code (EACCES, EROFS, ENOTDIR, …). */
class CacheUnwritableError extends Error {
  constructor(code, cause) {
    super(`toolchain: cannot write .cache/ (${code})`, { cause });
    this.name = "CacheUnwritableError";
    this.code = code;
  }
}

/** Builds attempted before giving up when the inputs keep changing under the build. */
const MAX_ATTEMPTS = 3;
const LOADERS = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".json": "json",
};

function listFiles(folder) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(path);
    }
  };
  if (existsSync(folder)) walk(folder);
  return out;
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const posixRelative = (root, path) => relative(root, path).split(sep).join("/");

/** Each hashed file's sha256, by its path relative to `root` (with "/"), in a stable order. */
function inputDigests(root) {
  const files = [
    ...HASHED_FOLDERS.flatMap((folder) => listFiles(join(root, folder))),
    ...HASHED_FILES.map((name) => join(root, name)).filter((path) => existsSync(path)),
  ]
    .map((path) => posixRelative(root, path))
    .sort();
  return new Map(files.map((name) => [name, sha256(readFileSync(join(root, name)))]));
}

function keyOf(digests) {
  const hash = createHash("sha256");
  for (const [name, digest] of digests) hash.update(`${name}\0${digest}\0`);
  return hash.digest("hex").slice(0, 16);
}

/** The build key: a hash of each hashed file's path and bytes, in a stable order. */
function toolchainKey(root = ROOT) {
  return keyOf(inputDigests(root));
}

/** Size and modification time of each node_modules file a build bundles or loads: a patch-package or npm link edit changes them. */
function statFiles(paths) {
  return paths.map((path) => {
    const stat = statSync(resolve(ROOT, path), { throwIfNoEntry: false });
    return [path, stat ? stat.size : -1, stat ? stat.mtimeMs : -1];
  });
}
const stampOf = (stats) => sha256(JSON.stringify(stats)).slice(0, 8);

/** The node_modules files a build depends on: its bundled inputs under node_modules and the external modules' entries. */
function nodeModulesInputs(metafile) {
  const require = createRequire(join(ROOT, "package.json"));
  const externals = EXTERNAL_FILES.flatMap((specifier) => {
    try {
      return [posixRelative(ROOT, require.resolve(specifier))];
    } catch {
      return [];
    }
  });
  const bundled = Object.keys(metafile.inputs).filter((input) => input.includes("node_modules/"));
  return [...new Set([...bundled, ...externals])].sort();
}

/**
 * The build's manifest when the build is whole (every file it lists is there) and its node_modules files are as
 * they were when it was built; "stale" when they changed; undefined when the folder is damaged.
 */
function checkBuild(folder) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(folder, MANIFEST), "utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest?.files) || !Array.isArray(manifest.nodeModules)) return undefined;
  if (!manifest.files.every((file) => existsSync(join(folder, file)))) return undefined;
  return stampOf(statFiles(manifest.nodeModules.map(([path]) => path))) === manifest.stamp ? manifest : "stale";
}

/** True when a live process marked the build as in use. Markers of processes that ended are removed. */
function inUse(folder) {
  let live = false;
  for (const name of existsSync(folder) ? readdirSync(folder) : []) {
    const pid = IN_USE.exec(name)?.[1];
    if (!pid) continue;
    try {
      process.kill(Number(pid), 0);
      live = true;
    } catch (error) {
      if (error.code === "EPERM") live = true;
      else rmSync(join(folder, name), { force: true });
    }
  }
  return live;
}

/**
 * Marks `folder` as used by this process until it exits, so that no other run prunes it meanwhile. In a read-only
 * .cache/ no run can prune either: the build runs unmarked.
 */
function holdBuild(folder) {
  const marker = join(folder, `.in-use-${process.pid}`);
  try {
    writeFileSync(marker, "");
  } catch (error) {
    if (UNWRITABLE.has(error?.code)) return;
    throw error;
  }
  process.on("exit", () => {
    try {
      unlinkSync(marker);
    } catch {
      // The build was removed by hand: nothing to release.
    }
  });
}

/** Removes `path`; a read-only .cache/ keeps it (a damaged build there is never returned, only left). */
function removeIfWritable(path) {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (error) {
    if (!UNWRITABLE.has(error?.code)) throw error;
  }
}

/** A whole, up-to-date build for `key`, if there is one; damaged ones no process uses are removed. */
function findBuild(key) {
  let names;
  try {
    names = readdirSync(CACHE);
  } catch {
    // No .cache/ yet, or not a folder: nothing to run; building says why it cannot write there.
    return undefined;
  }
  for (const name of names.filter((entry) => BUILD_NAME.test(entry) && entry.startsWith(`toolchain-${key}-`))) {
    const folder = join(CACHE, name);
    // Only a real folder: a link would run code from wherever it leads (and the bundle finds the repository from
    // its own real location).
    if (!lstatSync(folder).isDirectory()) {
      try {
        unlinkSync(folder);
      } catch {
        // unwritable .cache/: skipped all the same
      }
      continue;
    }
    const state = checkBuild(folder);
    if (state === undefined && !inUse(folder)) removeIfWritable(folder);
    if (state && state !== "stale") return folder;
  }
  return undefined;
}

/**
 * Builds into `temporary` and checks that what esbuild read is what `digests` hashed: each local file is read
 * through a plugin that compares its bytes with the hash taken before the build. Returns the metafile, or undefined
 * when a file changed while the build ran (then the build is not the code of any key).
 */
async function buildOnce(temporary, digests, plugins) {
  const { build } = await import("esbuild");
  const changed = [];
  const verify = {
    name: "toolchain-verify-inputs",
    setup(b) {
      b.onLoad({ filter: /.*/ }, (args) => {
        if (args.namespace !== "file" || args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const loader = LOADERS[extname(args.path)];
        if (!loader) return undefined;
        const bytes = readFileSync(args.path);
        const name = posixRelative(ROOT, args.path);
        if (digests.get(name) !== sha256(bytes)) changed.push(name);
        return { contents: bytes, loader };
      });
    },
  };
  const common = {
    absWorkingDir: ROOT,
    outdir: temporary,
    bundle: true,
    platform: "node",
    target: "node20",
    // No keepNames: esbuild's __name() helper would run on every function and class it defines, inside Redocly's
    // tree walk and openapi-typescript's transform (~0.2 s of CPU on a large API). Without it a bundled class keeps
    // its name unless two bundled modules declare the same one (then one is renamed, e.g. Schema2); no code in the
    // bundles depends on a function's or class's `name` (a YAML error is found by instanceof, scripts/pipeline/load.ts;
    // messages print `error.name`, which every bundled error class sets itself or inherits from Error).
    // Dependencies are bundled too (Redocly, openapi-typescript, ts-morph): fewer files to resolve and read.
    // TypeScript stays one file of its own, and is the copy ts-morph ships: openapi-typescript's require("typescript")
    // loads that one too, so a thread that runs both loads one compiler (same output as 5.9's).
    external: EXTERNAL,
    alias: { typescript: "@ts-morph/common/dist/typescript.js" },
    plugins: [...plugins, verify],
    metafile: true,
    logLevel: "error",
    legalComments: "none",
  };
  const entries = (format) =>
    Object.fromEntries(Object.entries(ENTRIES).filter(([name]) => COMMONJS.includes(name) === (format === "cjs")));
  // One after the other: a plugin sees each build start and end in turn (tests edit files while a build runs).
  const results = [
    await build({
      ...common,
      entryPoints: entries("esm"),
      outExtension: { ".js": ".mjs" },
      format: "esm",
      // Each stage's modules load when the stage first runs (the watcher, the naming report, the types stage).
      splitting: true,
      // Bundled CommonJS code calls require() for what stays external (TypeScript, Node's modules).
      banner: {
        js: 'import { createRequire as __toolchainRequire } from "node:module"; const require = __toolchainRequire(import.meta.url);',
      },
    }),
    await build({
      ...common,
      entryPoints: entries("cjs"),
      outExtension: { ".js": ".cjs" },
      format: "cjs",
      // Strict code, as the ES modules it is built from (the banner comes before esbuild's own "use strict"), and
      // import.meta.url the bundle's own URL, as in an ES module bundle: paths found from it (the repository's
      // root, redocly.yaml) hold.
      define: { "import.meta.url": "__toolchainImportMetaUrl" },
      banner: {
        js: '"use strict"; var __toolchainImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
      },
    }),
  ];
  const result = { metafile: { inputs: Object.assign({}, ...results.map((each) => each.metafile.inputs)) } };
  // A local input outside the hashed folders would not change the key when edited: refuse to build rather than run stale.
  const unhashed = Object.keys(result.metafile.inputs).filter(
    (input) => !HASHED_FOLDERS.some((folder) => input.startsWith(`${folder}/`)) && !input.includes("node_modules/"),
  );
  if (unhashed.length) {
    rmSync(temporary, { recursive: true, force: true });
    throw new Error(`toolchain: ${unhashed.join(", ")} is bundled but not hashed: add its folder to HASHED_FOLDERS`);
  }
  return changed.length ? undefined : result.metafile;
}

/**
 * The folder of the current build, built first when there is none for today's inputs.
 *
 * A build is stored under a key only when it is that key's code: the inputs are hashed before the build, every
 * local file esbuild reads is checked against that hash as it is read, and everything is hashed again after; an
 * edit in between discards the build and builds again (up to 3 times, then fails). `plugins` (esbuild plugins)
 * run before the checking one; tests use them to edit files while a build runs.
 */
export async function ensureToolchain(options = {}) {
  return (await ensureBuild(options)).folder;
}

/** ensureToolchain's build folder, with the digests of the inputs it was built from (its key's). */
async function ensureBuild({ log = () => {}, plugins = [] } = {}) {
  for (let attempt = 1; ; attempt++) {
    const digests = inputDigests(ROOT);
    const key = keyOf(digests);
    const found = findBuild(key);
    if (found) return { folder: found, digests };
    const started = performance.now();
    const temporary = join(CACHE, `toolchain-${key}.tmp-${process.pid}`);
    try {
      // Before esbuild: an unwritable .cache/ is one error code here, not a page of esbuild's write errors.
      rmSync(temporary, { recursive: true, force: true });
      mkdirSync(temporary, { recursive: true });
    } catch (error) {
      if (UNWRITABLE.has(error?.code)) throw new CacheUnwritableError(error.code, error);
      throw error;
    }
    const metafile = await buildOnce(temporary, digests, plugins);
    if (!metafile || toolchainKey(ROOT) !== key) {
      rmSync(temporary, { recursive: true, force: true });
      if (attempt < MAX_ATTEMPTS) continue;
      throw new Error(
        "toolchain: files under scripts/ or src/ kept changing while .cache/ was being built: run again once edits settle",
      );
    }
    const nodeModules = statFiles(nodeModulesInputs(metafile));
    const stamp = stampOf(nodeModules);
    const files = listFiles(temporary).map((path) => posixRelative(temporary, path));
    // The local files the bundles hold: a running watcher checks those (an edit to a bench script is not its code).
    const sources = Object.keys(metafile.inputs)
      .filter((input) => !input.includes("node_modules/"))
      .sort();
    // Written last: its presence says the build is whole.
    writeFileSync(join(temporary, MANIFEST), `${JSON.stringify({ key, stamp, files, nodeModules, sources })}\n`);
    const folder = join(CACHE, `toolchain-${key}-${stamp}`);
    if (existsSync(folder) && !checkBuild(folder)) rmSync(folder, { recursive: true, force: true });
    try {
      renameSync(temporary, folder);
    } catch (error) {
      // Another run finished the same build first: it holds the same bytes.
      rmSync(temporary, { recursive: true, force: true });
      if (!checkBuild(folder)) throw error;
    }
    pruneOldBuilds(folder);
    log(`toolchain: built ${relative(ROOT, folder)} in ${Math.round(performance.now() - started)} ms`);
    return { folder, digests };
  }
}

function pruneOldBuilds(current) {
  const builds = readdirSync(CACHE)
    .filter((name) => ANY_BUILD_NAME.test(name))
    .map((name) => join(CACHE, name))
    .filter((path) => path !== current && !inUse(path))
    // Newest build first, by when it was built (its folder's own time changes as processes mark it in use).
    .map((path) => ({
      path,
      mtime: (statSync(join(path, MANIFEST), { throwIfNoEntry: false }) ?? statSync(path)).mtimeMs,
    }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of builds.slice(KEEP_BUILDS - 1)) rmSync(path, { recursive: true, force: true });
  // A build that was interrupted (the process killed mid-way) leaves its temporary folder: gone after an hour.
  for (const name of readdirSync(CACHE).filter((entry) => /^toolchain-[0-9a-f]+\.tmp-\d+$/.test(entry))) {
    const path = join(CACHE, name);
    if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The files of `folder`'s code whose bytes differ from `digests` (the bundled files under scripts/ and src/ and
 * tsconfig.json; every hashed file for a build without that list), then "node_modules" when a file the build bundled
 * or loads changed: empty while the build still is the code on disk. An edit elsewhere (a bench script) changes the
 * next build's key but not this build's code. Hashes ~400 small files: a few ms.
 */
function changedSince(digests, folder) {
  const manifest = checkBuild(folder);
  const sources = Array.isArray(manifest?.sources) ? [...manifest.sources, "tsconfig.json"] : undefined;
  // Only the build's own sources are read again on each save (every hashed file for a build without the list).
  const digestOf = (name) => {
    try {
      return sha256(readFileSync(join(ROOT, name)));
    } catch {
      return undefined;
    }
  };
  const now = sources ? new Map(sources.map((name) => [name, digestOf(name)])) : inputDigests(ROOT);
  const changed = (sources ?? [...new Set([...digests.keys(), ...now.keys()])])
    .filter((name) => digests.get(name) !== now.get(name))
    .sort();
  if (manifest === "stale") changed.push("node_modules");
  return changed;
}

/** The code cache of a build: the files scripts/code-cache.mjs compiles through it, its bundles among them. */
function codeCacheOf(folder) {
  const bundles = COMMONJS.map((name) => join(folder, bundleFile(name)));
  return { root: ROOT, folder: join(folder, CODE_CACHE_FOLDER), modules: [...CACHED_MODULES, ...bundles] };
}

/**
 * Starts the worker bundles of the build in `folder` (by file name, e.g. render-worker.cjs; only an entry's bundle),
 * each with the code cache installed before the bundle loads. `prestart(file)` starts one ahead of its use;
 * `start(file)` hands that one over the first time, unless it has already ended (then, and on later calls, a new one
 * starts). Workers are unreferenced: an idle one never keeps the process alive; its user references it while it has
 * work.
 */
function workerStarter(folder) {
  const early = new Map();
  const spawnWorker = (file) => {
    if (!COMMONJS.some((name) => file === bundleFile(name)))
      throw new Error(`toolchain: ${file} is not a worker bundle`);
    const bootstrap =
      `import(${JSON.stringify(import.meta.resolve("./code-cache.mjs"))})` +
      `.then(({ installCodeCache }) => { installCodeCache(${JSON.stringify(codeCacheOf(folder))}); ` +
      `require(${JSON.stringify(join(folder, file))}); });`;
    const worker = new Worker(bootstrap, { eval: true, execArgv: [] });
    worker.unref();
    return worker;
  };
  return {
    prestart(file) {
      const worker = spawnWorker(file);
      const entry = { worker, ended: false };
      // Until it is handed over, a failure only marks it: start() then starts another, which reports it.
      const end = () => {
        entry.ended = true;
      };
      worker.once("error", end);
      worker.once("exit", end);
      early.set(file, entry);
    },
    start(file) {
      const entry = early.get(file);
      early.delete(file);
      return entry && !entry.ended ? entry.worker : spawnWorker(file);
    },
  };
}

/**
 * Runs the entry from its sources under tsx (`node --import tsx`, as before the precompiled toolchain): slower to
 * start, but it needs no .cache/. Resolves with the child's exit code, or 128 + the signal's number when a signal
 * ended it (as a shell reports it: never 1, which means a spec problem); SIGINT, SIGTERM and SIGHUP are passed on.
 */
function runFromSources(entry, args) {
  // with this process's Node flags (npm run generate's --max-semi-space-size and --expose-gc), not a debugger's or
  // --watch's: the child would open a second inspector port, or restart on its own. Those that take a value may
  // have it in the next entry (`--inspect-port 0`), which goes with them.
  const flags = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const flag = process.execArgv[i];
    if (!/^--(inspect|debug|watch)/.test(flag)) flags.push(flag);
    else if (/^--(inspect-port|debug-port|inspect-publish-uid|watch-path)$/.test(flag)) i++;
  }
  const child = spawn(process.execPath, [...flags, "--import", import.meta.resolve("tsx"), entry, ...args], {
    stdio: "inherit",
  });
  const forward = (signal) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, forward);
  return new Promise((done) => {
    child.on("exit", (code, signal) => done(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0)));
    child.on("error", (error) => {
      console.error(`toolchain: cannot start node --import tsx ${relative(process.cwd(), entry)}: ${error.message}`);
      done(1);
    });
  });
}

async function main(argv) {
  const [entry, ...args] = argv;
  if (entry === "--build") {
    console.log(`toolchain: ${relative(ROOT, await ensureToolchain({ log: console.log }))}`);
    return;
  }
  // Worker entries are started by their command, never on their own. The entry is found from the working
  // directory or from the repository's root (`node /abs/path/scripts/toolchain.mjs scripts/generate.ts`).
  const generate = resolve(ROOT, ENTRIES.generate);
  const name = entry && [resolve(entry), resolve(ROOT, entry)].includes(generate) ? "generate" : undefined;
  if (!name) {
    console.error(`usage: node scripts/toolchain.mjs ${Object.values(ENTRIES)[0]} [args…] | --build`);
    process.exit(2);
  }
  // --quiet prints only problems: the build line too.
  const quiet = args.includes("--quiet");
  let build;
  try {
    const options = { log: quiet ? () => {} : (line) => console.error(line) };
    // Marked in use, then checked again: a concurrent run may prune a build between this run finding and marking it.
    for (let attempt = 1; ; attempt++) {
      build = await ensureBuild(options);
      holdBuild(build.folder);
      const state = checkBuild(build.folder);
      if ((state && state !== "stale") || attempt === MAX_ATTEMPTS) break;
    }
  } catch (error) {
    if (!(error instanceof CacheUnwritableError)) throw error;
    // A read-only checkout, .cache a regular file, permission denied, a full disk: the sources still run, under tsx
    // as `npm run generate` did before the toolchain. Said on one line, even under --quiet: every run is slower.
    console.error(`${error.message}: running ${ENTRIES[name]} from its sources under tsx instead (slower start)`);
    process.exitCode = await runFromSources(resolve(ROOT, ENTRIES[name]), args);
    return;
  }
  const { folder, digests } = build;
  holdBuild(folder);
  // The bundles, TypeScript and prettier compile from the build's V8 code cache (scripts/code-cache.mjs), on this
  // thread and in each worker; a cache this thread made is written as the process ends.
  const cache = installCodeCache(codeCacheOf(folder));
  process.on("exit", () => cache.flush());
  const workers = workerStarter(folder);
  // The render worker loads its bundle, TypeScript and prettier while this thread loads its own; a command that
  // starts no pipeline (help, the naming report) does not start it.
  if (!args.some((arg) => ["-h", "--help", "--names"].includes(arg))) workers.prestart("render-worker.cjs");
  globalThis[Symbol.for("flora-sdk.toolchain")] = {
    // A watcher checks this before each regeneration (scripts/watch.ts): code edited since it started is not run.
    codeChanged: () => changedSince(digests, folder),
    // scripts/pipeline/workers.ts starts the build's worker modules through this.
    startWorker: workers.start,
  };
  // The entry reads its arguments from process.argv, as it would if Node had started it.
  process.argv = [process.argv[0], resolve(ROOT, ENTRIES[name]), ...args];
  await import(pathToFileURL(join(folder, bundleFile(name))).href);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
