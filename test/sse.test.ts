import { describe, expect, it } from "vitest";
import { SDKError } from "../src/runtime/errors.js";
import { parseJsonEvent, parseSSE, StreamParseError, type SSEEvent } from "../src/runtime/sse.js";

const utf8 = new TextEncoder();

interface TrackedStream {
  stream: ReadableStream<Uint8Array>;
  /** The reasons cancel() was called with, one entry per call. */
  cancelled: unknown[];
  /** How many chunks the consumer has pulled so far. */
  pulled(): number;
}

/** A pull-based stream over the given chunks (strings are UTF-8 encoded), recording cancel() calls. */
function streamOf(chunks: Array<string | Uint8Array>, options: { endless?: boolean } = {}): TrackedStream {
  const cancelled: unknown[] = [];
  let index = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (index < chunks.length) {
          const chunk = chunks[index++];
          controller.enqueue(typeof chunk === "string" ? utf8.encode(chunk) : chunk);
        } else if (!options.endless) {
          controller.close();
        }
        // An endless stream never answers the next pull, like a server that went quiet.
      },
      cancel(reason) {
        cancelled.push(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, cancelled, pulled: () => index };
}

async function collect(chunks: Array<string | Uint8Array>): Promise<SSEEvent[]> {
  const events: SSEEvent[] = [];
  for await (const event of parseSSE(streamOf(chunks).stream)) events.push(event);
  return events;
}

/** Every way to cut `text` into two chunks, so terminators and characters are split at each position. */
function allSplits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

