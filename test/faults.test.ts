// The reliability proof, per phase: under every fault kind that applies, no call starts a second run,
// loses its run, hangs, or fails without what it takes to resume its one run.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_STREAM_WORKLOAD,
  DEFAULT_WAIT_WORKLOAD,
  DEFAULT_WORKLOAD,
  runFaultWorkload,
  type FaultWorkloadResult,
} from "../scripts/faults/workload.js";
import { faultKindsFor } from "../src/testing/index.js";

/** Every count the promise needs at zero, in one object so a failure prints them all. */
function promiseCounts(result: FaultWorkloadResult) {
  return {
    duplicates: result.duplicates,
    lost: result.lost,
    errorsWithoutRunId: result.errorsWithoutRunId,
    hung: result.hung,
    nonTerminal: result.nonTerminal,
    unhandled: result.unhandled,
    unrecovered: result.calls - result.succeeded - result.recovered,
  };
}
const ZERO = { duplicates: 0, lost: 0, errorsWithoutRunId: 0, hung: 0, nonTerminal: 0, unhandled: 0, unrecovered: 0 };

/** The kinds that never took effect, so a missing one is named. */
const kindsNotSeen = (result: FaultWorkloadResult) =>
  result.applicableKinds.filter((kind) => (result.faultsByKind[kind] ?? 0) === 0);

describe("flora-sdk under injected faults", () => {
  it("create phase: no duplicate runs, none lost, no unhandled rejection (2,000 creates, >= 30% of attempts faulted)", async () => {
    const result = await runFaultWorkload("flora-sdk", DEFAULT_WORKLOAD);
    expect(result.calls).toBe(2000);
    expect(result.faulted / result.attempts).toBeGreaterThanOrEqual(0.3);
    expect(result.applicableKinds).toEqual(faultKindsFor("create"));
    expect(kindsNotSeen(result)).toEqual([]);
    expect(result.duplicates).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.unhandled).toBe(0);
    expect(result.hung).toBe(0);
    // Every call either resolved or failed with a key that later recovered its one run.
    expect(result.succeeded + result.failed).toBe(2000);
    expect(result.recovered).toBe(result.failed);
  }, 180_000);

  it("wait phase: createAndWait under >= 40% faulted polls of every GET fault kind never loses, duplicates or strands a run", async () => {
    const result = await runFaultWorkload("flora-sdk", DEFAULT_WAIT_WORKLOAD);
    expect(result.calls).toBe(400);
    expect(result.faulted / result.attempts).toBeGreaterThanOrEqual(0.4);
    expect(result.applicableKinds).toEqual(faultKindsFor("retrieve"));
    expect(kindsNotSeen(result)).toEqual([]);
    expect({ ...promiseCounts(result), errorsByName: result.errorsByName }).toEqual({
      ...ZERO,
      errorsByName: expect.any(Object),
    });
  }, 120_000);

  it("stream phase: streams cut, reset, stalled or refused before they start never lose, duplicate or hang a run", async () => {
    const result = await runFaultWorkload("flora-sdk", DEFAULT_STREAM_WORKLOAD);
    expect(result.calls).toBe(300);
    expect(result.faulted / result.attempts).toBeGreaterThanOrEqual(0.3);
    expect(result.applicableKinds).toEqual(faultKindsFor("stream"));
    expect(kindsNotSeen(result)).toEqual([]);
    expect({ ...promiseCounts(result), errorsByName: result.errorsByName }).toEqual({
      ...ZERO,
      errorsByName: expect.any(Object),
    });
  }, 120_000);

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
