// A fresh clone of this repository, as CI and a new contributor get it: committed files only, no dist/ or
// docs-dist/, node_modules linked to the repo's install, and ../shared beside it when the repo has one.
import { existsSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, run } from "./packed-package.js";

export interface FreshClone {
  /** The clone's root. */
  dir: string;
  /** The temporary folder that holds the clone (and `shared` when linked). */
  parent: string;
  remove(): Promise<void>;
}

export async function cloneRepo(): Promise<FreshClone> {
  const parent = await mkdtemp(join(tmpdir(), "flora-sdk-clone-"));
  const dir = join(parent, "flora-sdk");
  const cloned = await run("git", ["clone", "--quiet", "--no-hardlinks", repoRoot, dir], parent);
  if (cloned.code !== 0) throw new Error(`git clone failed:\n${cloned.stderr}`);
  await symlink(join(repoRoot, "node_modules"), join(dir, "node_modules"), "dir");
  const shared = join(repoRoot, "../shared");
  if (existsSync(shared)) await symlink(shared, join(parent, "shared"), "dir");
  return { dir, parent, remove: () => rm(parent, { recursive: true, force: true }) };
}
