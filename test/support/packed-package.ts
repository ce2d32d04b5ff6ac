// The package as a user gets it: built, `npm pack`ed and installed into a fresh project outside the repo.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, rmdir, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const repoRoot = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const tscBin = join(repoRoot, "node_modules/typescript/bin/tsc");
const execFileAsync = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/** Written last by scripts/build.ts, so its age is the build's. */
const buildStamp = join(repoRoot, "dist/cjs/package.json");
const buildInputs = [
  "src",
  "generated",
  "scripts/build.ts",
  "tsconfig.json",
  "tsconfig.build.json",
  "tsconfig.build.cjs.json",
];
const buildLock = join(repoRoot, ".tmp/build.lock");

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a non-zero exit is a result, not a throw. */
export async function run(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof failed.code === "number" ? failed.code : 1,
      stdout: failed.stdout ?? "",
      stderr: failed.stderr ?? failed.message,
    };
  }
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

async function distIsFresh(): Promise<boolean> {
  const built = await stat(buildStamp).then(
    (info) => info.mtimeMs,
    () => 0,
  );
  const sources = await Promise.all(buildInputs.map((input) => newestMtime(join(repoRoot, input))));
  return built > Math.max(...sources);
}

/** Builds dist/ unless it is newer than every build input; one build at a time across test files. */
export async function ensureBuilt(): Promise<void> {
  await mkdir(join(repoRoot, ".tmp"), { recursive: true });
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await distIsFresh()) return;
    const locked = await mkdir(buildLock).then(
      () => true,
      () => false,
    );
    if (locked) {
      try {
        if (await distIsFresh()) return;
        const result = await run(npm, ["run", "-s", "build"], repoRoot);
        if (result.code !== 0) throw new Error(`npm run build failed:\n${result.stdout}\n${result.stderr}`);
        return;
      } finally {
        await rmdir(buildLock);
      }
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`gave up waiting for another build (remove ${buildLock} if it is stale)`);
}

export interface PackedProject {
  /** The consumer project; node_modules/flora-sdk is the installed tarball. */
  dir: string;
  tarball: string;
  /** Files the tarball holds, relative to the package root. */
  files: string[];
  remove(): Promise<void>;
}

/** Builds, packs, and installs the tarball into a fresh project with typescript and @types/node linked from the repo. */
export async function installPackedPackage(
  consumerPackageJson: Record<string, unknown> = { type: "module" },
): Promise<PackedProject> {
  await ensureBuilt();
  const dir = await mkdtemp(join(tmpdir(), "flora-sdk-consumer-"));
  // ensureBuilt() has built dist/ under its lock; prepack would rebuild it while another test file packs.
  const packed = await run(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], repoRoot);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(dir, info.filename);
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "flora-sdk-consumer", private: true, ...consumerPackageJson }, null, 2),
  );
  const flags = ["--no-audit", "--no-fund", "--no-package-lock"];
  // The registry is only a fallback: `npm ci` has already put openapi-fetch in the local cache.
  let installed = await run(npm, ["install", ...flags, "--offline", tarball], dir);
  if (installed.code !== 0) installed = await run(npm, ["install", ...flags, "--prefer-offline", tarball], dir);
  if (installed.code !== 0) throw new Error(`npm install of the tarball failed:\n${installed.stderr}`);
  // Linked after the install, which would prune them as extraneous.
  await mkdir(join(dir, "node_modules/@types"), { recursive: true });
  await symlink(join(repoRoot, "node_modules/typescript"), join(dir, "node_modules/typescript"), "dir");
  await symlink(join(repoRoot, "node_modules/@types/node"), join(dir, "node_modules/@types/node"), "dir");
  return {
    dir,
    tarball,
    files: info.files.map((file) => file.path),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** tsc's `file(line,col): error TSxxxx: message` lines (first line of each message). */
export function parseDiagnostics(output: string): Diagnostic[] {
  const pattern = /^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm;
  return [...output.matchAll(pattern)].map((match) => ({
    file: match[1],
    line: Number(match[2]),
    code: match[3],
    message: match[4],
  }));
}

/** Type-checks a project in `dir` with the repo's TypeScript. */
export async function typeCheck(
  dir: string,
  project: string,
): Promise<{ code: number; output: string; diagnostics: Diagnostic[] }> {
  const result = await run(process.execPath, [tscBin, "-p", project, "--pretty", "false"], dir);
  const output = `${result.stdout}${result.stderr}`;
  return { code: result.code, output, diagnostics: parseDiagnostics(output) };
}
