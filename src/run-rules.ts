// The rules a run follows on the client: what a snapshot must be, when a wait ends, how long it may last.
import { operationDescriptors, type Run } from "../generated/index.js";
import { checkNumber, checkSignal, checkType, MILLISECONDS, shapeProblem } from "./runtime/check.js";
import {
  APIError,
  APITimeoutError,
  APIUserAbortError,
  MalformedResponseError,
  RateLimitError,
} from "./runtime/errors.js";
import { onAbort } from "./runtime/abort.js";
import type { ValueShape } from "./runtime/types.js";
import type { WaitOptions } from "./flora.js";

/** The overall limit of `wait`, `createAndWait` and `stream` unless the caller sets one: 30 minutes. */
export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;

/** Where a run object came from, so `wait(run)` can fall back to retrieve and name the key. */
export interface RunOrigin {
  techniqueId: string;
  idempotencyKey?: string;
}

/** The create operation's idempotency descriptor: header plus body field. */
export const createIdempotency = operationDescriptors.createTechniqueRun.idempotency;
/** What a run snapshot must be, from the spec's Run schema (required fields, their types, the status enum). */
export const runShape: ValueShape | undefined = operationDescriptors.retrieveTechniqueRun.responseShape;
const RUN_STATUSES: readonly unknown[] | undefined = runShape?.required?.status?.enum;

/** A polled or streamed snapshot must be a run as the spec's Run schema states: required fields, types, status. */
export function checkSnapshot(run: Partial<Run>): void {
  const problem = runShape && shapeProblem(run, runShape, "snapshot");
  if (problem) throw snapshotError(run, problem);
  checkStatus(run);
}

/** A status the spec does not define ends the wait at once: polling could never finish. */
export function checkStatus(run: Partial<Run>): void {
  if (typeof run.status !== "string") throw snapshotError(run, "is a run snapshot without a status");
  if (RUN_STATUSES && !RUN_STATUSES.includes(run.status)) {
    const known = RUN_STATUSES.join(", ");
    throw snapshotError(
      run,
      `has status ${JSON.stringify(run.status)}, which the spec does not define (${known}): the wait ends here`,
    );
  }
}

/** A snapshot that broke the spec, as a MalformedResponseError: it arrived in a 200 answer or event. */
export function snapshotError(run: Partial<Run>, problem: string): MalformedResponseError {
  // no body text: a cut snippet could keep half a secret; the run itself rides on the error as `run`
  return new MalformedResponseError(200, {}, "", problem);
}

export function checkWaitOptions(
  options: Pick<WaitOptions, "intervalMs" | "maxIntervalMs" | "onProgress" | "signal">,
  overall: unknown,
  /** The client's redaction: a value quoted in a message (a misplaced API key) is masked. */
  redact: (error: unknown) => unknown,
): void {
  try {
    checkType(options, "options", "object");
    checkType(options.onProgress, "onProgress", "function");
    checkSignal(options.signal, "signal");
    checkNumber(options.intervalMs, "intervalMs", MILLISECONDS);
    checkNumber(options.maxIntervalMs, "maxIntervalMs", MILLISECONDS);
    checkNumber(overall, "timeoutMs", { ...MILLISECONDS, infinite: true });
  } catch (error) {
    throw redact(error);
  }
}

/** The overall limit of a wait or stream: one signal for the caller's abort and the deadline, linked by hand. */
export interface Limit {
  signal: AbortSignal;
  /** The error to throw: an APITimeoutError past the deadline, APIUserAbortError after the caller's abort. */
  explain(error: unknown, runId: string | undefined, last: Partial<Run> | undefined): unknown;
  dispose(): void;
}

export function startLimit(caller: AbortSignal | undefined, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS): Limit {
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    timeoutMs === Infinity
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
  if (caller?.aborted) controller.abort(caller.reason);
  const unlink = caller?.aborted ? () => undefined : onAbort(caller, () => controller.abort(caller?.reason));
  return {
    signal: controller.signal,
    explain(error, runId, last) {
      if (timedOut && !caller?.aborted) {
        const what = runId === undefined ? "The run's event stream" : `Run ${runId}`;
        return new APITimeoutError(`${what} was still ${last?.status ?? "unfinished"} after ${timeoutMs} ms.`, {
          cause: error,
        });
      }
      if (caller?.aborted && !(error instanceof APIUserAbortError))
        return new APIUserAbortError(undefined, { cause: caller.reason });
      return error;
    },
    dispose() {
      clearTimeout(timer);
      unlink();
    },
  };
}

export function isTerminal(run: Partial<Run>): boolean {
  return run.status === "completed" || run.status === "failed";
}

/** 429 and 503 mean "poll later", not "give up". */
export function isBusy(error: unknown): error is APIError {
  return error instanceof RateLimitError || (error instanceof APIError && error.status === 503);
}

export function isUnusablePollUrl(error: unknown): boolean {
  return (
    error instanceof MalformedResponseError || (error instanceof APIError && [401, 403, 404].includes(error.status))
  );
}
