// The reliability proof: 2,000 logical creates under every fault kind never duplicate or lose a run.
import { describe, expect, it } from "vitest";
import { DEFAULT_WORKLOAD, runFaultWorkload } from "../scripts/faults/workload.js";
import { faultKindsFor } from "../src/testing/index.js";

describe("flora-sdk under injected faults", () => {
  it("makes no duplicate runs, loses none, leaves no unhandled rejection (2,000 creates, >= 30% of attempts faulted)", async () => {
    const result = await runFaultWorkload("flora-sdk", DEFAULT_WORKLOAD);
    expect(result.calls).toBe(2000);
    expect(result.faulted / result.attempts).toBeGreaterThanOrEqual(0.3);
    for (const kind of faultKindsFor("create")) expect(result.faultsByKind[kind], kind).toBeGreaterThan(0);
    expect(result.duplicates).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.unhandled).toBe(0);
    // Every call either resolved or failed with a key that later recovered its one run.
    expect(result.succeeded + result.failed).toBe(2000);
    expect(result.recovered).toBe(result.failed);
  }, 180_000);

  it("with the server's duplicate-key mode, a retried create ends in IdempotencyError, never a second run", async () => {
    const result = await runFaultWorkload("flora-sdk", { ...DEFAULT_WORKLOAD, calls: 400, idempotency: "duplicate" });
    expect(result.duplicates).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.unhandled).toBe(0);
    expect(result.errorsByName.IdempotencyError ?? 0).toBeGreaterThan(0);
  }, 120_000);

  it("the official SDK, same workload, does make duplicates (the behaviour this SDK exists to beat)", async () => {
    const result = await runFaultWorkload("@flora-ai/flora", { ...DEFAULT_WORKLOAD, calls: 300 });
    expect(result.duplicates).toBeGreaterThan(0);
  }, 120_000);
});
