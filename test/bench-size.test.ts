// `npm run bench:size` runs and prints its table: one row per case, each goal with PASS or MISS, and the largest
// contributors of each of our consumers. No size is asserted against a peer: sizes are the bench's to report.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { biggestInputs, cases, groups, measureGroup } from "../scripts/bench-size.js";

const OPENAPI_FETCH = /(^|\/)node_modules\/openapi-fetch\/dist\/index\.mjs$/;

describe("bench:size", () => {
  it("prints one row per case, a PASS or MISS line per goal, and the contributors of each of ours", () => {
    const result = spawnSync("npm", ["run", "--silent", "bench:size"], { encoding: "utf8", timeout: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    const table = lines.filter((line) => line.startsWith("| "));
    expect(table).toHaveLength(2 + cases.length);
    expect(table[1]).toMatch(/^\| (--- \| )+---\s?\|$/);
    for (const [index, sizeCase] of cases.entries()) expect(table[2 + index]).toContain(`| ${sizeCase.name} |`);
    // every measured row has bytes, and ours are the unit of their consumer's ratios
    for (const group of groups) {
      const row = table.find((line) => line.startsWith(`| ${group.ours.name} |`));
      expect(row).toMatch(/^\| .+ \| \d+ \(\d+\.\d kB\) \| \d+ \(\d+\.\d kB\) \| 1\.00× \| 1\.00× \| /);
    }
    const goals = lines.filter((line) => line.startsWith("goal ("));
    expect(goals).toHaveLength(groups.filter((group) => group.goal !== undefined).length);
    for (const goal of goals) expect(goal).toMatch(/: (PASS|MISS) \(\d+\.\d\d kB min, \d+\.\d\d kB gzip\)$/);
    // what one successful call runs of what loads at once: some of it, never all (the error paths never ran)
    const happy = lines.filter((line) => line.startsWith("happy path ("));
    expect(happy).toHaveLength(groups.filter((group) => group.ours.drive !== undefined).length);
    for (const line of happy) {
      const [, executed, loaded] = /runs (\d+) \(\d+\.\d\d kB\) of the (\d+) minified bytes/.exec(line) ?? [];
      expect(Number(executed)).toBeGreaterThan(0);
      expect(Number(executed)).toBeLessThan(Number(loaded));
    }
    for (const group of groups)
      expect(result.stdout).toContain(`largest contributors to ${group.ours.name} (minified bytes loaded at once):`);
  }, 180_000);

  it("loads openapi-fetch only with serialize.ts, and nothing of the client into the webhook endpoint", async () => {
    const [client, webhook, everything] = await Promise.all(groups.map(measureGroup));
    // a plain call (JSON body, plain path segments) is written by the runtime; openapi-fetch's serializers come
    // with the chunk a call with a query or styled parameters imports
    for (const { ours } of [client, everything]) {
      expect(biggestInputs(ours.metafile, 1_000).map((input) => input.path)).not.toContainEqual(
        expect.stringMatching(OPENAPI_FETCH),
      );
      const chunksWith = (input: RegExp) =>
        Object.entries(ours.metafile.outputs)
          .filter(([, output]) => Object.keys(output.inputs).some((path) => input.test(path)))
          .map(([path]) => path);
      const [serializeChunk] = chunksWith(/(^|\/)src\/runtime\/serialize\.ts$/);
      const openapiFetchChunks = chunksWith(OPENAPI_FETCH);
      expect(openapiFetchChunks).toHaveLength(1);
      const imported = ours.metafile.outputs[serializeChunk].imports.map((entry) => entry.path);
      expect([serializeChunk, ...imported]).toContain(openapiFetchChunks[0]);
    }
    const webhookInputs = biggestInputs(webhook.ours.metafile, 1_000).map((input) => input.path);
    expect(webhookInputs).toContain("src/runtime/webhooks.ts");
    for (const clientPart of [
      OPENAPI_FETCH,
      /^src\/flora\.ts$/,
      /^src\/runtime\/client\.ts$/,
      /^src\/runtime\/fetch\.ts$/,
    ])
      expect(webhookInputs.filter((path) => clientPart.test(path))).toEqual([]);
    // the peer without webhook verification is a row of dashes, not a measurement
    expect(webhook.peers.some((peer) => "absent" in peer)).toBe(true);
  }, 180_000);

  it("takes only openapi-fetch's parameter serializers into the client, not createClient's middleware machinery", async () => {
    // unminified, so openapi-fetch's function names and messages show which of its parts came along
    const bundle = await build({
      stdin: {
        contents: `import { Flora } from "./src/index.ts"; export const flora = new Flora({ apiKey: "sk_test" });`,
        resolveDir: process.cwd(),
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
    });
    const text = bundle.outputFiles[0].text;
    for (const helper of [
      "function serializeArrayParam",
      "function serializeObjectParam",
      "function serializePrimitiveParam",
    ])
      expect(text).toContain(helper);
    for (const machinery of ["function createClient", "wrapAsPathBasedClient", "Middleware must be an object"])
      expect(text).not.toContain(machinery);
  }, 60_000);
});
