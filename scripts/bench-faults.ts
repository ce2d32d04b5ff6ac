// `npm run bench:faults`: the fault workloads of three phases (create, wait, stream) through flora-sdk and
// through Flora's official SDK against the same server and the same seeded faults, one table per phase.
import { parseArgs } from "node:util";
import {
  PHASE_ROUTE,
  PHASE_WORKLOADS,
  runFaultWorkload,
  type FaultPhase,
  type FaultWorkloadOptions,
  type FaultWorkloadResult,
  type SdkName,
} from "./faults/workload.js";

const PHASES: FaultPhase[] = ["create", "wait", "stream"];
const SDKS: SdkName[] = ["flora-sdk", "@flora-ai/flora"];

const { values } = parseArgs({
  options: {
    phase: { type: "string", default: "all" },
    calls: { type: "string" },
    rate: { type: "string" },
    seed: { type: "string" },
    idempotency: { type: "string" },
  },
});
const phases = values.phase === "all" ? PHASES : PHASES.filter((phase) => phase === values.phase);
if (phases.length === 0) throw new Error(`--phase must be one of all, ${PHASES.join(", ")}; got ${values.phase}`);

function optionsFor(phase: FaultPhase): FaultWorkloadOptions {
  const defaults = PHASE_WORKLOADS[phase];
  return {
    ...defaults,
    ...(values.calls ? { calls: Number(values.calls) } : {}),
    ...(values.rate ? { rate: Number(values.rate) } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.idempotency === "duplicate" || values.idempotency === "replay"
      ? { idempotency: values.idempotency }
      : {}),
  };
}

type Cell = string | number;
const NA = "n/a";
const pct = (part: number, whole: number) => (whole === 0 ? "0" : ((100 * part) / whole).toFixed(1));
const targeted: Record<FaultPhase, string> = {
  create: "create attempts",
  wait: "poll attempts",
  stream: "stream POST attempts",
};

function rows(phase: FaultPhase): [string, (r: FaultWorkloadResult) => Cell][] {
  const unfinished = (r: FaultWorkloadResult) => r.calls - r.succeeded;
  return [
    [
      phase === "create" ? "logical creates" : `logical ${phase === "wait" ? "createAndWait" : "stream"} calls`,
      (r) => r.calls,
    ],
    [targeted[phase], (r) => r.attempts],
    ["attempts faulted", (r) => `${r.faulted} (${pct(r.faulted, r.attempts)}%)`],
    [
      "fault kinds seen",
      (r) => `${r.applicableKinds.filter((k) => (r.faultsByKind[k] ?? 0) > 0).length}/${r.applicableKinds.length}`,
    ],
    [phase === "create" ? "calls resolved with a run" : "calls resolved with a terminal run", (r) => r.succeeded],
    ["resolved without a terminal run", (r) => (phase === "create" ? NA : r.nonTerminal)],
    ["calls rejected", (r) => r.failed],
    ["hung (watchdog aborted)", (r) => r.hung],
    ["runs created on the server", (r) => r.runsCreated],
    ["duplicates (calls with >1 run)", (r) => r.duplicates],
    ["lost (run exists, error w/o runId or key)", (r) => r.lost],
    ["errors without run id (after create)", (r) => (phase === "create" ? NA : r.errorsWithoutRunId)],
    [
      phase === "create" ? "recovered by re-sending idempotencyKey" : "recovered (wait by runId, else key)",
      (r) => (r.sdk === "flora-sdk" ? `${r.recovered} of ${unfinished(r)}` : NA),
    ],
    ["unhandled rejections", (r) => r.unhandled],
    ["wall time", (r) => `${r.seconds.toFixed(1)} s`],
  ];
}

/** The flora-sdk promise for a phase; the failed requirements, empty when it holds. */
export function shortfalls(r: FaultWorkloadResult): string[] {
  const problems: string[] = [];
  const expectZero = { duplicates: r.duplicates, lost: r.lost, unhandled: r.unhandled, hung: r.hung };
  for (const [name, count] of Object.entries(expectZero)) if (count > 0) problems.push(`${count} ${name}`);
  if (r.phase !== "create" && r.errorsWithoutRunId > 0) problems.push(`${r.errorsWithoutRunId} errors without run id`);
  if (r.phase !== "create" && r.nonTerminal > 0) problems.push(`${r.nonTerminal} resolved without a terminal run`);
  const unfinished = r.calls - r.succeeded;
  if (r.recovered < unfinished)
    problems.push(`${unfinished - r.recovered} of ${unfinished} unfinished calls not recovered`);
  if (r.faulted / r.attempts < 0.3) problems.push(`only ${pct(r.faulted, r.attempts)}% of attempts faulted`);
  return problems;
}

let allPass = true;
for (const phase of phases) {
  const options = optionsFor(phase);
  const results: FaultWorkloadResult[] = [];
  for (const sdk of SDKS) {
    process.stdout.write(`${phase} phase: ${options.calls} logical calls through ${sdk}… `);
    const result = await runFaultWorkload(sdk, options);
    console.log(result.applicable ? `${result.seconds.toFixed(1)} s` : "n/a (no stream helper)");
    results.push(result);
  }
  console.log(
    `\n## ${phase} phase: faults on the ${PHASE_ROUTE[phase]} route, rate ${options.rate}, seed ${options.seed}, ` +
      `server idempotency "${options.idempotency}", per-attempt timeout ${options.timeoutMs} ms, 2 retries` +
      (phase === "create"
        ? ""
        : `, runs of ${options.runDurationMs} ms polled every ${options.intervalMs}–${options.maxIntervalMs} ms, watchdog ${options.watchdogMs / 1000} s`) +
      "\n",
  );
  console.log(`| ${"".padEnd(42)} | ${results.map((r) => r.sdk.padEnd(16)).join(" | ")} |`);
  console.log(`|${"-".repeat(44)}|${results.map(() => "-".repeat(18)).join("|")}|`);
  for (const [label, cell] of rows(phase)) {
    const cells = results.map((r) => String(r.applicable ? cell(r) : NA).padEnd(16));
    console.log(`| ${label.padEnd(42)} | ${cells.join(" | ")} |`);
  }
  console.log("\nfaults that took effect, by kind (same seed for both):");
  for (const kind of results[0]!.applicableKinds) {
    const counts = results.map((r) => (r.applicable ? String(r.faultsByKind[kind] ?? 0) : NA).padStart(6));
    console.log(`  ${kind.padEnd(32)} ${counts.join(" ")}`);
  }
  console.log("errors by class:");
  for (const r of results) console.log(`  ${r.sdk}: ${r.applicable ? JSON.stringify(r.errorsByName) : NA}`);
  const problems = shortfalls(results[0]!);
  allPass &&= problems.length === 0;
  console.log(`\nflora-sdk, ${phase} phase: ${problems.length === 0 ? "PASS" : `FAIL (${problems.join(", ")})`}\n`);
}
console.log(
  "required of flora-sdk per phase: 0 duplicates, 0 lost, 0 hung, 0 unhandled, every unfinished call recovered, " +
    ">= 30% of attempts faulted; wait and stream also 0 errors without run id",
);
process.exitCode = allPass ? 0 : 1;
