// What `stream` reads: a run's text/event-stream as run snapshots, or the JSON run a server sent instead.
import type { CreateTechniqueRunStreamData, Run } from "../generated/index.js";
import { errorFromResponse, StreamParseError } from "./runtime/index.js";
import { parseJsonEvent, readEvents, type SSEEvent } from "./runtime/sse.js";
import { isRunLike } from "./validate.js";

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
