// `npm pack` (and so `npm publish`) ships code even from a fresh clone that was never built: prepack builds.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneRepo, type FreshClone } from "./support/fresh-clone.js";
import { run } from "./support/packed-package.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Every file path an `exports` map points at, except package.json itself. */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (exports === null || typeof exports !== "object") return [];
  return Object.entries(exports).flatMap(([key, value]) => (key === "./package.json" ? [] : exportTargets(value)));
}

let clone: FreshClone;
let packedFiles: string[];
let hadDist: boolean;

beforeAll(async () => {
  clone = await cloneRepo();
  hadDist = existsSync(join(clone.dir, "dist"));
  const packed = await run(npm, ["pack", "--json", "--pack-destination", clone.parent], clone.dir);
  if (packed.code !== 0) throw new Error(`npm pack failed in the clone:\n${packed.stdout}\n${packed.stderr}`);
  const json = packed.stdout.slice(packed.stdout.indexOf("[")); // prepack's own output comes first
  const [info] = JSON.parse(json) as Array<{ files: Array<{ path: string }> }>;
  packedFiles = info.files.map((file) => file.path);
}, 240_000);

afterAll(async () => {
  await clone?.remove();
});

describe("npm pack in a fresh clone, without a prior build", () => {
  it("starts from a clone with no dist/", () => {
    expect(hadDist).toBe(false);
  });

  it("ships dist/esm and dist/cjs files for every exports target", () => {
    const manifest = JSON.parse(readFileSync(join(clone.dir, "package.json"), "utf8")) as { exports: unknown };
    const targets = exportTargets(manifest.exports).map((target) => target.replace(/^\.\//, ""));
    expect(targets.some((target) => target.startsWith("dist/esm/"))).toBe(true);
    expect(targets.some((target) => target.startsWith("dist/cjs/"))).toBe(true);
    const missing = targets.filter((target) => !packedFiles.includes(target));
    expect(missing, `packed: ${packedFiles.join(", ")}`).toEqual([]);
  });
});
