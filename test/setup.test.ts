// The README's set-up and test commands are all a fresh machine needs, and they are what CI runs.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, run } from "./support/packed-package.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Command lines of a shell snippet: comments, blank lines and shell plumbing (set, cd) dropped. */
function commandLines(script: string): string[] {
  return script
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
    .filter((line) => line !== "" && !/^(set|cd)\s/.test(line));
}

function firstShellBlock(markdown: string): string {
  const match = /^```(?:sh|bash|shell)\n([\s\S]*?)^```$/m.exec(markdown);
  return match?.[1] ?? "";
}

describe("the README's first commands", () => {
  it("are exactly two, set-up then `npm test`, and .ci/run runs exactly them", async () => {
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    const commands = commandLines(firstShellBlock(readme));
    expect(commands).toEqual(["npm run setup", "npm test"]);
    const ci = await readFile(join(repoRoot, ".ci/run"), "utf8");
    expect(commandLines(ci.replace(/^#!.*\n/, ""))).toEqual(commands);
  });
});

describe("npm scripts that run Redocly", () => {
  it("print no update, Node-version or other boxed notice, even without the REDOCLY_* variables set", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) if (key.startsWith("REDOCLY_") || key === "CI") delete env[key];
    const linted = await run(npm, ["run", "lint:spec"], repoRoot, env);
    const output = `${linted.stdout}${linted.stderr}`;
    expect(linted.code, output).toBe(0);
    expect(output).toContain("openapi/flora.yaml: validated");
    expect(output).not.toMatch(/[╔╚║]|Node\.js 20|new version of/);
  }, 60_000);
});

describe("npm ci's install-script policy", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("covers every dependency with an install script (esbuild's), so npm ci warns about none", async () => {
    dir = await mkdtemp(join(tmpdir(), "flora-allow-scripts-"));
    for (const name of ["package.json", "package-lock.json"]) await copyFile(join(repoRoot, name), join(dir, name));
    // A dry run reads only the lockfile: it installs nothing, yet applies the same allowScripts check.
    const result = await run(npm, ["ci", "--dry-run", "--strict-allow-scripts", "--no-audit", "--no-fund"], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(`${result.stdout}${result.stderr}`).not.toContain("install-scripts");
  }, 60_000);
});

describe("scripts/setup.mjs", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A stand-in project: the real set-up script, a lockfile with no dependencies, a generate script that says it ran. */
  async function standInProject(): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), "flora-setup-"));
    await mkdir(join(dir, "scripts"));
    await copyFile(join(repoRoot, "scripts/setup.mjs"), join(dir, "scripts/setup.mjs"));
    const manifest = { name: "setup-probe", version: "1.0.0", private: true };
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({ ...manifest, scripts: { generate: "node -e \"console.log('generate ran')\"" } }),
    );
    await writeFile(
      join(dir, "package-lock.json"),
      JSON.stringify({ ...manifest, lockfileVersion: 3, requires: true, packages: { "": manifest } }),
    );
    return dir;
  }

  it("stops with one clear line, before installing anything, when CHROMIUM_PATH names no executable", async () => {
    const project = await standInProject();
    const result = await run(process.execPath, ["scripts/setup.mjs"], project, {
      CHROMIUM_PATH: "/nonexistent/chrome",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "setup: CHROMIUM_PATH=/nonexistent/chrome is not an executable file",
    ]);
    expect(result.stdout).toBe("");
  });

  it("with CHROMIUM_PATH set, skips apt-get, runs npm ci, then the generator", async () => {
    const project = await standInProject();
    // Set-up only checks that the path is executable; the tests are what launch it.
    const result = await run(process.execPath, ["scripts/setup.mjs"], project, { CHROMIUM_PATH: process.execPath });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`setup: Chromium: ${process.execPath} (from CHROMIUM_PATH)`);
    expect(result.stdout).not.toContain("apt-get");
    expect(result.stdout).toMatch(/up to date|added 0 packages/);
    expect(result.stdout.indexOf("generate ran")).toBeGreaterThan(result.stdout.search(/up to date|added 0/));
  }, 60_000);
});
