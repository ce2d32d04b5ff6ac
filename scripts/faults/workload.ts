// The fault workload behind `npm run bench:faults` and test/faults.test.ts: many logical creates through
// an SDK against the Flora-compatible test server, with a seeded share of attempts faulted.
import FloraOfficial from "@flora-ai/flora";
import { Flora, IdempotencyError, type FloraError } from "../../src/index.js";
import { faultKindsFor, startFloraTestServer, type FaultKind, type IdempotencyMode } from "../../src/testing/index.js";

export type SdkName = "flora-sdk" | "@flora-ai/flora";

export interface FaultWorkloadOptions {
  calls: number;
  /** Logical calls in flight at once. */
  concurrency: number;
  /** Share of create attempts the server faults. */
  rate: number;
  seed: number;
  idempotency: IdempotencyMode;
  /** Per-attempt client timeout; the server's delay fault waits past it. */
  timeoutMs: number;
}

export const DEFAULT_WORKLOAD: FaultWorkloadOptions = { calls: 2000, concurrency: 40, rate: 0.38, seed: 7, idempotency: "replay", timeoutMs: 400 };

export interface FaultWorkloadResult {
  sdk: SdkName;
  calls: number;
  attempts: number;
  faulted: number;
  faultsByKind: Record<FaultKind, number>;
  succeeded: number;
  failed: number;
  /** Runs that exist on the server. */
  runsCreated: number;
  /** Logical calls that produced more than one run. */
  duplicates: number;
  /** A run exists, yet the caller got an error that is neither an IdempotencyError nor carries `idempotencyKey`. */
  lost: number;
  /** Failed calls whose `idempotencyKey`, re-sent (still under faults, with more retries), gave back the run that already existed or its only run. */
  recovered: number;
  unhandled: number;
  errorsByName: Record<string, number>;
  seconds: number;
}

type CreateCall = (marker: string, key?: string) => Promise<{ run_id: string }>;

const TECHNIQUE = "art-directors-critique";
const body = (marker: string) => ({ inputs: [{ id: "prompt", type: "text" as const, value: marker }], mode: "async" as const });

function sdkCall(sdk: SdkName, baseUrl: string, apiKey: string, timeoutMs: number, maxRetries = 2): CreateCall {
  if (sdk === "flora-sdk") {
    const flora = new Flora({ apiKey, baseUrl, timeoutMs, maxRetries, logLevel: "off" });
    return (marker, key) => flora.techniques.runs.create(TECHNIQUE, body(marker), key ? { idempotencyKey: key } : undefined);
  }
  const official = new FloraOfficial({ apiKey, baseURL: baseUrl, timeout: timeoutMs, maxRetries: 2, logLevel: "off" });
  return (marker) => official.techniques.runs.create(TECHNIQUE, body(marker));
}

function countRunsPerCall(runs: { body: { inputs: { value: string }[] }; run: { run_id: string } }[]): Map<string, string[]> {
  const perCall = new Map<string, string[]>();
  for (const stored of runs) {
    const marker = stored.body.inputs[0]?.value ?? "";
    perCall.set(marker, [...(perCall.get(marker) ?? []), stored.run.run_id]);
  }
  return perCall;
}

async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function runFaultWorkload(sdk: SdkName, options: FaultWorkloadOptions = DEFAULT_WORKLOAD): Promise<FaultWorkloadResult> {
  let unhandled = 0;
  const onUnhandled = () => void unhandled++;
  process.on("unhandledRejection", onUnhandled);
  const server = await startFloraTestServer({
    runDurationMs: 60_000,
    idempotency: options.idempotency,
    faults: { rate: options.rate, kinds: faultKindsFor("create"), seed: options.seed },
    faultDelayMs: options.timeoutMs * 2,
    retryAfterSeconds: 1,
    retryAfterMs: 20,
  });
  const started = performance.now();
  try {
    const create = sdkCall(sdk, server.url, server.apiKey, options.timeoutMs);
    const markers = Array.from({ length: options.calls }, (_, i) => `call-${i}`);
    const errors = new Map<string, unknown>();
    await inPool(markers, options.concurrency, async (marker) => {
      try {
        await create(marker);
      } catch (error) {
        errors.set(marker, error);
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = server.stats();

    const runsPerCall = countRunsPerCall(server.runs());
    const carriesKey = (error: unknown) => error instanceof IdempotencyError || typeof (error as FloraError).idempotencyKey === "string";
    const lost = [...errors].filter(([marker, error]) => runsPerCall.has(marker) && !carriesKey(error)).length;

    // The promise behind `idempotencyKey`: re-sending with it never makes a second run.
    let recovered = 0;
    if (sdk === "flora-sdk" && options.idempotency === "replay") {
      // Enough retries that a run of faults (38% each) ending the recovery is vanishingly rare (0.38^13 per call).
      const retry = sdkCall(sdk, server.url, server.apiKey, options.timeoutMs, 12);
      await inPool([...errors], options.concurrency, async ([marker, error]) => {
        const key = (error as FloraError).idempotencyKey;
        const run = key ? await retry(marker, key).catch(() => undefined) : undefined;
        const existing = runsPerCall.get(marker);
        if (run && (!existing || existing.includes(run.run_id))) recovered++;
      });
    }

    // Counted on the final state, so a recovery that made a second run would show here.
    const finalRuns = countRunsPerCall(server.runs());
    const duplicates = [...finalRuns.values()].filter((ids) => ids.length > 1).length;
    const errorsByName: Record<string, number> = {};
    for (const error of errors.values()) {
      const name = error instanceof Error ? error.constructor.name : typeof error;
      errorsByName[name] = (errorsByName[name] ?? 0) + 1;
    }
    const faulted = Object.values(stats.faults).reduce((a, b) => a + b, 0);
    return {
      sdk,
      calls: options.calls,
      attempts: stats.attempts.create,
      faulted,
      faultsByKind: stats.faults,
      succeeded: options.calls - errors.size,
      failed: errors.size,
      runsCreated: [...runsPerCall.values()].reduce((a, ids) => a + ids.length, 0),
      duplicates,
      lost,
      recovered,
      unhandled,
      errorsByName,
      seconds,
    };
  } finally {
    await server.close();
    // Let late rejections surface before the listener goes.
    await new Promise((r) => setTimeout(r, 50));
    process.off("unhandledRejection", onUnhandled);
  }
}
