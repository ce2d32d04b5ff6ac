// `npm run bench:size` measures real bundles: each case builds for the browser, and the table reads right.
import { describe, expect, it } from "vitest";
import { biggestInputs, cases, formatTable, goalVerdict, measure } from "../scripts/bench-size.js";

describe("bench:size", () => {
  it("bundles every case for the browser and prints one row per case with ratios against ours", async () => {
    const results = await Promise.all(cases.map(measure));
    for (const result of results) {
      expect(result.minBytes, result.name).toBeGreaterThan(1_000);
      expect(result.gzipBytes, result.name).toBeLessThan(result.minBytes);
    }
    const [ours, bare, official] = results;
    // openapi-fetch is inside ours, and ours stays below the official SDK.
    expect(bare.minBytes).toBeLessThan(ours.minBytes);
    expect(ours.minBytes).toBeLessThan(official.minBytes);
    const table = formatTable(results).split("\n");
    expect(table).toHaveLength(2 + cases.length);
    expect(table[2]).toContain("| 1.00× | 1.00× |");
    expect(goalVerdict(ours)).toMatch(/: (PASS|MISS) \(/);
    expect(biggestInputs(ours.metafile, 3).map((input) => input.path)).toContain(
      "node_modules/openapi-fetch/dist/index.mjs",
    );
  });
});
