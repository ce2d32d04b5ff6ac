// The public entry must bundle for browsers: no `node:` imports anywhere in its graph.
import { build } from "esbuild";
import { expect, it } from "vitest";

it("bundles src/index.ts for the browser without node: built-ins", async () => {
  const result = await build({
    entryPoints: ["src/index.ts"],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    minify: true,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.filter((path) => path.startsWith("node:") || path.includes("src/testing"))).toEqual([]);
  expect(inputs).toContain("node_modules/openapi-fetch/dist/index.mjs");
  const bytes = result.outputFiles[0].contents.byteLength;
  expect(bytes).toBeLessThan(40_000);
});
