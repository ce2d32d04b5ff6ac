// `stream`, loaded on first use: a run's text/event-stream as run snapshots, or the JSON run a server sent instead.
import {
  operationDescriptors,
  type CreateTechniqueRunBody,
  type CreateTechniqueRunStreamData,
  type Run,
} from "../generated/index.js";
// The client's own root error (every SDKError is one): importing it from flora.ts also lets a bundler keep the
// client in the chunk of the modules it shares with this one, instead of importing each across chunks.
import {
  FloraError,
  type CreateAndWaitOptions,
  type RunReference,
  type StreamRunBody,
  type WaitOptions,
} from "./flora.js";
import {
  checkSnapshot,
  checkWaitOptions,
  createIdempotency,
  isTerminal,
  snapshotError,
  startLimit,
  type Limit,
  type RunOrigin,
} from "./run-rules.js";
import { resolveIdempotencyKey, type Runtime } from "./runtime/client.js";
import { APIConnectionError, errorFromResponse, StreamParseError } from "./runtime/errors.js";
import { isEventStream } from "./runtime/fetch.js";
import type { RequestOptions } from "./runtime/types.js";
import { parseJsonEvent, readEvents, type SSEEvent } from "./runtime/sse.js";
import { checkCreateCall } from "./validate.js";

/** Yields each event as a run snapshot; an `error` event or one that is not a run throws StreamParseError. */
export async function* readRunEvents(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
  redact: (text: string) => string,
): AsyncGenerator<CreateTechniqueRunStreamData, void, undefined> {
  let index = 0;
  // redacted before parsing, so neither a quoted snippet nor a parse error can carry a cut secret
  for await (const event of readEvents(body, { data: "text", redact, signal }))
    yield readRunEvent(event as SSEEvent, index++);
}

function readRunEvent(event: SSEEvent, index: number): CreateTechniqueRunStreamData {
  if (event.event === "error")
    throw new StreamParseError(`Stream event ${index} reported an error: ${event.data.slice(0, 200)}`);
  const run = parseJsonEvent<Partial<Run>>(event, index);
  if (!isRunLike(run))
    throw new StreamParseError(
      `Stream event ${index} ("${event.event}") is not a run snapshot: ${event.data.slice(0, 200)}`,
    );
  return run;
}

/** The JSON answer of a server that did not stream; anything but a run is a MalformedResponseError. */
export async function readJsonRun(response: Response, redact: (text: string) => string): Promise<Run> {
  const text = redact(await response.text());
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errorFromResponse(response, text, {});
  }
  if (!isRunLike(value)) throw errorFromResponse(response, text, { problem: "is not a run" });
  return value;
}

/** What `streamRun` needs of the client that calls it. */
export interface StreamHost {
  runtime: Runtime;
  /** The client's default retries, also how often a stream cut before its first snapshot is re-sent. */
  maxRetries: number;
  remember(run: Run, origin: RunOrigin): Run;
  annotate(error: unknown, run: RunReference, idempotencyKey: string | undefined): FloraError;
  poll(start: RunReference, options: WaitOptions, request: RequestOptions, limit: Limit): AsyncGenerator<Run>;
}

/**
 * `flora.techniques.runs.stream`: starts a run in mode "stream" and yields each snapshot until a terminal one.
 * A stream cut (or silent) before its first snapshot is re-sent with the same key, which replays the same run;
 * after it, the run is polled to its end. Every error after the run exists names it (runId, run, key).
 */
export async function* streamRun(
  host: StreamHost,
  techniqueId: string,
  body: StreamRunBody,
  options: CreateAndWaitOptions,
): AsyncGenerator<CreateTechniqueRunStreamData, void, undefined> {
  const streamBody = { ...body, mode: "stream" } as CreateTechniqueRunBody;
  checkCreateCall(techniqueId, streamBody, host.runtime);
  checkWaitOptions(options, options?.waitTimeoutMs, host.runtime.redact);
  const { runtime } = host;
  const idempotencyKey = resolveIdempotencyKey(createIdempotency, streamBody, options.idempotencyKey);
  const limit = startLimit(options.signal, options.waitTimeoutMs);
  const request = { ...options, idempotencyKey, signal: limit.signal };
  const origin = { techniqueId, idempotencyKey };
  let last: Run | undefined;
  try {
    for (let attempt = 0; last === undefined; attempt++) {
      const { response } = await runtime.send(
        operationDescriptors.createTechniqueRun,
        { path: { techniqueId }, body: streamBody },
        request,
      );
      if (!isEventStream(response) || !response.body) {
        last = host.remember(await readJsonRun(response, runtime.redactText), origin);
        checkSnapshot(last);
        await options.onProgress?.(last);
        yield last;
        break;
      }
      try {
        for await (const snapshot of readRunEvents(response.body, limit.signal, runtime.redactText)) {
          if (last !== undefined && snapshot.run_id !== last.run_id) {
            throw snapshotError(
              snapshot,
              `has run_id ${JSON.stringify(snapshot.run_id)} where the stream began with ${JSON.stringify(last.run_id)}`,
            );
          }
          // remembered before it is checked: a malformed snapshot still names the run
          last = host.remember(snapshot, origin);
          checkSnapshot(last);
          await options.onProgress?.(last);
          yield last;
          if (isTerminal(last)) return;
        }
        // a clean end before any snapshot is a cut like any other: the create is re-sent with the same key
        if (last === undefined) throw new APIConnectionError("The event stream ended before sending any run snapshot.");
      } catch (error) {
        // A cut or silent stream is recoverable: by polling once the run is known, else by re-sending.
        if (!isCut(error) || limit.signal.aborted) throw error;
        if (last === undefined && attempt >= (options.maxRetries ?? host.maxRetries)) throw error;
      }
    }
    for await (const snapshot of host.poll({ ...last, techniqueId }, options, request, limit)) {
      last = snapshot;
      await options.onProgress?.(snapshot);
      yield snapshot;
    }
  } catch (error) {
    if (last !== undefined) throw host.annotate(limit.explain(error, last.run_id, last), last, idempotencyKey);
    const explained = limit.explain(error, undefined, undefined);
    if (explained instanceof FloraError) explained.idempotencyKey ??= idempotencyKey;
    throw runtime.redact(explained);
  } finally {
    limit.dispose();
  }
}

/** A stream broken by the transport or gone silent, as opposed to a malformed event or the caller's abort. */
export function isCut(error: unknown): boolean {
  return !(error instanceof FloraError) || error instanceof APIConnectionError;
}

/** Enough of a run to poll or return: a string `run_id` and `status`. */
export function isRunLike(value: unknown): value is Run {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Run).run_id === "string" &&
    typeof (value as Run).status === "string"
  );
}
