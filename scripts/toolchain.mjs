// `npm run generate` runs scripts/generate.ts precompiled by esbuild, by plain Node: no tsx loader, no source maps,
// no TypeScript transpiled on every start (~0.7 s and ~130 MB less per run).
//
//   node scripts/toolchain.mjs scripts/generate.ts [args…]   run the entry's build, building it first when stale
//   node scripts/toolchain.mjs --build                       build when stale, print where, exit
//
// Plain Node, like scripts/setup.mjs: it must run before anything is compiled. A build lives in
// .cache/toolchain-<key>/ (gitignored), where <key> hashes every input the bundles can read: each file under
// scripts/ and src/, package.json, package-lock.json and tsconfig.json. An edit to any of them changes the key, so
// the next run builds anew: a stale build never runs. A build is written into a temporary folder and renamed into
// place, so a concurrent run sees a whole build or none. Tests and other commands still import scripts/*.ts
// through tsx; this is only the fast path for the command line.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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
/** How many builds to keep: the current one and the one before it, which a watcher started earlier may still use. */
const KEEP_BUILDS = 2;

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

/** The build key: a hash of each hashed file's path and bytes, in a stable order. */
export function toolchainKey(root = ROOT) {
  const files = [
    ...HASHED_FOLDERS.flatMap((folder) => listFiles(join(root, folder))),
    ...HASHED_FILES.map((name) => join(root, name)).filter((path) => existsSync(path)),
  ]
    .map((path) => relative(root, path).split(sep).join("/"))
    .sort();
  const hash = createHash("sha256");
  for (const name of files)
    hash
      .update(`${name}\0`)
      .update(readFileSync(join(root, name)))
      .update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** The folder of the current build, built first when there is none for today's inputs. */
export async function ensureToolchain({ log = () => {} } = {}) {
  const key = toolchainKey();
  const folder = join(CACHE, `toolchain-${key}`);
  if (existsSync(join(folder, "generate.mjs"))) return folder;
  const started = performance.now();
  const temporary = `${folder}.tmp-${process.pid}`;
  rmSync(temporary, { recursive: true, force: true });
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: ENTRIES,
    absWorkingDir: ROOT,
    outdir: temporary,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Each stage's modules load when the stage first runs (the watcher, the naming report, the types stage).
    splitting: true,
    // Dependencies are bundled too (Redocly, openapi-typescript, ts-morph, prettier): fewer files to resolve and
    // read. TypeScript stays one file of its own, and is the copy ts-morph ships: openapi-typescript's
    // require("typescript") loads that one too, so a thread that runs both loads one compiler (same output as 5.9's).
    external: ["@ts-morph/common", "chokidar"],
    alias: { typescript: "@ts-morph/common/dist/typescript.js" },
    // Bundled CommonJS code calls require() for what stays external (TypeScript, Node's modules).
    banner: {
      js: 'import { createRequire as __toolchainRequire } from "node:module"; const require = __toolchainRequire(import.meta.url);',
    },
    metafile: true,
    logLevel: "error",
    legalComments: "none",
  });
  // A local input outside the hashed folders would not change the key when edited: refuse to build rather than run stale.
  const unhashed = Object.keys(result.metafile.inputs).filter(
    (input) => !HASHED_FOLDERS.some((folder) => input.startsWith(`${folder}/`)) && !input.includes("node_modules/"),
  );
  if (unhashed.length) {
    rmSync(temporary, { recursive: true, force: true });
    throw new Error(`toolchain: ${unhashed.join(", ")} is bundled but not hashed: add its folder to HASHED_FOLDERS`);
  }
  try {
    renameSync(temporary, folder);
  } catch (error) {
    // Another run finished the same build first: it holds the same bytes.
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(join(folder, "generate.mjs"))) throw error;
  }
  pruneOldBuilds(folder);
  log(`toolchain: built ${relative(ROOT, folder)} in ${Math.round(performance.now() - started)} ms`);
  return folder;
}

function pruneOldBuilds(current) {
  const builds = readdirSync(CACHE)
    .filter((name) => /^toolchain-[0-9a-f]+$/.test(name))
    .map((name) => join(CACHE, name))
    .filter((path) => path !== current)
    .map((path) => ({ path, mtime: statSync(path).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of builds.slice(KEEP_BUILDS - 1)) rmSync(path, { recursive: true, force: true });
  // A build that was interrupted (the process killed mid-way) leaves its temporary folder: gone after an hour.
  for (const name of readdirSync(CACHE).filter((entry) => /^toolchain-[0-9a-f]+\.tmp-\d+$/.test(entry))) {
    const path = join(CACHE, name);
    if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
  }
}

async function main(argv) {
  const [entry, ...args] = argv;
  if (entry === "--build") {
    console.log(`toolchain: ${relative(ROOT, await ensureToolchain({ log: console.log }))}`);
    return;
  }
  // Worker entries are started by their command, never on their own.
  const name = entry && resolve(ROOT, ENTRIES.generate) === resolve(entry) ? "generate" : undefined;
  if (!name) {
    console.error(`usage: node scripts/toolchain.mjs ${Object.values(ENTRIES)[0]} [args…] | --build`);
    process.exit(2);
  }
  const folder = await ensureToolchain({ log: (line) => console.error(line) });
  // The entry reads its arguments from process.argv, as it would if Node had started it.
  process.argv = [process.argv[0], resolve(ROOT, ENTRIES[name]), ...args];
  await import(pathToFileURL(join(folder, `${name}.mjs`)).href);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