describe("parseSSE", () => {
  it("joins multi-line data with \\n and defaults the event name to message", async () => {
    expect(await collect(["data: first\ndata: second\ndata:third\n\n"])).toEqual([
      { event: "message", data: "first\nsecond\nthird" },
    ]);
  });

  it("strips only one leading space and keeps colons inside the value", async () => {
    expect(await collect(["data:  two spaces\ndata: a: b:c\n\n"])).toEqual([
      { event: "message", data: " two spaces\na: b:c" },
    ]);
  });

  it("ignores comments, unknown fields and heartbeats", async () => {
    expect(await collect([": keep-alive\n\n:another\nfoo: bar\ndata: x\n: inside\n\n"])).toEqual([
      { event: "message", data: "x" },
    ]);
  });

  it("reads event names and resets them after each dispatch", async () => {
    expect(await collect(["event: snapshot\ndata: 1\n\ndata: 2\n\nevent:done\ndata\n\n"])).toEqual([
      { event: "snapshot", data: "1" },
      { event: "message", data: "2" },
      { event: "done", data: "" },
    ]);
  });

  it("keeps the last id across events, resets it on an empty id, and ignores ids with NUL", async () => {
    const events = await collect(["id: 7\ndata: a\n\ndata: b\n\nid: 8\u0000x\ndata: c\n\nid\ndata: d\n\n"]);
    expect(events.map((e) => e.id)).toEqual(["7", "7", "7", undefined]);
  });

  it("takes retry only when it is all ASCII digits, and keeps it as stream state", async () => {
    const events = await collect([
      "retry: 1500\ndata: a\n\nretry: 2x\ndata: b\n\nretry: -1\nretry:\ndata: c\n\nretry: 20\n\ndata: d\n\n",
    ]);
    expect(events.map((e) => e.retry)).toEqual([1500, 1500, 1500, 20]);
  });

  it("does not dispatch an event without data", async () => {
    expect(await collect(["event: ping\n\nid: 1\n\nretry: 10\n\ndata: real\n\n"])).toEqual([
      { event: "message", data: "real", id: "1", retry: 10 },
    ]);
  });

  it("does not dispatch a final event without its blank line", async () => {
    expect(await collect(["data: complete\n\ndata: incomplete\n"])).toEqual([{ event: "message", data: "complete" }]);
    expect(await collect(["data: complete\n\ndata: no newline at all"])).toEqual([
      { event: "message", data: "complete" },
    ]);
  });

  it("accepts CRLF, LF and CR line endings, mixed", async () => {
    expect(await collect(["data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r"])).toEqual([
      { event: "message", data: "a\nb\nc" },
      { event: "message", data: "d" },
    ]);
  });

  it("treats CR-only lines as line ends", async () => {
    expect(await collect(["event: x\rdata: 1\r\rdata: 2\r\r"])).toEqual([
      { event: "x", data: "1" },
      { event: "message", data: "2" },
    ]);
  });

  it("parses identically wherever a CRLF stream is split into two chunks", async () => {
    const text = "event: e\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n";
    const expected = [
      { event: "e", data: "1" },
      { event: "message", data: "2" },
    ];
    for (const chunks of allSplits(text)) expect(await collect(chunks)).toEqual(expected);
  });

  it("does not swallow a blank line when a CR ends one chunk and the next starts with CR", async () => {
    expect(await collect(["data: a\r", "\r", "data: b\r", "\n", "\r\n"])).toEqual([
      { event: "message", data: "a" },
      { event: "message", data: "b" },
    ]);
  });

  it("keeps a CR-split pending across an empty chunk", async () => {
    expect(await collect(["data: a\r", new Uint8Array(0), "\ndata: b\n\n"])).toEqual([
      { event: "message", data: "a\nb" },
    ]);
  });

  it("decodes multi-byte UTF-8 characters split across chunks", async () => {
    const bytes = utf8.encode("data: héllo 🌸 世界\n\n");
    const expected = [{ event: "message", data: "héllo 🌸 世界" }];
    for (let i = 0; i <= bytes.length; i++) {
      expect(await collect([bytes.slice(0, i), bytes.slice(i)])).toEqual(expected);
    }
    expect(await collect(Array.from(bytes, (byte) => new Uint8Array([byte])))).toEqual(expected);
  });

  it("strips a leading BOM, even when split, but keeps one that is not at the start", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    expect(await collect([bom, "data: x\n\n"])).toEqual([{ event: "message", data: "x" }]);
    expect(await collect([bom.slice(0, 2), bom.slice(2), "data: x\n\n"])).toEqual([{ event: "message", data: "x" }]);
    // Without stripping, the first field would be named "\uFEFFdata" and ignored.
    expect(await collect(["\uFEFFdata: x\n\n\uFEFFdata: y\n\ndata: z\n\n"])).toEqual([
      { event: "message", data: "x" },
      { event: "message", data: "z" },
    ]);
  });

  it("yields events as their chunks arrive, without waiting for the stream to end", async () => {
    const source = streamOf(["data: 1\n\n", "data: 2\n\n"], { endless: true });
    const iterator = parseSSE(source.stream);
    expect((await iterator.next()).value).toEqual({ event: "message", data: "1" });
    expect(source.pulled()).toBe(1);
    expect((await iterator.next()).value).toEqual({ event: "message", data: "2" });
    await iterator.return(undefined);
  });

  it("cancels the source and releases the lock when the consumer breaks early", async () => {
    const source = streamOf(["data: 1\n\ndata: 2\n\n", "data: 3\n\n"], { endless: true });
    const seen: string[] = [];
    for await (const event of parseSSE(source.stream)) {
      seen.push(event.data);
      break;
    }
    expect(seen).toEqual(["1"]);
    expect(source.cancelled).toHaveLength(1);
    expect(source.stream.locked).toBe(false);
  });

  it("releases the lock without cancelling after a normal end", async () => {
    const source = streamOf(["data: 1\n\n"]);
    for await (const event of parseSSE(source.stream)) expect(event.data).toBe("1");
    expect(source.cancelled).toEqual([]);
    expect(source.stream.locked).toBe(false);
  });

  it("aborting while a read is pending cancels the source with the reason and rethrows it", async () => {
    const source = streamOf(["data: 1\n\n"], { endless: true });
    const controller = new AbortController();
    const iterator = parseSSE(source.stream, { signal: controller.signal });
    expect((await iterator.next()).value?.data).toBe("1");
    const pending = iterator.next();
    const reason = new Error("user gave up");
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(source.cancelled).toEqual([reason]);
    expect(source.stream.locked).toBe(false);
  }, 5_000); // a regression here hangs on the never-answered read, so fail fast

  it("aborting between events stops before the next buffered event", async () => {
    const source = streamOf(["data: 1\n\ndata: 2\n\n"], { endless: true });
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(async () => {
      for await (const event of parseSSE(source.stream, { signal: controller.signal })) {
        seen.push(event.data);
        controller.abort();
      }
    }).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual(["1"]);
    expect(source.cancelled).toHaveLength(1);
  });

  it("an already-aborted signal cancels the source without reading", async () => {
    const source = streamOf(["data: 1\n\n"]);
    const controller = new AbortController();
    controller.abort(new Error("before start"));
    await expect(parseSSE(source.stream, { signal: controller.signal }).next()).rejects.toThrow("before start");
    expect(source.pulled()).toBe(0);
    expect(source.cancelled).toHaveLength(1);
  });

  it("propagates a source error and releases the lock", async () => {
    const failure = new Error("connection reset");
    let sent = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(failure);
        sent = true;
        controller.enqueue(utf8.encode("data: 1\n\n"));
      },
    });
    const seen: string[] = [];
    await expect(async () => {
      for await (const event of parseSSE(stream)) seen.push(event.data);
    }).rejects.toBe(failure);
    expect(seen).toEqual(["1"]);
    expect(stream.locked).toBe(false);
  });
});

describe("parseJsonEvent", () => {
  it("parses the data of an event as JSON", () => {
    const run = parseJsonEvent<{ run_id: string }>({ event: "message", data: '{"run_id":"run_1"}' }, 0);
    expect(run.run_id).toBe("run_1");
  });

  it("throws StreamParseError naming the event number, name and field, with the data", () => {
    let error: unknown;
    try {
      parseJsonEvent({ event: "snapshot", data: "{not json" }, 3);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StreamParseError);
    expect(error).toBeInstanceOf(SDKError);
    expect((error as Error).name).toBe("StreamParseError");
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect((error as Error).message).toMatch(
      /^Stream event 3 \("snapshot"\): field data is not valid JSON \(.+\); data starts: \{not json$/,
    );
  });

  it("quotes only the first 200 characters of long data", () => {
    const data = `{"broken": ${"x".repeat(500)}`;
    expect(() => parseJsonEvent({ event: "message", data }, 0)).toThrow(
      new RegExp(`data starts: ${data.slice(0, 200).replace(/[{}]/g, "\\$&")}…$`),
    );
  });
});
