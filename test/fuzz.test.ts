// CI's fuzz run: 1,000 mutated specs, each generating compiling output or stopping with one clear message.
import { describe, expect, it } from "vitest";
import { mutate, random, runFuzz } from "../scripts/fuzz.js";

describe("fuzz", () => {
  it("the same seed gives the same mutations", () => {
    const run = (seed: number) => {
      const rand = random(seed);
      const doc = {
        openapi: "3.1.0",
        info: { title: "t", version: "1" },
        paths: { "/a": { get: { responses: { "200": { description: "ok" } } } } },
      };
      return Array.from({ length: 5 }, () => mutate(doc, rand));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it("1,000 cases: no crash, no half-written output, every message clear, every output compiles", async () => {
    const report = await runFuzz({ seed: 20261128, count: 1000 });
    const { counts } = report;
    console.log(`fuzz: ${JSON.stringify(counts)}`);
    const bad = report.cases.filter((c) => !["generated", "rejected"].includes(c.outcome));
    expect(bad.map((c) => `#${c.index} ${c.outcome} ${c.mutations.join("; ")}: ${c.detail}`)).toEqual([]);
    expect(counts.generated + counts.rejected).toBe(1000);
    expect(counts["compile-failed"]).toBe(0);
    expect(report.compileErrors).toBe("");
    // Both outcomes must be exercised, or the mutations are too weak or too strong to prove anything.
    expect(counts.generated).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(100);
  }, 600_000);
});
