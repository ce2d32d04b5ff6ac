// Portability: the main entry bundles for the browser, and nothing in its import graph comes from Node.
import { build, type Metafile } from "esbuild";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/packed-package.js";

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

let metafile: Metafile;
let code: string;

beforeAll(async () => {
  const result = await build({
    entryPoints: [join(repoRoot, "src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  metafile = result.metafile;
  code = result.outputFiles[0].text;
});

/** Every import of every module in the bundle's graph. */
function allImports(meta: Metafile): Array<{ from: string; path: string; original?: string; external?: boolean }> {
  return Object.entries(meta.inputs).flatMap(([from, input]) => input.imports.map((entry) => ({ from, ...entry })));
}

describe("the main entry for platform: browser", () => {
  it("bundles, with openapi-fetch inside and no external imports", () => {
    expect(code.length).toBeGreaterThan(1000);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((input) => input.includes("node_modules/openapi-fetch/"))).toBe(true);
    expect(inputs.some((input) => input.startsWith("src/testing/"))).toBe(false);
    expect(allImports(metafile).filter((entry) => entry.external)).toEqual([]);
  });

  it("imports nothing from node: or any Node built-in anywhere in its graph", () => {
    const fromNode = allImports(metafile).filter((entry) => nodeBuiltins.has(entry.original ?? entry.path) || entry.path.startsWith("node:"));
    expect(fromNode).toEqual([]);
    expect(code).not.toMatch(/["']node:[a-z_/]+["']/);
  });

  it("needs no Node globals at load time: evaluating the bundle without process or Buffer defines Flora", async () => {
    const scope = { process: undefined, Buffer: undefined, require: undefined };
    const moduleUrl = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
    const restore = Object.fromEntries(Object.keys(scope).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)]));
    try {
      for (const key of Object.keys(scope)) Object.defineProperty(globalThis, key, { value: undefined, configurable: true, writable: true });
      const loaded = (await import(/* @vite-ignore */ moduleUrl)) as Record<string, unknown>;
      expect(typeof loaded.Flora).toBe("function");
    } finally {
      for (const [key, descriptor] of Object.entries(restore)) {
        if (descriptor) Object.defineProperty(globalThis, key, descriptor);
        else delete (globalThis as Record<string, unknown>)[key];
      }
    }
  });
});
