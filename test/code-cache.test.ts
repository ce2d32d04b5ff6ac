// scripts/code-cache.mjs: the V8 code cache the precompiled toolchain compiles TypeScript, prettier and the render
// worker's bundle through. Each case runs in a child Node process (the cache patches that thread's CommonJS loader):
// it installs the cache for one small CommonJS module, requires it, writes the cache, and prints what it saw.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const CODE_CACHE = pathToFileURL(join(ROOT, "scripts/code-cache.mjs")).href;

describe("the toolchain's V8 code cache", () => {
  const dir = mkdtempSync(join(tmpdir(), "code-cache-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cacheFolder = join(dir, "v8-cache");

  /** Requires `file` through the code cache in `folder` in a new Node process; its exports, and the cache's stats. */
  const load = async (file: string, { folder = cacheFolder, nodeFlags = [] as string[] } = {}) => {
    const script = `
      const { installCodeCache } = await import(${JSON.stringify(CODE_CACHE)});
      const { createRequire } = await import("node:module");
      const cache = installCodeCache({ root: ${JSON.stringify(ROOT)}, folder: ${JSON.stringify(folder)}, modules: [${JSON.stringify(file)}] });
      const value = createRequire(${JSON.stringify(file)})(${JSON.stringify(file)});
      const seen = { ...cache.stats };
      cache.flush();
      console.log(JSON.stringify({ value: value.run(), seen, after: cache.stats }));`;
    const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, "--input-type=module", "-e", script]);
    return JSON.parse(stdout) as { value: unknown; seen: Record<string, string>; after: Record<string, string> };
  };
  const module = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const cacheFiles = () => readdirSync(cacheFolder).filter((name) => name.endsWith(".bin"));

  it("compiles a module without a cache, writes one, and compiles from it on the next run", async () => {
    const file = module("a.js", `exports.run = () => [require("node:path").basename(__filename), typeof module];\n`);
    const first = await load(file);
    expect(first.value).toEqual(["a.js", "object"]);
    expect(first.seen).toEqual({ "a.js": "miss" });
    expect(first.after).toEqual({ "a.js": "written" });
    expect(cacheFiles().filter((name) => name.startsWith("a.js-"))).toHaveLength(1);
    const second = await load(file);
    expect(second.value).toEqual(["a.js", "object"]);
    expect(second.seen).toEqual({ "a.js": "hit" });
    // Nothing to write: the cache was used.
    expect(second.after).toEqual({ "a.js": "hit" });
  });

  it("never runs a cache made for other bytes of the same length: the cache is keyed by the exact source", async () => {
    // V8 checks only the source's length: keyed by path alone, the edited file would run its old code.
    const file = module("b.js", `exports.run = () => "aaaa";\n`);
    expect((await load(file)).after).toEqual({ "b.js": "written" });
    writeFileSync(file, `exports.run = () => "bbbb";\n`);
    const edited = await load(file);
    expect(edited.value).toBe("bbbb");
    expect(edited.seen).toEqual({ "b.js": "miss" });
    expect(cacheFiles().filter((name) => name.startsWith("b.js-"))).toHaveLength(2);
  });

  it("keys the cache by the V8 flags too: a cache made under other flags is not offered", async () => {
    const file = module("c.js", `exports.run = () => 3;\n`);
    expect((await load(file)).after).toEqual({ "c.js": "written" });
    const other = await load(file, { nodeFlags: ["--no-opt"] });
    expect(other).toMatchObject({ value: 3, seen: { "c.js": "miss" }, after: { "c.js": "written" } });
    expect(cacheFiles().filter((name) => name.startsWith("c.js-"))).toHaveLength(2);
  });

  it("treats a truncated or foreign cache file as none: the module compiles as usual and the cache is rewritten", async () => {
    const file = module("d.js", `exports.run = () => [1, 2, 3].map((n) => n * 2);\n`);
    await load(file);
    const [cached] = cacheFiles().filter((name) => name.startsWith("d.js-"));
    const whole = readFileSync(join(cacheFolder, cached));
    for (const damaged of [whole.subarray(0, whole.length >> 1), Buffer.from("not a V8 code cache at all\n")]) {
      writeFileSync(join(cacheFolder, cached), damaged);
      const run = await load(file);
      expect(run).toMatchObject({ value: [2, 4, 6], seen: { "d.js": "rejected" }, after: { "d.js": "written" } });
      expect((await load(file)).seen).toEqual({ "d.js": "hit" });
    }
    // Written through a temporary file renamed into place: none is left behind.
    expect(readdirSync(cacheFolder).filter((name) => name.includes(".tmp-"))).toEqual([]);
  });

  it("never fails a run when the cache cannot be written", async () => {
    const file = module("e.js", `exports.run = () => "ran";\n`);
    // A regular file where the cache folder would go: nothing can be created under it (as for a read-only .cache/).
    const blocked = join(dir, "blocked");
    writeFileSync(blocked, "a file\n");
    const run = await load(file, { folder: join(blocked, "v8-cache") });
    expect(run).toMatchObject({ value: "ran", seen: { "e.js": "miss" }, after: { "e.js": "miss" } });
  });

  it("loads a module that starts with a #! line, as Node does, with its line numbers kept", async () => {
    const file = module("g.js", `#!/usr/bin/env node\nexports.run = () => new Error("here").stack.split("\\n")[1];\n`);
    expect((await load(file)).value).toMatch(/g\.js:2:\d+\)?$/);
    expect((await load(file)).seen).toEqual({ "g.js": "hit" });
  });

  it("keeps a main-thread and a worker-thread cache of one file apart: neither overwrites the other's functions", async () => {
    const file = module("h.js", `exports.run = () => "h";\n`);
    await load(file);
    // The same installation as load()'s, in a worker thread of a new process.
    const inWorker = module(
      "h-worker.mjs",
      [
        `const { installCodeCache } = await import(${JSON.stringify(CODE_CACHE)});`,
        `const { createRequire } = await import("node:module");`,
        `const cache = installCodeCache({ root: ${JSON.stringify(ROOT)}, folder: ${JSON.stringify(cacheFolder)}, modules: [${JSON.stringify(file)}] });`,
        `createRequire(${JSON.stringify(file)})(${JSON.stringify(file)});`,
        `cache.flush();`,
      ].join("\n"),
    );
    const script = `
      const { Worker } = await import("node:worker_threads");
      const worker = new Worker(${JSON.stringify(inWorker)}, { execArgv: [] });
      await new Promise((done, fail) => { worker.on("exit", done); worker.on("error", fail); });`;
    await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    const kinds = cacheFiles()
      .filter((name) => name.startsWith("h.js-"))
      .map((name) => name.split("-")[1]);
    expect(kinds.sort()).toEqual(["main", "worker"]);
    expect((await load(file)).seen).toEqual({ "h.js": "hit" });
  });

  it("removes a temporary file left by a writer that was killed, and keeps a live writer's", async () => {
    const file = module("i.js", `exports.run = () => "i";\n`);
    // pid 2^22 + 1 is above Linux's largest pid_max: no process has it. This test's own process is alive.
    const dead = "i.js-main-0.bin.tmp-4194305-0";
    const live = `i.js-main-1.bin.tmp-${process.pid}-0`;
    writeFileSync(join(cacheFolder, dead), "half a cache");
    writeFileSync(join(cacheFolder, live), "being written");
    expect((await load(file)).after).toEqual({ "i.js": "written" });
    expect(readdirSync(cacheFolder)).not.toContain(dead);
    expect(readdirSync(cacheFolder)).toContain(live);
  });

  it("keeps a module's file name and line numbers in its stack traces", async () => {
    const file = module("f.js", `exports.run = () => {\n  return new Error("here").stack.split("\\n")[1];\n};\n`);
    await load(file);
    expect((await load(file)).value).toMatch(/f\.js:2:\d+\)?$/);
  });
});
