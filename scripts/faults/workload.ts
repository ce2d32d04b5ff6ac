// The fault workloads behind `npm run bench:faults` and test/faults.test.ts: many logical calls through an
// SDK against the Flora-compatible test server, with a seeded share of one phase's attempts faulted.
import { setTimeout as delay } from "node:timers/promises";
import FloraOfficial from "@flora-ai/flora";
import { Flora, IdempotencyError, type FloraError, type Run } from "../../src/index.js";
import {
  faultKindsFor,
  startFloraTestServer,
  type FaultKind,
  type FaultRoute,
  type FloraTestServer,
  type IdempotencyMode,
  type LoggedRequest,
} from "../../src/testing/index.js";

export type SdkName = "flora-sdk" | "@flora-ai/flora";

/**
 * Which step of a run's life gets the faults:
 * - `create`: `runs.create`, faults on the create POST.
 * - `wait`: `runs.createAndWait`, creates never faulted, faults on every poll (GET of the run).
 * - `stream`: `runs.stream` consumed to the end, faults on the stream POST and its event stream.
 */
export type FaultPhase = "create" | "wait" | "stream";

export interface FaultWorkloadOptions {
  phase: FaultPhase;
  /** Logical calls, each with its own marker in the input value. */
  calls: number;
  /** Logical calls in flight at once. */
  concurrency: number;
  /** Share of the phase's targeted attempts the server faults, from 0 to 1. */
  rate: number;
  seed: number;
  idempotency: IdempotencyMode;
  /** Per-attempt client timeout in ms; the server's delay fault waits twice as long. */
  timeoutMs: number;
  /** Time from creation to the terminal status on the server, in ms. */
  runDurationMs: number;
  /** First poll interval in ms (wait and stream phases, and recovery). */
  intervalMs: number;
  /** Poll interval cap in ms. */
  maxIntervalMs: number;
  /** Passed as `waitTimeoutMs`: bounds each call's polling, in ms. */
  waitTimeoutMs: number;
  /** A call still unsettled after this many ms is recorded as hung and aborted through its AbortSignal. */
  watchdogMs: number;
}

/** 2,000 creates with 38% of create attempts faulted; runs stay pending (60 s) so only create is exercised. */
export const DEFAULT_WORKLOAD: FaultWorkloadOptions = {
  phase: "create",
  calls: 2000,
  concurrency: 40,
  rate: 0.38,
  seed: 7,
  idempotency: "replay",
  timeoutMs: 400,
  runDurationMs: 60_000,
  intervalMs: 20,
  maxIntervalMs: 50,
  waitTimeoutMs: 15_000,
  watchdogMs: 20_000,
};

/**
 * 400 createAndWait calls, runs of 150 ms polled every 20–50 ms, half of all polls faulted. A 1 s
 * per-attempt timeout, so an unfaulted create answered late by a busy event loop is not a timeout.
 */
export const DEFAULT_WAIT_WORKLOAD: FaultWorkloadOptions = {
  ...DEFAULT_WORKLOAD,
  phase: "wait",
  calls: 400,
  rate: 0.5,
  timeoutMs: 1_000,
  runDurationMs: 150,
  waitTimeoutMs: 8_000,
  watchdogMs: 12_000,
};

/** 300 streams of 150 ms runs, half of all stream POSTs faulted (before the stream, or cut, reset or stalled). */
export const DEFAULT_STREAM_WORKLOAD: FaultWorkloadOptions = {
  ...DEFAULT_WAIT_WORKLOAD,
  phase: "stream",
  calls: 300,
};

/** The defaults of each phase. */
export const PHASE_WORKLOADS: Record<FaultPhase, FaultWorkloadOptions> = {
  create: DEFAULT_WORKLOAD,
  wait: DEFAULT_WAIT_WORKLOAD,
  stream: DEFAULT_STREAM_WORKLOAD,
};

/** The route whose attempts each phase faults. */
export const PHASE_ROUTE: Record<FaultPhase, FaultRoute> = { create: "create", wait: "retrieve", stream: "stream" };

