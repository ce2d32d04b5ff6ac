// Loads one version of the spec, from a file or from a git ref, and bundles it with the pipeline's own stages.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve, sep, posix } from "node:path";
import { bundleSpec } from "../pipeline/bundle.js";
import { PipelineError } from "../pipeline/errors.js";
import { loadSpec } from "../pipeline/load.js";
import { DEFAULT_SPEC } from "../pipeline/run.js";
import type { Json } from "./pointer.js";

export interface SpecVersion {
  /** How the version is named in reports: the file path, or `ref:path`. */
  label: string;
  document: Json;
}

function git(args: string[], cwd: string): Buffer {
  return execFileSync("git", args, { cwd, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

function tryGit(args: string[], cwd: string): string | undefined {
  try {
    return git(args, cwd).toString("utf8").trim();
  } catch {
    return undefined;
  }
}

async function bundleFile(file: string): Promise<Json> {
  return (await bundleSpec(await loadSpec(file))) as Json;
}

/** Repo-relative path (posix) of the spec whose history a git ref is read from. */
export function specPathInRepo(specFile: string): { top: string; path: string } | undefined {
  const file = resolve(specFile);
  const folder = existsSync(file) && statSync(file).isDirectory() ? file : dirname(file);
  const top = existsSync(folder) ? tryGit(["rev-parse", "--show-toplevel"], folder) : undefined;
  if (!top) return undefined;
  // git prints the real path; compare like with like where the temp folder is a symlink (macOS /var).
  const rel = relative(top, join(realpathSync(folder), folder === file ? "" : basename(file)));
  if (rel.startsWith("..")) return undefined;
  return { top, path: rel.split(sep).join(posix.sep) };
}

/** Writes the spec's folder as it was at `ref` into `dir` (a multi-file spec needs all of its files). */
function materialise(top: string, ref: string, specPath: string, dir: string): void {
  const folder = posix.dirname(specPath);
  const listing = git(["ls-tree", "-r", "--name-only", ref, "--", folder === "." ? "." : folder], top)
    .toString("utf8")
    .split("\n")
    .filter(Boolean);
  if (!listing.includes(specPath)) throw new PipelineError(`${specPath} does not exist at ${ref}`);
  for (const file of listing) {
    const target = join(dir, ...file.split(posix.sep));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, git(["show", `${ref}:${file}`], top));
  }
}

/** Names files of the temporary copy as `ref:path`, so messages point at the version the user asked for. */
function relabel(error: PipelineError, dir: string, ref: string): PipelineError {
  const file = error.location?.file;
  const shown =
    file && resolve(file).startsWith(dir) ? `${ref}:${relative(dir, resolve(file)).split(sep).join(posix.sep)}` : file;
  const details = error.details.map((d) => d.split(dir + sep).join(`${ref}:`));
  return new PipelineError(
    error.message,
    error.location ? { ...error.location, file: shown } : undefined,
    error.exitCode,
    details,
  );
}

/**
 * `source` is a spec file, or a git ref (`main`, `origin/main`, `v0.1.0`, `HEAD~1`) at which `specPath` is read,
 * or `ref:path` naming the file at that ref. `specPath` outside the repository reads the default spec at the ref. `role` ("base" or "head") prefixes every error message.
 */
export async function loadVersion(source: string, specPath: string, role: string): Promise<SpecVersion> {
  try {
    if (existsSync(source) && statSync(source).isFile()) return { label: source, document: await bundleFile(source) };
    return await loadFromGit(source, specPath);
  } catch (error) {
    if (error instanceof PipelineError)
      throw new PipelineError(`${role}: ${error.message}`, error.location, 1, error.details);
    throw error;
  }
}

async function loadFromGit(source: string, specPath: string): Promise<SpecVersion> {
  const split = source.match(/^([^:]+):(.+)$/);
  const ref = split ? split[1] : source;
  // A head outside the repository (a temp copy) compares with the repository's default spec.
  const repo = specPathInRepo(split ? "." : specPath) ?? specPathInRepo(DEFAULT_SPEC);
  if (!repo) throw new PipelineError(`"${source}" is not a file, and this is not a git repository to read a ref from`);
  if (!tryGit(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], repo.top)) {
    throw new PipelineError(
      `"${source}" is neither a spec file nor a git ref (for a remote branch, fetch it first: git fetch origin)`,
    );
  }
  const path = split ? split[2].replace(/^\.\//, "") : repo.path;
  const dir = mkdtempSync(join(tmpdir(), "flora-diff-"));
  try {
    materialise(repo.top, ref, path, dir);
    return { label: `${ref}:${path}`, document: await bundleFile(join(dir, ...path.split(posix.sep))) };
  } catch (error) {
    throw error instanceof PipelineError ? relabel(error, dir, ref) : error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
