// `npm run bench:runtime`: ops/s of one create with `fetch` stubbed in-process (as openapi-fetch's own
// bench does), for flora-sdk, a bare openapi-fetch POST and Flora's official SDK, in the same run.
import FloraOfficial from "@flora-ai/flora";
import createClient from "openapi-fetch";
import type { paths } from "../generated/index.js";
import { Flora } from "../src/index.js";

// `--quick` (or BENCH_QUICK=1): one short round, for tests that check the bench runs and prints its table.
// Its figures are not measurements.
const QUICK = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const WARMUP_MS = QUICK ? 20 : 300;
const ROUND_MS = QUICK ? 40 : 400;
if (QUICK) console.log("quick mode: one short round, figures are not measurements\n");

const RUN = {
  run_id: "run_abc123",
  status: "pending",
  progress: 0,
  created_at: 0,
  poll_url: "https://app.flora.ai/api/v1/techniques/t/runs/run_abc123",
};
const RUN_TEXT = JSON.stringify(RUN);
const HEADERS = { "content-type": "application/json", "request-id": "req_bench" };
const stubFetch = async (): Promise<Response> => new Response(RUN_TEXT, { status: 201, headers: HEADERS });
const BODY = {
  inputs: [{ id: "prompt", type: "text" as const, value: "a lighthouse at dusk" }],
  mode: "async" as const,
};
const BASE = "https://app.flora.ai/api/v1";

const ours = new Flora({ apiKey: "sk_bench", baseUrl: BASE, fetch: stubFetch, logLevel: "off" });
const bare = createClient<paths>({ baseUrl: BASE, fetch: stubFetch, headers: { Authorization: "Bearer sk_bench" } });
const official = new FloraOfficial({
  apiKey: "sk_bench",
  baseURL: BASE,
  fetch: stubFetch as typeof fetch,
  logLevel: "off",
});

const contenders: [string, () => Promise<unknown>][] = [
  ["flora-sdk techniques.runs.create", () => ours.techniques.runs.create("t", BODY)],
  [
    "openapi-fetch POST (bare)",
    () => bare.POST("/techniques/{techniqueId}/runs", { params: { path: { techniqueId: "t" } }, body: BODY }),
  ],
  ["@flora-ai/flora techniques.runs.create", () => official.techniques.runs.create("t", BODY)],
];

/**
 * Calls per second of this process's CPU time (user + system), for `ms` of it: on a shared machine, time spent
 * descheduled while other processes run is not the contender's, and wall time would count it.
 */
async function opsPerSecond(call: () => Promise<unknown>, ms: number): Promise<number> {
  let n = 0;
  const start = process.cpuUsage();
  const spentMs = () => {
    const { user, system } = process.cpuUsage(start);
    return (user + system) / 1000;
  };
  while (spentMs() < ms) {
    for (let i = 0; i < 100; i++) await call();
    n += 100;
  }
  return (n * 1000) / spentMs();
}

const ROUNDS = QUICK ? 1 : 9;
/** The goals: at least 0.85× bare openapi-fetch's ops/s, and faster than the official SDK. */
const GOAL_VS_BARE = 0.85;
const samples = new Map<string, number[]>(contenders.map(([name]) => [name, []]));
for (const [, call] of contenders) await opsPerSecond(call, WARMUP_MS); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved rounds, so machine noise hits every contender alike.
  for (const [name, call] of contenders) samples.get(name)?.push(await opsPerSecond(call, ROUND_MS));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = contenders.map(([name]) => [name, median(samples.get(name) ?? [])] as const);
const [oursOps] = results.map(([, ops]) => ops);
// Each ratio is the median of the rounds' own ratios: a round measures its contenders within a second or two,
// so a slow spell of this shared machine moves both sides of a round's ratio alike.
const ratio = (other: string) => {
  const [mine, theirs] = [samples.get(contenders[0][0]) ?? [], samples.get(other) ?? []];
  return median(mine.map((ops, round) => ops / theirs[round]));
};

console.log(`median of ${ROUNDS} interleaved rounds, fetch stubbed in-process, ops per second of CPU time\n`);
console.log(`| ${"contender".padEnd(40)} | ${"ops/s".padStart(9)} | vs flora-sdk |`);
console.log(`|${"-".repeat(42)}|${"-".repeat(11)}|-------------|`);
for (const [name, ops] of results)
  console.log(`| ${name.padEnd(40)} | ${ops.toFixed(0).padStart(9)} | ${(ops / oursOps).toFixed(2).padStart(10)}× |`);
const vsBare = ratio(contenders[1][0]);
const vsOfficial = ratio(contenders[2][0]);
console.log(
  `\nflora-sdk / bare openapi-fetch = ${vsBare.toFixed(2)} (goal >= ${GOAL_VS_BARE}): ${vsBare >= GOAL_VS_BARE ? "PASS" : "MISS"}`,
);
console.log(
  `flora-sdk / @flora-ai/flora     = ${vsOfficial.toFixed(2)} (goal > 1.00): ${vsOfficial > 1 ? "PASS" : "MISS"}`,
);