/** What one logical call did. */
export interface CallRecord {
  marker: string;
  /** Runs the server held for this call's marker when the calls ended, before recovery. */
  runIds: string[];
  /** The same after recovery: a recovery that started a second run shows here. */
  runIdsAfterRecovery: string[];
  outcome: "resolved" | "rejected" | "hung";
  /** Resolved with a completed or failed run (create phase: with any run). */
  terminal: boolean;
  /** The client received the run from create: the SDK gave it back, or the server logged a complete answer. */
  createDelivered: boolean;
  /** On rejection (or a hung call's late rejection after the abort). */
  error?: { name: string; idempotencyKey?: string; runId?: string; run?: unknown };
  /** For calls that did not resolve terminal: whether recovery reached the call's one run (create: got it back). */
  recovered?: boolean;
}

export interface FaultWorkloadResult {
  sdk: SdkName;
  phase: FaultPhase;
  /** Whether this SDK can run this phase at all (the official one has no stream helper). */
  applicable: boolean;
  calls: number;
  /** Attempts on the phase's targeted route, before recovery. */
  attempts: number;
  /** Faults that took effect on them. */
  faulted: number;
  faultsByKind: Partial<Record<FaultKind, number>>;
  /** The kinds that can take effect on the targeted route. */
  applicableKinds: FaultKind[];
  /** Resolved with a terminal run (create phase: with a run). */
  succeeded: number;
  /** Resolved, but with a run that is not terminal (wait and stream phases). */
  nonTerminal: number;
  failed: number;
  hung: number;
  runsCreated: number;
  /** Logical calls that produced more than one run, counted after recovery. */
  duplicates: number;
  /** A run exists, yet the call ended with an error carrying neither `runId` nor `idempotencyKey` (and not an IdempotencyError), or hung with no error. */
  lost: number;
  /** A run exists and create had delivered it, yet the call rejected with `error.runId` undefined. */
  errorsWithoutRunId: number;
  /** Calls that did not resolve terminal and were resumed (by runId, else re-sent with idempotencyKey) to their one run; flora-sdk only. */
  recovered: number;
  unhandled: number;
  errorsByName: Record<string, number>;
  seconds: number;
  records: CallRecord[];
}

const TECHNIQUE = "art-directors-critique";
/** After the watchdog aborts a call, how long to wait for its rejection (and its runId) before moving on. */
const ABORT_GRACE_MS = 1_000;
/** How many times recovery resumes a wait, or re-sends a create, that failed again under faults. */
const RECOVERY_RESUMES = 3;
/** Recovery re-sends with this many retries, so a streak of faults (each ≤ 50%) cannot end it (0.5^13 per poll). */
const RECOVERY_RETRIES = 12;
/** No stream yields more snapshots than this; a bound for the consuming loop. */
const MAX_SNAPSHOTS = 1_000;
/** Snapshots delivered to the client on these answers: clean, or an SSE fault after the first event. */
const DELIVERING: ReadonlySet<FaultKind | undefined> = new Set([
  undefined,
  "stream-cut",
  "stream-reset",
  "stream-stall",
]);

const body = (marker: string) => ({
  inputs: [{ id: "prompt", type: "text" as const, value: marker }],
  mode: "async" as const,
});
const isTerminal = (run: { status?: string } | undefined) => run?.status === "completed" || run?.status === "failed";

type Outcome =
  { kind: "resolved"; run: Run } | { kind: "rejected"; error: unknown } | { kind: "hung"; error?: unknown };

/** One logical call: resolves with the run it ends with; `sawRun` notes that create's run reached the caller. */
type Call = (marker: string, signal: AbortSignal, sawRun: () => void, idempotencyKey?: string) => Promise<Run>;

