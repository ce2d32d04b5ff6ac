// `npm run bench:faults`: 2,000 logical creates under injected faults, through flora-sdk and through
// Flora's official SDK against the same server and the same seeded faults, figures side by side.
import { parseArgs } from "node:util";
import { DEFAULT_WORKLOAD, runFaultWorkload, type FaultWorkloadResult, type SdkName } from "./faults/workload.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: String(DEFAULT_WORKLOAD.calls) },
    rate: { type: "string", default: String(DEFAULT_WORKLOAD.rate) },
    seed: { type: "string", default: String(DEFAULT_WORKLOAD.seed) },
    idempotency: { type: "string", default: DEFAULT_WORKLOAD.idempotency },
  },
});
const options = {
  ...DEFAULT_WORKLOAD,
  calls: Number(values.calls),
  rate: Number(values.rate),
  seed: Number(values.seed),
  idempotency: values.idempotency === "duplicate" ? ("duplicate" as const) : ("replay" as const),
};

const results: FaultWorkloadResult[] = [];
for (const sdk of ["flora-sdk", "@flora-ai/flora"] satisfies SdkName[]) {
  process.stdout.write(`running ${options.calls} logical creates through ${sdk}… `);
  const result = await runFaultWorkload(sdk, options);
  console.log(`${result.seconds.toFixed(1)} s`);
  results.push(result);
}

const rows: [string, (r: FaultWorkloadResult) => string | number][] = [
  ["logical creates", (r) => r.calls],
  ["create attempts", (r) => r.attempts],
  ["attempts faulted", (r) => `${r.faulted} (${((100 * r.faulted) / r.attempts).toFixed(1)}%)`],
  ["calls resolved with a run", (r) => r.succeeded],
  ["calls rejected", (r) => r.failed],
  ["runs created on the server", (r) => r.runsCreated],
  ["duplicates (calls with >1 run)", (r) => r.duplicates],
  ["lost (run exists, error without key)", (r) => r.lost],
  ["recovered by re-sending idempotencyKey", (r) => (r.sdk === "flora-sdk" ? r.recovered : "n/a")],
  ["unhandled rejections", (r) => r.unhandled],
  ["wall time", (r) => `${r.seconds.toFixed(1)} s`],
];
console.log(`\nfaults: rate ${options.rate}, seed ${options.seed}, server idempotency mode "${options.idempotency}", per-attempt timeout ${options.timeoutMs} ms, 2 retries\n`);
console.log(`| ${"".padEnd(40)} | ${results.map((r) => r.sdk.padEnd(16)).join(" | ")} |`);
console.log(`|${"-".repeat(42)}|${results.map(() => "-".repeat(18)).join("|")}|`);
for (const [label, cell] of rows) console.log(`| ${label.padEnd(40)} | ${results.map((r) => String(cell(r)).padEnd(16)).join(" | ")} |`);

console.log("\nfaults injected by kind (same seed for both):");
for (const kind of Object.keys(results[0].faultsByKind)) console.log(`  ${kind.padEnd(32)} ${results.map((r) => String(r.faultsByKind[kind as keyof typeof r.faultsByKind]).padStart(6)).join(" ")}`);
console.log("\nerrors by class:");
for (const r of results) console.log(`  ${r.sdk}: ${JSON.stringify(r.errorsByName)}`);

const ours = results[0];
const ok = ours.duplicates === 0 && ours.lost === 0 && ours.unhandled === 0 && ours.faulted / ours.attempts >= 0.3;
console.log(`\nflora-sdk: ${ok ? "PASS" : "FAIL"} (required: 0 duplicates, 0 lost, 0 unhandled, >= 30% of attempts faulted)`);
process.exitCode = ok ? 0 : 1;
