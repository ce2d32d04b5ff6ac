import type { ServerResponse } from "node:http";
import type { StreamFault } from "./faults.js";
import { canWrite } from "./http.js";
import { isTerminal, nextRunChangeAt, runSnapshot, type RunRecord } from "./runs.js";
import type { TimerRegistry } from "./timers.js";

/** Name of the event carrying each run snapshot. */
export const RUN_UPDATE_EVENT = "run.update";
/** Reconnection delay advertised by the `retry:` line. */
export const SSE_RETRY_MS = 1000;

/**
 * One SSE event whose JSON is pretty-printed across several `data:` lines; a conforming parser
 * joins them with "\n", which JSON accepts as whitespace.
 */
export function formatSseEvent(event: string, payload: unknown, id?: string): string {
  const data = JSON.stringify(payload, null, 2)
    .split("\n")
    .map((line) => `data: ${line}\n`)
    .join("");
  return `event: ${event}\n${id === undefined ? "" : `id: ${id}\n`}${data}\n`;
}

export interface RunStreamOptions {
  timers: TimerRegistry;
  keepAliveMs: number;
  /** Spoils the stream after its first event; see FaultKind. */
  fault?: StreamFault;
}

/** Lets the first event reach the client before the socket goes, so the reset never races it. */
const RESET_AFTER_EVENT_MS = 20;

/**
 * Streams a run as `run.update` events, one per status or progress change, ending the response
 * after the terminal one, or as `options.fault` says after the first. Returns a function that stops
 * the stream early (used by close()).
 */
export function streamRunEvents(res: ServerResponse, record: RunRecord, options: RunStreamOptions): () => void {
  const { timers } = options;
  let eventId = 0;
  let lastShown = "";
  let changeTimer: NodeJS.Timeout | undefined;
  const keepAlive = timers.setInterval(() => write(": keep-alive\n\n"), options.keepAliveMs);

  function write(chunk: string): void {
    if (canWrite(res)) res.write(chunk);
  }

  function stop(): void {
    timers.clear(keepAlive);
    if (changeTimer !== undefined) timers.clear(changeTimer);
    if (canWrite(res)) res.end();
  }

  function emitChanges(): void {
    if (!canWrite(res)) return stop();
    const now = Date.now();
    const run = runSnapshot(record, now);
    const shown = `${run.status}:${run.progress}`;
    if (shown !== lastShown) {
      lastShown = shown;
      eventId += 1;
      write(formatSseEvent(RUN_UPDATE_EVENT, run, String(eventId)));
    }
    if (options.fault !== undefined) return spoil(options.fault);
    if (isTerminal(run)) return stop();
    const nextAt = nextRunChangeAt(record, now) ?? now;
    changeTimer = timers.setTimeout(emitChanges, Math.ceil(nextAt - now));
  }

  function spoil(fault: StreamFault): void {
    if (fault === "stream-cut") return stop();
    timers.clear(keepAlive);
    if (fault === "stream-reset") {
      timers.setTimeout(() => res.socket?.destroy(), RESET_AFTER_EVENT_MS);
    }
  }

  res.on("close", stop);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
  });
  write(`retry: ${SSE_RETRY_MS}\n\n: keep-alive\n\n`);
  emitChanges();
  return stop;
}