function floraSdkCall(phase: FaultPhase, flora: Flora, options: FaultWorkloadOptions): Call {
  const polling = {
    intervalMs: options.intervalMs,
    maxIntervalMs: options.maxIntervalMs,
    waitTimeoutMs: options.waitTimeoutMs,
  };
  const runs = flora.techniques.runs;
  if (phase === "create") {
    return async (marker, signal, sawRun, key) => {
      const run = await runs.create(TECHNIQUE, body(marker), { signal, ...(key ? { idempotencyKey: key } : {}) });
      sawRun();
      return run;
    };
  }
  if (phase === "wait") {
    return (marker, signal, _sawRun, key) =>
      runs.createAndWait(TECHNIQUE, body(marker), { signal, ...polling, ...(key ? { idempotencyKey: key } : {}) });
  }
  return async (marker, signal, sawRun, key) => {
    let last: Run | undefined;
    let seen = 0;
    const stream = runs.stream(
      TECHNIQUE,
      { inputs: body(marker).inputs },
      { signal, ...polling, ...(key ? { idempotencyKey: key } : {}) },
    );
    for await (const run of stream) {
      if (last === undefined) sawRun();
      last = run;
      if (++seen >= MAX_SNAPSHOTS) break;
    }
    if (last === undefined) throw new Error("The stream ended without yielding a run.");
    return last;
  };
}

/** What a user of `@flora-ai/flora` writes: its create, then its retrieve in a polling loop (its own 2 retries per call). */
function officialCall(phase: FaultPhase, official: FloraOfficial, options: FaultWorkloadOptions): Call {
  return async (marker, signal, sawRun) => {
    let run = (await official.techniques.runs.create(TECHNIQUE, body(marker), { signal })) as Run;
    sawRun();
    if (phase === "create") return run;
    const deadline = Date.now() + options.waitTimeoutMs;
    let interval = options.intervalMs;
    while (!isTerminal(run)) {
      if (Date.now() > deadline)
        throw new Error(`Run ${run.run_id} still ${run.status} after ${options.waitTimeoutMs} ms.`);
      await delay(interval, undefined, { signal });
      interval = Math.min(interval * 1.5, options.maxIntervalMs);
      run = (await official.techniques.runs.retrieve(run.run_id, { techniqueId: TECHNIQUE }, { signal })) as Run;
    }
    return run;
  };
}

/** Runs `work` with a watchdog: past `watchdogMs` the call is recorded hung and aborted, and never awaited further. */
async function guarded(watchdogMs: number, work: (signal: AbortSignal) => Promise<Run>): Promise<Outcome> {
  const controller = new AbortController();
  const task: Promise<Outcome> = work(controller.signal).then(
    (run) => ({ kind: "resolved", run }),
    (error: unknown) => ({ kind: "rejected", error }),
  );
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), watchdogMs)));
  const first = await Promise.race([task, watchdog]);
  clearTimeout(timer);
  if (first !== "hung") return first;
  controller.abort(new Error(`Watchdog: no result after ${watchdogMs} ms`));
  const late = await Promise.race([task, delay(ABORT_GRACE_MS).then(() => undefined)]);
  return late?.kind === "rejected" ? { kind: "hung", error: late.error } : { kind: "hung" };
}

function countRunsPerCall(server: FloraTestServer): Map<string, string[]> {
  const perCall = new Map<string, string[]>();
  for (const stored of server.runs()) {
    const marker = stored.body.inputs[0]?.value ?? "";
    perCall.set(marker, [...(perCall.get(marker) ?? []), stored.run.run_id]);
  }
  return perCall;
}

/** Runs whose create (or stream) POST got a complete answer to the client, per the server's log. */
function deliveredRuns(requests: LoggedRequest[]): Set<string> {
  const delivered = new Set<string>();
  for (const request of requests) {
    const posted = request.route === "create" || request.route === "stream";
    const ok = request.status !== undefined && request.status >= 200 && request.status < 300;
    if (posted && ok && request.runId !== undefined && DELIVERING.has(request.fault)) delivered.add(request.runId);
  }
  return delivered;
}

