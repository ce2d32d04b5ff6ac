// `npm run build`: ESM into dist/esm and CommonJS into dist/cjs, each with its own declarations.
// Two tsc runs (in parallel) rather than a bundler: the output mirrors src/ file by file, the
// declarations come from the compiler itself, and tsdown/tsup need a newer Node than the 20.19 we support.
import { spawn } from "node:child_process";
import { copyFile, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tscBin = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** Format folder → tsc project that emits into it. */
const builds = [
  { outDir: "dist/esm", project: "tsconfig.build.json", packageType: "module" },
  { outDir: "dist/cjs", project: "tsconfig.build.cjs.json", packageType: "commonjs" },
] as const;

function runTsc(project: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [tscBin, "-p", project], { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`tsc -p ${project} exited with ${code}`)),
    );
  });
}

/** tsc never copies hand-written or generated `.d.ts` files, yet emitted declarations import them. */
async function copyDeclarationFiles(fromDir: string, toDir: string): Promise<void> {
  const entries = await readdir(join(root, fromDir), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith(".d.ts")) {
      await mkdir(join(root, toDir, fromDir), { recursive: true });
      await copyFile(join(root, fromDir, entry.name), join(root, toDir, fromDir, entry.name));
    }
  }
}

async function main(): Promise<void> {
  await rm(join(root, "dist"), { recursive: true, force: true });
  await Promise.all(builds.map((build) => runTsc(build.project)));
  for (const build of builds) {
    await copyDeclarationFiles("generated", build.outDir);
    // The scope's package.json tells Node and TypeScript which module format the .js and .d.ts files are.
    await writeFile(
      join(root, build.outDir, "package.json"),
      `${JSON.stringify({ type: build.packageType }, null, 2)}\n`,
    );
  }
  console.log(`built ${builds.map((build) => build.outDir).join(" and ")}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
