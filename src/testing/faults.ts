/** Every fault the test server can inject, in a stable order. */
export const FAULT_KINDS = [
  "reset-before-commit",
  "reset-after-commit",
  "status-500",
  "status-502",
  "status-503",
  "rate-limit-retry-after-ms",
  "rate-limit-retry-after-seconds",
  "rate-limit-retry-after-date",
  "delay-after-commit",
  "truncated-json",
  "html-error",
  "stream-cut",
  "stream-reset",
  "stream-stall",
] as const;

/**
 * A fault the test server can inject into one attempt.
 *
 * - `reset-before-commit`: destroys the socket before anything is created.
 * - `reset-after-commit`: creates the run and records its idempotency key, then destroys the socket.
 * - `status-500` / `status-502` / `status-503`: a JSON error envelope, nothing created.
 * - `rate-limit-retry-after-ms`: 429 with `retry-after-ms`, nothing created.
 * - `rate-limit-retry-after-seconds`: 429 with `Retry-After: <seconds>`, nothing created.
 * - `rate-limit-retry-after-date`: 429 with `Retry-After: <HTTP date>`, nothing created.
 * - `delay-after-commit`: creates the run, then answers only after `faultDelayMs`.
 * - `truncated-json`: creates the run, then answers with a cut-off JSON body.
 * - `html-error`: a 502 `text/html` proxy page, nothing created.
 * - `stream-cut`: creates the run, sends its first event, then ends the event stream cleanly with no terminal event.
 * - `stream-reset`: creates the run, sends its first event, then destroys the socket.
 * - `stream-stall`: creates the run, sends its first event, then goes silent (no events, no keep-alive
 *   comments) while keeping the socket open until the client leaves or `close()`.
 *
 * On the retrieve route, "commit" means the run was looked up. The `stream-*` kinds apply only to
 * the stream route when the server answers with SSE; `truncated-json` does not apply there.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Routes faults can target: `create` is a POST with `mode: "async"` (or a body that is not
 * a valid create), `stream` a POST with `mode: "stream"`, `retrieve` a GET of one run (polls too),
 * `techniques` a GET of the technique catalogue or of one technique.
 */
export type FaultRoute = "create" | "retrieve" | "stream" | "techniques";

/** The SSE-only kinds, which need an event stream to spoil. */
export const STREAM_FAULT_KINDS = [
  "stream-cut",
  "stream-reset",
  "stream-stall",
] as const satisfies readonly FaultKind[];
/** A fault that spoils an event stream after its first event. */
export type StreamFault = (typeof STREAM_FAULT_KINDS)[number];

/**
 * The kinds that can take effect on `route`: every kind but the `stream-*` ones on create and
 * retrieve; on stream, every kind but `truncated-json` when it answers with SSE (`sse`, default true),
 * else the same kinds as create; on techniques, the kinds that answer before anything is looked up.
 */
export function faultKindsFor(route: FaultRoute, sse = true): FaultKind[] {
  if (route === "techniques") return FAULT_KINDS.filter(isPreCommitFault);
  const streamKinds: ReadonlySet<FaultKind> = new Set(STREAM_FAULT_KINDS);
  if (route === "stream" && sse) return FAULT_KINDS.filter((kind) => kind !== "truncated-json");
  return FAULT_KINDS.filter((kind) => !streamKinds.has(kind));
}

/** Random fault selection. */
export interface FaultOptions {
  /** Fraction of attempts on `routes` that get a fault, from 0 to 1. */
  rate: number;
  /** Kinds to choose from uniformly. Default: all of FAULT_KINDS. */
  kinds?: FaultKind[];
  /** Seed of the PRNG; the same seed and request order give the same faults. Default 1. */
  seed?: number;
  /** Routes whose attempts may get faults, and that injectFaults() targets. Default `["create"]` (async creates only). */
  routes?: FaultRoute[];
}

/** Faults that first create the run (or look it up), then spoil the answer. */
export type PostCommitFault = "reset-after-commit" | "delay-after-commit" | "truncated-json" | StreamFault;
/** Faults that answer before anything is created. */
export type PreCommitFault = Exclude<FaultKind, PostCommitFault>;

const POST_COMMIT_FAULTS: ReadonlySet<FaultKind> = new Set<PostCommitFault>([
  "reset-after-commit",
  "delay-after-commit",
  "truncated-json",
  ...STREAM_FAULT_KINDS,
]);

/** Whether a fault answers before the request creates anything. */
export function isPreCommitFault(kind: FaultKind): kind is PreCommitFault {
  return !POST_COMMIT_FAULTS.has(kind);
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function assertFaultKinds(kinds: readonly string[]): asserts kinds is FaultKind[] {
  for (const kind of kinds) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new TypeError(`Unknown fault kind "${kind}"; expected one of ${FAULT_KINDS.join(", ")}`);
    }
  }
}

/** Decides which attempt gets which fault: the injected queue first, then the seeded draw. */
export class FaultPlan {
  readonly #rate: number;
  readonly #kinds: FaultKind[];
  readonly #seed: number;
  readonly #routes: ReadonlySet<FaultRoute>;
  #random: () => number;
  #queue: FaultKind[] = [];

  constructor(options?: FaultOptions) {
    const rate = options?.rate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faults.rate must be between 0 and 1, got ${rate}`);
    const kinds = options?.kinds ?? [...FAULT_KINDS];
    assertFaultKinds(kinds);
    if (kinds.length === 0) throw new RangeError("faults.kinds must not be empty");
    this.#rate = rate;
    this.#kinds = [...kinds];
    this.#seed = options?.seed ?? 1;
    this.#routes = new Set(options?.routes ?? ["create"]);
    this.#random = mulberry32(this.#seed);
  }

  /** Queues faults for the next matching attempts, in order; they take precedence over the draw. */
  inject(kinds: readonly FaultKind[]): void {
    assertFaultKinds(kinds);
    this.#queue.push(...kinds);
  }

  /**
   * The fault for the next attempt on `route`, if any, among the kinds in `applicable`: the first
   * applicable queued kind (others stay queued), else a seeded draw among the applicable `kinds`.
   */
  next(route: FaultRoute, applicable: readonly FaultKind[] = FAULT_KINDS): FaultKind | undefined {
    if (!this.#routes.has(route)) return undefined;
    const queuedAt = this.#queue.findIndex((kind) => applicable.includes(kind));
    if (queuedAt >= 0) return this.#queue.splice(queuedAt, 1)[0];
    if (this.#rate === 0 || this.#random() >= this.#rate) return undefined;
    const pool = this.#kinds.filter((kind) => applicable.includes(kind));
    // Draw even when the pool is empty, so one route's kinds never shift another route's faults.
    const pick = this.#random();
    return pool.length === 0 ? undefined : pool[Math.floor(pick * pool.length)];
  }

  /** Empties the queue and restarts the PRNG from its seed. */
  reset(): void {
    this.#queue = [];
    this.#random = mulberry32(this.#seed);
  }
}
