// `npm run bench:runtime` runs and prints its table and goal lines. `--quick` makes it one short round: its
// figures are not measurements, so nothing here compares them.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("bench:runtime", () => {
  it("runs in quick mode and prints a row per contender and each goal with PASS or MISS", () => {
    const result = spawnSync("npm", ["run", "--silent", "bench:runtime", "--", "--quick"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("quick mode: one short round, figures are not measurements");
    const table = lines.filter((line) => line.startsWith("|"));
    expect(table[0]).toMatch(/^\| contender +\| +ops\/s \| vs flora-sdk \|$/);
    expect(table[1]).toMatch(/^\|-+\|-+\|-+\|$/);
    const rows = table.slice(2);
    for (const row of rows) expect(row).toMatch(/^\| .+ \| +\d+ \| +\d+\.\d\d× \|$/);
    for (const contender of ["flora-sdk", "openapi-fetch", "@flora-ai/flora"])
      expect(rows.filter((row) => row.startsWith(`| ${contender} `))).toHaveLength(1);
    const verdicts = lines.filter((line) => /\b(PASS|MISS)\b/.test(line));
    expect(verdicts.length).toBeGreaterThan(0);
    for (const verdict of verdicts) expect(verdict).toMatch(/goal .*: (PASS|MISS)\b/);
  }, 120_000);
});
