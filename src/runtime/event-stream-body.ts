// An event stream's body as the retrying fetch hands it on: timed per read, and unlinked from the caller's signal
// once it ends. Its own module, loaded on the first event stream, so clients that never stream never bundle it.
import { APIConnectionError, APITimeoutError, APIUserAbortError, describeNetworkError } from "./errors.js";
import type { AttemptPolicy } from "./fetch.js";

/**
 * An event stream whose every read must bring bytes within the attempt timeout: a stream that goes silent
 * (keep-alive comments count as bytes) ends with APITimeoutError, as if cut. The caller's signal stays
 * linked until the stream ends, errors or is cancelled, and is unlinked then, so nothing outlives it.
 */
export function idleTimedStream(
  response: Response,
  controller: AbortController,
  policy: AttemptPolicy,
  unlink: () => void,
): Response {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const caller = policy.signal;
  let idle = false;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const release = () => {
    clearTimeout(idleTimer);
    unlink();
  };
  // A custom fetch may ignore the abort, so the pending read is also settled by cancelling the reader.
  const onAbort = () => void reader.cancel(controller.signal.reason).catch(() => undefined);
  controller.signal.addEventListener("abort", onAbort, { once: true });
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        idleTimer = setTimeout(() => {
          idle = true;
          controller.abort();
        }, policy.timeoutMs);
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          chunk = { done: true, value: undefined };
          if (!controller.signal.aborted) {
            release();
            stream.error(
              new APIConnectionError(`The event stream broke: ${describeNetworkError(error)}`, { cause: error }),
            );
            return;
          }
        }
        clearTimeout(idleTimer);
        if (caller?.aborted) {
          release();
          stream.error(new APIUserAbortError(undefined, { cause: caller.reason }));
        } else if (idle) {
          release();
          stream.error(new APITimeoutError(`The event stream sent nothing for ${policy.timeoutMs} ms.`));
        } else if (chunk.done) {
          release();
          stream.close();
        } else stream.enqueue(chunk.value);
      },
      cancel(reason) {
        release();
        controller.signal.removeEventListener("abort", onAbort);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
