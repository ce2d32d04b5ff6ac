// A text/event-stream parser following the WHATWG EventSource rules, on Web Streams only so it bundles for browsers.
import { StreamParseError } from "./errors.js";
import type { EventDataFormat, OperationDescriptor } from "./types.js";

export { StreamParseError };
// the retrying fetch times an event stream's reads with it; from here, both load as one chunk
export { idleTimedStream } from "./event-stream-body.js";

export interface SSEEvent {
  /** The `event` field, or "message" when the event named none. */
  event: string;
  /** The `data` lines joined with "\n". */
  data: string;
  /** The last event id seen on the stream (ids persist across events, per the spec); absent while empty. */
  id?: string;
  /** The last valid `retry` value seen on the stream, in milliseconds. */
  retry?: number;
}

const MESSAGE_PREVIEW_CHARS = 200;
/** The longest line or event accepted, in characters; a stream that never ends a line must not fill memory. */
export const MAX_EVENT_CHARS = 4 * 1024 * 1024;

/**
 * Yields the events of a `text/event-stream` body. A final event without its blank line is not
 * dispatched (per spec). Stopping early or aborting `signal` cancels the body; an abort rethrows `signal.reason`.
 */
export async function* parseSSE(
  body: ReadableStream<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<SSEEvent> {
  const { signal } = options;
  const reader = body.getReader();
  // Cancelling settles a pending read, so an abort does not wait for the next chunk.
  const cancelOnAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", cancelOnAbort, { once: true });
  const decoder = new TextDecoder(); // strips one leading BOM and joins UTF-8 sequences split across chunks
  const lines = createLineSplitter();
  const events = createEventBuilder();
  let finished = false;
  try {
    signal?.throwIfAborted();
    while (true) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) {
        finished = true;
        return; // An unterminated last line or event is discarded, as the spec requires.
      }
      for (const line of lines.push(decoder.decode(value, { stream: true }))) {
        const event = events.pushLine(line);
        if (event === undefined) continue;
        yield event;
        signal?.throwIfAborted();
      }
    }
  } finally {
    signal?.removeEventListener("abort", cancelOnAbort);
    // A stream that already errored rejects cancel() with that error, which is already propagating.
    if (!finished) await reader.cancel(signal?.reason).catch(() => undefined);
    reader.releaseLock();
  }
}

/** Parses an event's data as JSON; `index` is the event's position in the stream, used in the error message. */
export function parseJsonEvent<T = unknown>(event: SSEEvent, index: number): T {
  try {
    return JSON.parse(event.data) as T;
  } catch (error) {
    const preview =
      event.data.length > MESSAGE_PREVIEW_CHARS ? `${event.data.slice(0, MESSAGE_PREVIEW_CHARS)}…` : event.data;
    throw new StreamParseError(
      `Stream event ${index} ("${event.event}"): field data is not valid JSON (${(error as Error).message}); data starts: ${preview}`,
      { cause: error },
    );
  }
}

/**
 * The events of an operation's event stream as a generated streaming method yields them: every field redacted
 * before parsing (so neither a quoted snippet nor a parse error can carry a cut secret), `data` parsed as JSON
 * when the spec says the event's data (every event's, or that event name's) is JSON.
 */
export async function* readEvents(
  body: ReadableStream<Uint8Array>,
  options: { data: EventDataFormat; redact: (text: string) => string; signal?: AbortSignal },
): AsyncGenerator<Omit<SSEEvent, "data"> & { data: unknown }, void, undefined> {
  const { data, redact, signal } = options;
  let index = 0;
  for await (const raw of parseSSE(body, { signal })) {
    const event = {
      ...raw,
      event: redact(raw.event),
      data: redact(raw.data),
      ...(raw.id === undefined ? {} : { id: redact(raw.id) }),
    };
    // own keys only: an event named "constructor" must not reach Object.prototype
    const format =
      typeof data === "string"
        ? data
        : Object.hasOwn(data.events, event.event)
          ? data.events[event.event]
          : data.otherwise;
    yield format === "json" ? { ...event, data: parseJsonEvent(event, index) } : event;
    index++;
  }
}

/** Splits decoded text into lines ended by CRLF, LF or CR, keeping a partial line until its end arrives. */
function createLineSplitter(): { push(text: string): string[] } {
  // Each chunk is scanned once and the unfinished line grows by concatenation, so a long line costs linear time.
  let partial = "";
  // A chunk that ended in CR may be followed by the LF of the same CRLF.
  let skipLeadingLF = false;
  return {
    push(text) {
      const rest = skipLeadingLF && text.charCodeAt(0) === 0x0a ? text.slice(1) : text;
      if (text.length > 0) skipLeadingLF = text.endsWith("\r");
      const lines = rest.split(/\r\n|\r|\n/);
      lines[0] = partial + lines[0];
      partial = lines.pop() ?? "";
      if (partial.length > MAX_EVENT_CHARS)
        throw new StreamParseError(`An event stream line exceeds ${MAX_EVENT_CHARS} characters.`);
      return lines;
    },
  };
}

/** Applies the spec's field rules line by line and returns an event when a blank line dispatches one. */
function createEventBuilder(): { pushLine(line: string): SSEEvent | undefined } {
  let dataLines: string[] = [];
  let dataChars = 0;
  let eventType = "";
  let lastEventId = "";
  let retry: number | undefined;
  const dispatch = (): SSEEvent | undefined => {
    const lines = dataLines;
    const type = eventType;
    dataLines = [];
    dataChars = 0;
    eventType = "";
    if (lines.length === 0) return undefined; // an event without data is not dispatched
    const event: SSEEvent = { event: type || "message", data: lines.join("\n") };
    if (lastEventId !== "") event.id = lastEventId;
    if (retry !== undefined) event.retry = retry;
    return event;
  };
  return {
    pushLine(line) {
      if (line === "") return dispatch();
      if (line.charCodeAt(0) === 0x3a) return undefined; // ":" starts a comment
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.charCodeAt(0) === 0x20) value = value.slice(1);
      if (field === "data") {
        dataLines.push(value);
        dataChars += value.length + 1;
        if (dataChars > MAX_EVENT_CHARS)
          throw new StreamParseError(`An event's data exceeds ${MAX_EVENT_CHARS} characters.`);
      } else if (field === "event") eventType = value;
      else if (field === "id" && !value.includes("\0")) lastEventId = value;
      else if (field === "retry" && /^\d+$/.test(value)) retry = Number(value);
      return undefined;
    },
  };
}

/** A generated streaming method's events, from an event stream's body (the runtime refuses any other answer first). */
export async function* operationEvents(
  body: ReadableStream<Uint8Array>,
  operation: OperationDescriptor,
  signal: AbortSignal | undefined,
  redact: ((text: string) => string) | undefined,
): AsyncGenerator<unknown> {
  yield* readEvents(body, { data: operation.eventData ?? "text", redact: redact ?? String, signal });
}
