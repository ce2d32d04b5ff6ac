// An abortable delay, injectable so tests never sleep for real backoff.
import { onAbort } from "./abort.js";
import { APIUserAbortError } from "./errors.js";

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Resolves after `ms`, or rejects with APIUserAbortError as soon as `signal` aborts. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError(undefined, { cause: signal.reason }));
    const unlink = onAbort(signal, () => {
      clearTimeout(timer);
      reject(new APIUserAbortError(undefined, { cause: signal?.reason }));
    });
    const timer = setTimeout(() => {
      unlink();
      resolve();
    }, ms);
  });