async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function describeError(error: unknown): CallRecord["error"] {
  if (error === undefined) return undefined;
  const flora = error as Partial<FloraError>;
  const name = error instanceof Error ? error.constructor.name : typeof error;
  return {
    name,
    ...(typeof flora.idempotencyKey === "string" ? { idempotencyKey: flora.idempotencyKey } : {}),
    ...(typeof flora.runId === "string" ? { runId: flora.runId } : {}),
    ...(flora.run !== undefined ? { run: flora.run } : {}),
  };
}

function notApplicable(sdk: SdkName, options: FaultWorkloadOptions): FaultWorkloadResult {
  return {
    sdk,
    phase: options.phase,
    applicable: false,
    calls: 0,
    attempts: 0,
    faulted: 0,
    faultsByKind: {},
    applicableKinds: faultKindsFor(PHASE_ROUTE[options.phase]),
    succeeded: 0,
    nonTerminal: 0,
    failed: 0,
    hung: 0,
    runsCreated: 0,
    duplicates: 0,
    lost: 0,
    errorsWithoutRunId: 0,
    recovered: 0,
    unhandled: 0,
    errorsByName: {},
    seconds: 0,
    records: [],
  };
}

export async function runFaultWorkload(
  sdk: SdkName,
  options: FaultWorkloadOptions = DEFAULT_WORKLOAD,
): Promise<FaultWorkloadResult> {
  // The official SDK has no stream helper and types mode "stream" like async.
  if (sdk === "@flora-ai/flora" && options.phase === "stream") return notApplicable(sdk, options);
  const route = PHASE_ROUTE[options.phase];
  const applicableKinds = faultKindsFor(route);
  let unhandled = 0;
  const onUnhandled = () => void unhandled++;
  process.on("unhandledRejection", onUnhandled);
  const server = await startFloraTestServer({
    runDurationMs: options.runDurationMs,
    idempotency: options.idempotency,
    faults: { rate: options.rate, kinds: applicableKinds, seed: options.seed, routes: [route] },
    faultDelayMs: options.timeoutMs * 2,
    retryAfterSeconds: 1,
    retryAfterMs: 20,
    requestLogLimit: 1_000_000,
  });
  const started = performance.now();
  try {
    const client = (maxRetries: number): Call =>
      sdk === "flora-sdk"
        ? floraSdkCall(
            options.phase,
            new Flora({
              apiKey: server.apiKey,
              baseUrl: server.url,
              timeoutMs: options.timeoutMs,
              maxRetries,
              logLevel: "off",
            }),
            options,
          )
        : officialCall(
            options.phase,
            new FloraOfficial({
              apiKey: server.apiKey,
              baseURL: server.url,
              timeout: options.timeoutMs,
              maxRetries,
              logLevel: "off",
            }),
            options,
          );
    const call = client(2);
    const markers = Array.from({ length: options.calls }, (_, i) => `call-${i}`);
    const outcomes = new Map<string, Outcome>();
    const sawRun = new Set<string>();
    await inPool(markers, options.concurrency, async (marker) => {
      outcomes.set(
        marker,
        await guarded(options.watchdogMs, (signal) => call(marker, signal, () => sawRun.add(marker))),
      );
    });
    const seconds = (performance.now() - started) / 1000;
    const stats = server.stats();
    const delivered = deliveredRuns(server.requests());
    const runsBefore = countRunsPerCall(server);

    const records: CallRecord[] = markers.map((marker) => {
      const outcome = outcomes.get(marker)!;
      const runIds = runsBefore.get(marker) ?? [];
      return {
        marker,
        runIds,
        runIdsAfterRecovery: runIds,
        outcome: outcome.kind,
        terminal: outcome.kind === "resolved" && (options.phase === "create" || isTerminal(outcome.run)),
        createDelivered: sawRun.has(marker) || runIds.some((id) => delivered.has(id)),
        ...(outcome.kind === "resolved" ? {} : { error: describeError(outcome.error) }),
      };
    });

    // Resume every call that did not end terminal, the way the error says to: by runId, else by its key.
    const unfinished = records.filter((record) => !record.terminal);
    if (sdk === "flora-sdk" && !(options.phase === "create" && options.idempotency === "duplicate")) {
      const recoveryFlora = new Flora({
        apiKey: server.apiKey,
        baseUrl: server.url,
        timeoutMs: options.timeoutMs,
        maxRetries: RECOVERY_RETRIES,
        logLevel: "off",
      });
      const resend = floraSdkCall(options.phase, recoveryFlora, options);
      await inPool(unfinished, options.concurrency, async (record) => {
        const outcome = outcomes.get(record.marker)!;
        const runId = record.error?.runId ?? (outcome.kind === "resolved" ? outcome.run.run_id : undefined);
        const key = record.error?.idempotencyKey;
        // Under faults and a loaded machine a resumed wait or a re-sent create can fail again; each failure names
        // the run or the key, so resume again (the key keeps every re-send on the one run).
        const again: ((signal: AbortSignal) => Promise<Run>) | undefined =
          runId !== undefined
            ? (signal) =>
                recoveryFlora.techniques.runs.wait(
                  { run_id: runId, techniqueId: TECHNIQUE },
                  {
                    intervalMs: options.intervalMs,
                    maxIntervalMs: options.maxIntervalMs,
                    timeoutMs: options.waitTimeoutMs,
                    signal,
                  },
                )
            : key !== undefined
              ? (signal) => resend(record.marker, signal, () => undefined, key)
              : undefined;
        let resumed: Outcome | undefined;
        for (let resume = 0; again && resume < RECOVERY_RESUMES && resumed?.kind !== "resolved"; resume++)
          resumed = await guarded(options.watchdogMs, again);
        const run = resumed?.kind === "resolved" ? resumed.run : undefined;
        const reachedEnd = options.phase === "create" || isTerminal(run);
        record.recovered =
          run !== undefined && reachedEnd && (record.runIds.length === 0 || record.runIds.includes(run.run_id));
      });
    }

    // Duplicates are counted after recovery, so a recovery that made a second run shows; the rest as the calls ended.
    const finalRuns = countRunsPerCall(server);
    for (const record of records) record.runIdsAfterRecovery = finalRuns.get(record.marker) ?? [];
    const hasRun = (record: CallRecord) => record.runIds.length > 0;
    const carriesHandle = (record: CallRecord) =>
      record.error !== undefined &&
      (record.error.name === IdempotencyError.name ||
        record.error.runId !== undefined ||
        record.error.idempotencyKey !== undefined);
    const errorsByName: Record<string, number> = {};
    for (const record of records) {
      if (record.error) errorsByName[record.error.name] = (errorsByName[record.error.name] ?? 0) + 1;
    }
    const faultsByKind = Object.fromEntries(applicableKinds.map((kind) => [kind, stats.faults[kind]]));
    return {
      sdk,
      phase: options.phase,
      applicable: true,
      calls: options.calls,
      attempts: stats.attempts[route],
      faulted: applicableKinds.reduce((sum, kind) => sum + stats.faults[kind], 0),
      faultsByKind,
      applicableKinds,
      succeeded: records.filter((r) => r.terminal).length,
      nonTerminal: records.filter((r) => r.outcome === "resolved" && !r.terminal).length,
      failed: records.filter((r) => r.outcome === "rejected").length,
      hung: records.filter((r) => r.outcome === "hung").length,
      runsCreated: [...finalRuns.values()].reduce((sum, ids) => sum + ids.length, 0),
      duplicates: records.filter((r) => r.runIdsAfterRecovery.length > 1).length,
      lost: records.filter((r) => r.outcome !== "resolved" && hasRun(r) && !carriesHandle(r)).length,
      errorsWithoutRunId: records.filter(
        (r) => r.outcome === "rejected" && hasRun(r) && r.createDelivered && r.error?.runId === undefined,
      ).length,
      recovered: records.filter((r) => r.recovered === true).length,
      unhandled,
      errorsByName,
      seconds,
      records,
    };
  } finally {
    await server.close();
    // Let late rejections surface before the listener goes.
    await new Promise((r) => setTimeout(r, 50));
    process.off("unhandledRejection", onUnhandled);
  }
}
