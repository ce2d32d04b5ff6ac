// createRuntime with hand-made descriptors: the spec-agnostic invoker, against real loopback servers.
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { Readable } from "node:stream";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  bufferedBody,
  createRetryingFetch,
  createRuntime,
  ValidationError,
  type OperationDescriptor,
  type RuntimeOptions,
} from "../src/runtime/index.js";
import type { Logger } from "../src/runtime/index.js";
import {
  recordingSleep,
  resetConnection,
  sendJson,
  startScriptedServer,
  type Handler,
  type ScriptedServer,
} from "./client-server.js";

const silentLoggerForTests: Logger = { error() {}, warn() {}, info() {}, debug() {} };
let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const base = { pathParams: [], queryParams: [], headerParams: [], response: "json" } as const;
const postNoKey: OperationDescriptor = {
  ...base,
  id: "sendEmail",
  method: "post",
  path: "/emails",
  requestBody: { contentType: "application/json", required: true },
};
const postWithKey: OperationDescriptor = {
  ...postNoKey,
  id: "createThing",
  path: "/things",
  idempotency: { header: "X-Request-Key" },
};
const patchNoKey: OperationDescriptor = {
  ...postNoKey,
  id: "patchThing",
  method: "patch",
  path: "/things/{id}",
  pathParams: ["id"],
};
const putThing: OperationDescriptor = {
  ...postNoKey,
  id: "putThing",
  method: "put",
  path: "/things/{id}",
  pathParams: ["id"],
};
const search: OperationDescriptor = {
  ...base,
  id: "search",
  method: "get",
  path: "/search/{kind}",
  pathParams: ["kind"],
  queryParams: ["q", "tags"],
  headerParams: ["x-tenant"],
};

async function runtimeFor(handler: Handler, options: Partial<RuntimeOptions> = {}) {
  server = await startScriptedServer(handler);
  const recorded = recordingSleep();
  const runtime = createRuntime({
    baseUrl: server.url,
    credentials: { authorization: "Bearer k" },
    maxRetries: 2,
    timeoutMs: 5_000,
    sleep: recorded.sleep,
    logger: silentLoggerForTests,
    ...options,
  });
  return { runtime, server, delays: recorded.delays };
}

describe("which requests are retried", () => {
  it("never re-sends a POST without an idempotency key, even after a reset", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => resetConnection(res));
    await expect(runtime.invoke(postNoKey, { body: { to: "a@b.c" } })).rejects.toThrow(APIConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it("never re-sends a POST without a key on 503, or a PATCH on 500", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 503, {}));
    await expect(runtime.invoke(postNoKey, { body: {} })).rejects.toThrow(/503/);
    await expect(runtime.invoke(patchNoKey, { path: { id: "1" }, body: {} })).rejects.toThrow(/503/);
    expect(server.requests).toHaveLength(2);
  });

  it("re-sends a POST with its key header, and a PUT, byte for byte", async () => {
    const { runtime, server } = await runtimeFor((_req, res, _seen, index) =>
      index % 2 === 0 ? resetConnection(res) : sendJson(res, 200, { ok: index }),
    );
    await expect(runtime.invoke(postWithKey, { body: { name: "x" } }, { idempotencyKey: "abc" })).resolves.toEqual({
      ok: 1,
    });
    await expect(runtime.invoke(putThing, { path: { id: "7" }, body: { name: "y" } })).resolves.toEqual({ ok: 3 });
    expect(server.requests.map((r) => [r.method, r.url, r.headers["x-request-key"], r.body])).toEqual([
      ["POST", "/api/v1/things", "abc", '{"name":"x"}'],
      ["POST", "/api/v1/things", "abc", '{"name":"x"}'],
      ["PUT", "/api/v1/things/7", undefined, '{"name":"y"}'],
      ["PUT", "/api/v1/things/7", undefined, '{"name":"y"}'],
    ]);
  });

  it("never re-sends a keyless POST whose 2xx body is malformed JSON", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{oops");
    });
    await expect(runtime.invoke(postNoKey, { body: {} })).rejects.toThrow(
      /200 response body \(application\/json\) is not valid JSON/,
    );
    expect(server.requests).toHaveLength(1);
  });

  it("adds no body field when the descriptor declares none", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    await runtime.invoke(postWithKey, { body: { name: "x" } });
    expect(JSON.parse(server.requests[0].body)).toEqual({ name: "x" });
    expect(server.requests[0].headers["x-request-key"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("adds the key's body field to the body as it is written: a class instance's JSON, form fields, not an array", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const keyed = (contentType: string): OperationDescriptor => ({
      ...postWithKey,
      queryParams: ["q"],
      requestBody: { contentType, required: true },
      idempotency: { header: "X-Request-Key", bodyField: "request_key" },
    });
    class Input {
      get name() {
        return "x";
      }
      toJSON() {
        return { name: this.name };
      }
    }
    const options = { idempotencyKey: "k-1" };
    // with a query, so the serializer writes the call
    await runtime.invoke(keyed("application/json"), { query: { q: "1" }, body: new Input() }, options);
    await runtime.invoke(keyed("application/json"), { body: { toJSON: () => ["a", "b"] } }, options);
    await runtime.invoke(
      keyed("application/x-www-form-urlencoded"),
      { body: new URLSearchParams({ a: "1" }) },
      options,
    );
    const form = new FormData();
    form.set("a", "1");
    await runtime.invoke(keyed("multipart/form-data"), { body: form }, options);
    const [json, array, urlencoded, multipart] = server.requests;
    expect(JSON.parse(json.body)).toEqual({ name: "x", request_key: "k-1" });
    expect(JSON.parse(array.body)).toEqual(["a", "b"]);
    expect(array.headers["x-request-key"]).toBe("k-1");
    expect(urlencoded.body).toBe("a=1&request_key=k-1");
    expect(multipart.body).toMatch(/name="a"\r\n\r\n1\r\n[\s\S]*name="request_key"\r\n\r\nk-1\r\n/);
    expect([...form.keys()]).toEqual(["a"]); // the caller's FormData as it was
  });

  it("redacts the runtime's secrets from the lines it logs", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const lines: string[] = [];
    const record = (line: string) => void lines.push(line);
    const { runtime } = await runtimeFor((_req, res) => sendJson(res, 200, {}), {
      secrets: [secret],
      maxRetries: 1,
      logger: { error: record, warn: record, info: record, debug: record },
      fetch: async () => {
        throw new TypeError(`refused Bearer ${secret}`);
      },
    });
    await expect(runtime.invoke(search, { path: { kind: "k" } })).rejects.toThrow();
    expect(lines.join("\n")).toMatch(/retrying/);
    expect(lines.join("\n")).not.toContain(secret);
  });
});

/** `{ d: { d: … 1 } }`, `levels` deep. */
function deep(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { d: value };
  return value;
}

describe("request building", () => {
  it("serializes path, query and header parameters and percent-encodes the path", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, []));
    await runtime.invoke(search, {
      path: { kind: "a b/../c" },
      query: { q: "x&y=z", tags: ["p", "q"] },
      header: { "x-tenant": "t1" },
    });
    expect(server.requests[0].url).toBe("/api/v1/search/a%20b%2F..%2Fc?q=x%26y%3Dz&tags=p&tags=q");
    expect(server.requests[0].headers["x-tenant"]).toBe("t1");
  });

  it("joins the query to a path that already has one (OpenAI's `…/input_items?beta=true`) with &, not a second ?", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, []));
    const beta: OperationDescriptor = { ...search, id: "betaSearch", path: "/search/{kind}?beta=true" };
    await runtime.invoke(beta, { path: { kind: "k?x" }, query: { q: "a", tags: ["p"] } });
    await runtime.invoke(beta, { path: { kind: "k" } });
    expect(server.requests.map((request) => request.url)).toEqual([
      "/api/v1/search/k%3Fx?beta=true&q=a&tags=p",
      "/api/v1/search/k?beta=true",
    ]);
  });

  it("refuses missing, empty and dot-segment path parameters", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, []));
    await expect(runtime.invoke(search, {})).rejects.toThrow("kind must not be empty.");
    await expect(runtime.invoke(search, { path: { kind: "." } })).rejects.toThrow('kind must not be "." or "..".');
    await expect(runtime.invoke(search, { path: { kind: ".." } })).rejects.toThrow(/must not be/);
    await expect(runtime.invoke(search, { path: { kind: Number.NaN } })).rejects.toThrow(
      "kind must be a finite number; got NaN.",
    );
    await expect(runtime.invoke(search, { path: { kind: -Infinity } })).rejects.toThrow("got -Infinity.");
    expect(server.requests).toHaveLength(0);
  });

  it("sends form and text bodies as their media types say", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const form: OperationDescriptor = {
      ...postNoKey,
      requestBody: { contentType: "application/x-www-form-urlencoded", required: true },
    };
    const text: OperationDescriptor = { ...postNoKey, requestBody: { contentType: "text/plain", required: true } };
    await runtime.invoke(form, { body: { a: "1", b: "x y" } });
    await runtime.invoke(text, { body: "plain words" });
    expect(server.requests[0].body).toBe("a=1&b=x+y");
    expect(server.requests[0].headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(server.requests[1].body).toBe("plain words");
    expect(server.requests[1].headers["content-type"]).toBe("text/plain");
  });

  it("sends a JSON sequence (NDJSON, JSON Lines, json-seq) one document a line, and its text as it is", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const sequence = (contentType: string): OperationDescriptor => ({
      ...postNoKey,
      requestBody: { contentType, required: true },
    });
    await runtime.invoke(sequence("application/x-ndjson"), { body: [{ a: 1 }, "two", [3]] });
    await runtime.invoke(sequence("application/jsonl"), { body: '{"a":1}\n{"b":2}\n' });
    await runtime.invoke(sequence("application/json-seq"), { body: [{ a: 1 }, { b: 2 }] });
    await runtime.invoke(sequence("application/x-ndjson"), { body: { one: 1 } });
    // any other media type naming json is JSON (AWS's x-amz-json-1.1, json5, x-json); a parameter does not count
    await runtime.invoke(sequence("application/x-amz-json-1.1"), { body: { TableName: "t" } });
    await runtime.invoke(sequence("text/x-ndjson"), { body: [1, 2] });
    await expect(
      runtime.invoke(sequence("application/octet-stream; x=json"), { body: { a: 1 } }),
    ).rejects.toMatchObject({ name: "ValidationError", field: "body" });
    expect(server.requests.map((r) => [r.headers["content-type"], r.body])).toEqual([
      ["application/x-ndjson", '{"a":1}\n"two"\n[3]\n'],
      ["application/jsonl", '{"a":1}\n{"b":2}\n'],
      ["application/json-seq", '\x1e{"a":1}\n\x1e{"b":2}\n'],
      ["application/x-ndjson", '{"one":1}\n'],
      ["application/x-amz-json-1.1", '{"TableName":"t"}'],
      ["text/x-ndjson", "1\n2\n"],
    ]);
    await expect(
      runtime.invoke(sequence("application/x-ndjson"), { body: [{ ok: 1 }, { file: new Blob([]) }] }),
    ).rejects.toMatchObject({ name: "ValidationError", field: "body[1].file" });
    expect(server.requests).toHaveLength(6);
    const { serializeBody } = await import("../src/runtime/serialize.js");
    const part = await (
      serializeBody(
        "multipart/form-data",
        { meta: { a: 1 } },
        { meta: { contentType: "application/x-amz-json-1.1" } },
      ) as Blob
    ).text();
    expect(part).toContain('Content-Type: application/x-amz-json-1.1\r\n\r\n{"a":1}\r\n');
  });

  it("refuses, naming where it sits, a JSON body value JSON would send as {}, null or nothing, before sending", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const refusal = async (body: unknown) =>
      runtime.invoke(postNoKey, { body }).then(
        () => "sent",
        (error: ValidationError) => [error.name, error.field, error.message],
      );
    const cases: Array<[unknown, string, string]> = [
      [{ inputs: [{ id: "image", value: new Blob(["png"]) }] }, "body.inputs[0].value", "Blob"],
      [{ file: new File(["x"], "a.txt") }, "body.file", "File"],
      [{ data: new Uint8Array([1, 2]) }, "body.data", "Uint8Array"],
      [{ data: new ArrayBuffer(2) }, "body.data", "ArrayBuffer"],
      [{ stream: new ReadableStream() }, "body.stream", "ReadableStream"],
      [{ tags: new Set(["a"]) }, "body.tags", "Set"],
      [{ "odd key": { m: new Map([["a", 1]]) } }, 'body["odd key"].m', "Map"],
      [{ run: Promise.resolve({ id: 1 }) }, "body.run", "Promise: an await missed?"],
      [{ error: new Error("x") }, "body.error", "Error"],
      [{ pattern: /a/ }, "body.pattern", "RegExp"],
      [{ headers: new Headers() }, "body.headers", "Headers"],
      [{ items: [1, 2].values() }, "body.items", "Array Iterator"],
      [{ source: Readable.from(["a"]) }, "body.source", "an async iterable: a Node Readable?"],
      [{ meta: { toJSON: () => new Map() } }, "body.meta", "Map"],
      [{ n: 10n }, "body.n", "bigint"],
      [{ ratio: Number.NaN }, "body.ratio", "NaN"],
      [{ ratio: new Number(Number.NaN) }, "body.ratio", "Number"],
      [[1, Infinity], "body[1]", "Infinity"],
      [{ list: [{ ok: 1 }, { f: [() => 1] }] }, "body.list[1].f[0]", "function"],
      [new Blob(["whole"]), "body", "Blob"],
      [() => "whole", "body", "function"],
      [{ toJSON: () => undefined }, "body", "undefined"],
      [{ at: new Date("not a date") }, "body.at", "null from toJSON"],
      [{ list: [1, undefined] }, "body.list[1]", "undefined"],
      // eslint-disable-next-line no-sparse-arrays
      [{ list: [1, , 3] }, "body.list[1]", "undefined"],
      [{ list: Object.assign([1], { toJSON: () => new Map() }) }, "body.list", "Map"],
      [deep(1_001), `body${".d".repeat(1_000)}`, "nested deeper than 1000 levels"],
      [deep(20_000), `body${".d".repeat(1_000)}`, "nested deeper than 1000 levels"],
    ];
    for (const [body, field, kind] of cases)
      expect(await refusal(body), field).toEqual([
        "ValidationError",
        field,
        `${field} (${kind}) cannot be sent as JSON: a JSON body holds only plain data.`,
      ]);
    const cycle: Record<string, unknown> = { list: [{}] };
    (cycle.list as object[])[0] = { back: cycle };
    await expect(runtime.invoke(postNoKey, { body: cycle })).rejects.toMatchObject({
      name: "ValidationError",
      field: "body.list[0].back",
      message: "body.list[0].back (a cycle) cannot be sent as JSON: a JSON body holds only plain data.",
    });
    // the same object twice, not inside itself, is no cycle
    const shared = { a: 1 };
    expect(await refusal({ x: shared, y: [shared], at: new Date(0) })).toBe("sent");
    expect(await refusal({ at: new Date(0), deep: deep(999) })).toBe("sent"); // 1,000 levels with the outer object
    server.requests.length = 0;
    // an error of the caller's own code (a getter, a toJSON) is the caller's, as it was thrown
    const broken = new TypeError("getter broke");
    const getter = Object.defineProperty({}, "g", {
      enumerable: true,
      get: () => {
        throw broken;
      },
    });
    await expect(runtime.invoke(postNoKey, { body: { nested: getter } })).rejects.toBe(broken);
    const throwing = {
      toJSON: () => {
        throw broken;
      },
    };
    await expect(runtime.invoke(postNoKey, { body: { at: new Date(0), nested: throwing } })).rejects.toBe(broken);
    expect(server.requests).toEqual([]);
    // plain data goes out as JSON.stringify writes it: toJSON's value (a Date, a Buffer's { type, data }), class
    // instances (their methods and function fields omitted, as undefined is), null-prototype objects, boxed values
    class Input {
      id = "image";
      describe = () => this.id;
      label() {
        return this.id;
      }
    }
    let reads = 0;
    const counted = Object.defineProperty({}, "v", { enumerable: true, get: () => ++reads });
    const plain = {
      at: new Date(0),
      bytes: Buffer.from("ab"),
      input: new Input(),
      bare: Object.assign(Object.create(null), { a: 1 }),
      boxed: [new String("s"), new Number(1), new Boolean(false)],
      list: [1, null, "x"],
      skipped: undefined,
      counted,
    };
    expect(await refusal(plain)).toBe("sent");
    expect(reads).toBe(1);
    reads = 0;
    expect(server.requests.map((r) => r.body)).toEqual([JSON.stringify(plain)]);
  });

  it("refuses, naming the field, binary data and functions in form fields and parameters, and NaN", async () => {
    const { serializeBody, querySerializer } = await import("../src/runtime/serialize.js");
    expect(() => serializeBody("application/x-www-form-urlencoded", { meta: { file: new Blob(["x"]) } })).toThrow(
      "meta.file (Blob) cannot be sent as JSON",
    );
    expect(() => serializeBody("application/x-www-form-urlencoded", { meta: { toJSON: () => undefined } })).toThrow(
      "meta (undefined) cannot be sent as JSON",
    );
    expect(() => serializeBody("multipart/form-data", { meta: { tags: new Set() } })).toThrow(
      "meta.tags (Set) cannot be sent as JSON",
    );
    expect(() => serializeBody("multipart/form-data", { meta: [{ ok: 1 }, { f: [() => 1] }] })).toThrow(
      "meta[1].f[0] (function) cannot be sent as JSON",
    );
    expect(() => serializeBody("multipart/form-data", { note: () => "source" })).toThrow("note must be a string");
    expect(() => serializeBody("multipart/form-data", { counts: [1, Number.NaN] })).toThrow(
      "counts[1] must be a string, number, boolean, array or plain object (as its schema says); got NaN.",
    );
    expect(() => serializeBody("multipart/form-data", { meta: { d: { toJSON: () => undefined } } })).not.toThrow();
    expect(() => serializeBody("multipart/form-data", { meta: { toJSON: () => undefined } })).toThrow(
      "meta (undefined) cannot be sent as JSON",
    );
    const query = querySerializer([{ name: "tags", in: "query", style: "form", explode: true }] as never);
    expect(() => query({ tags: { a: { f: new Map() } } })).toThrow("tags.a.f (Map) cannot be sent as JSON");
    expect(() => query({ tags: [1, [new Blob([])]] })).toThrow("tags[1][0] (Blob) cannot be sent as JSON");
    expect(() => query({ tags: Number.NaN })).toThrow(
      "tags must be a string, number, boolean, array or plain object (as its schema says); got NaN.",
    );
  });

  it("keeps a Content-Type the caller's headers name, in any case, instead of the body's", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    for (const name of ["Content-Type", "content-type", "CONTENT-TYPE"])
      await runtime.invoke(postNoKey, { body: { a: 1 } }, { headers: { [name]: "application/vnd.custom+json" } });
    await runtime.invoke(postNoKey, { body: { a: 1 } });
    expect(server.requests.map((r) => r.headers["content-type"])).toEqual([
      "application/vnd.custom+json",
      "application/vnd.custom+json",
      "application/vnd.custom+json",
      "application/json",
    ]);
  });

  it("never writes to the caller's plain data while it redacts: a copy stands for it, cycles included", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}), { secrets: [secret] });
    const settings: Record<string, unknown> = {
      apiKey: secret,
      list: [secret],
      frozen: Object.freeze({ key: secret }),
    };
    settings.self = { back: settings }; // a cycle through a copy
    const own = Object.assign(new TypeError(`failed with ${secret}`), { settings });
    const body = {
      get broken(): never {
        throw own;
      },
    };
    const thrown = (await runtime.invoke(postNoKey, { body }).catch((e: unknown) => e)) as TypeError & {
      settings: Record<string, unknown>;
    };
    // the caller's data is as it was
    expect(settings.apiKey).toBe(secret);
    expect(settings.list).toEqual([secret]);
    expect(settings.frozen).toEqual({ key: secret });
    expect((settings.self as { back: unknown }).back).toBe(settings);
    // an error (anyone's) is mended in place, so it keeps what only it has (internal slots, private fields)
    expect(thrown).toBe(own);
    expect(thrown.message).toBe("failed with [redacted]");
    expect(thrown.settings).not.toBe(settings);
    expect(thrown.settings.apiKey).toBe("[redacted]");
    expect((thrown.settings.self as { back: unknown }).back).toBe(thrown.settings);
    const seen = new WeakSet<object>();
    expect(
      JSON.stringify(thrown, (_key, value: unknown) => {
        if (typeof value === "object" && value !== null) {
          if (seen.has(value)) return undefined;
          seen.add(value);
        }
        return value;
      }) + String(thrown.stack),
    ).not.toContain(secret);
    expect(server.requests).toHaveLength(0);
  });

  it("redacts a DOMException a custom fetch throws without breaking it, and a frozen SDK error as a copy", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const failures = [new DOMException(`Failed to fetch with ${secret}`, "NetworkError")];
    const { runtime } = await runtimeFor((_req, res) => sendJson(res, 200, {}), {
      secrets: [secret],
      maxRetries: 0,
      fetch: async () => {
        throw failures[0];
      },
    });
    const error = (await runtime.invoke(search, { path: { kind: "k" } }).catch((e: unknown) => e)) as Error;
    const cause = error.cause as DOMException;
    expect(cause).toBe(failures[0]);
    expect([cause.name, cause.code]).toEqual(["NetworkError", 19]);
    expect(cause.message).toBe("Failed to fetch with [redacted]");
    expect(() => String(error) + inspect(error)).not.toThrow();
    expect(inspect(error, { depth: 5 })).not.toContain(secret);
    const { redactError, SDKError } = await import("../src/runtime/index.js");
    const frozen = Object.freeze(new SDKError(`upstream said ${secret}`));
    const redacted = redactError(frozen, [secret]);
    expect([redacted.message, frozen.message]).toEqual(["upstream said [redacted]", `upstream said ${secret}`]);
    expect(redacted).toBeInstanceOf(SDKError);
  });

  it("redacts a secret in Headers, a Map or Set, a Symbol-keyed or hidden property, and another realm's error", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const { runInNewContext } = await import("node:vm");
    const hidden = Symbol("request");
    const thrown = Object.assign(new TypeError("fetch failed"), {
      headers: new Headers({ authorization: `Bearer ${secret}` }),
      map: new Map([["token", secret]]),
      set: new Set([secret]),
      [hidden]: { authorization: secret },
      cause: runInNewContext(`new Error("realm says ${secret}")`) as Error,
    });
    // hidden, as a library's request config often is (a non-writable, non-configurable one cannot be mended in place)
    Object.defineProperty(thrown, "config", {
      value: { apiKey: secret },
      enumerable: false,
      writable: true,
      configurable: true,
    });
    const { runtime } = await runtimeFor((_req, res) => sendJson(res, 200, {}), {
      secrets: [secret],
      maxRetries: 0,
      fetch: async () => {
        throw thrown;
      },
    });
    const error = (await runtime.invoke(search, { path: { kind: "k" } }).catch((e: unknown) => e)) as Error;
    const shown = inspect(error, { depth: 8, showHidden: true });
    expect(shown).toContain("fetch failed");
    expect(shown).not.toContain(secret);
    const cause = error.cause as typeof thrown;
    expect(cause.headers.get("authorization")).toBe("Bearer [redacted]");
    expect([...cause.map.values(), ...cause.set]).toEqual(["[redacted]", "[redacted]"]);
  });

  it("redacts through cycles a copy closes late (a hidden cause, Sets) and a header whose name holds the secret", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const { redactError } = await import("../src/runtime/index.js");
    // a cause (non-enumerable) that leads back to plain data the redaction copies only after passing through it
    const settings: Record<string, unknown> = { request: undefined, apiKey: secret };
    settings.request = new Error("upstream failed", { cause: settings });
    const viaCause = redactError(Object.assign(new Error("failed"), { settings }), [secret]) as Error & {
      settings: { apiKey: string; request: Error };
    };
    expect(viaCause.settings.apiKey).toBe("[redacted]");
    expect((viaCause.settings.request.cause as typeof viaCause.settings).apiKey).toBe("[redacted]");
    expect(settings.apiKey).toBe(secret); // the caller's data is as it was
    // two Sets that hold each other, one with the secret
    const a = new Set<unknown>();
    const b = new Set<unknown>([secret, a]);
    a.add(b);
    const viaSets = redactError(Object.assign(new Error("failed"), { details: a }), [secret]) as Error & {
      details: Set<Set<unknown>>;
    };
    const [bCopy] = viaSets.details;
    const aCopy = [...bCopy][1] as Set<Set<unknown>>;
    expect([...bCopy][0]).toBe("[redacted]");
    expect([...[...aCopy][0]][0]).toBe("[redacted]");
    expect([...b][0]).toBe(secret);
    // a header name with the secret: the copy (which a name "x-[redacted]" would break) names it x-redacted
    const headers = new Headers({ [`x-${secret}`]: "1", authorization: `Bearer ${secret}` });
    const viaHeaders = redactError(Object.assign(new Error("failed"), { headers }), [secret]) as Error & {
      headers: Headers;
    };
    expect([...viaHeaders.headers]).toEqual([
      ["authorization", "Bearer [redacted]"],
      ["x-redacted", "1"],
    ]);
    expect([...(redactError(headers, [secret]) as Headers).keys()]).toEqual(["authorization", "x-redacted"]);
  });

  it("never throws, never writes the caller's data or collections, and keeps shapes (a breaker's findings)", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const { redactError, redactSecrets, SDKError } = await import("../src/runtime/index.js");
    const { runInNewContext } = await import("node:vm");
    // a Map's own property in a cycle through plain data copied late; the caller's Map keeps its own property
    const map = new Map([["k", "clean"]]) as Map<string, string> & { extra?: unknown; note?: string };
    const data = { back: map, s: secret };
    map.extra = data;
    map.note = `token ${secret}`;
    const viaMap = redactError(Object.assign(new Error("x"), { cause: data }), [secret]) as Error & {
      cause: { s: string; back: typeof map & { extra: { s: string } } };
    };
    expect([viaMap.cause.s, viaMap.cause.back.extra.s, viaMap.cause.back.note]).toEqual([
      "[redacted]",
      "[redacted]",
      "token [redacted]",
    ]);
    expect([map.note, data.s]).toEqual([`token ${secret}`, secret]);
    // a renamed key stays enumerable; an array keeps its holes, its length and its index names
    const renamed = redactError({ [`key-${secret}`]: 1, list: [secret, , "c"] }, [secret, "1"]) as Record<
      string,
      unknown
    >;
    expect(Object.keys(renamed)).toEqual(["list", "key-[redacted]"]);
    expect(renamed.list).toEqual(["[redacted]", , "c"]);
    expect(Object.keys(renamed.list as unknown[])).toEqual(["0", "2"]);
    // what cannot be read is replaced, never thrown: a revoked proxy, a trap that throws, a Map with its own `entries`
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const odd = Object.assign(new Map([["k", secret]]), { entries: "n/a" });
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("trap");
        },
      },
    );
    const survived = redactError(
      Object.assign(new Error("x"), { revoked: revoked.proxy, trap, odd, body: { s: secret } }),
      [secret],
    ) as unknown as Error & Record<string, unknown>;
    expect([survived.revoked, survived.trap, (survived.odd as Map<string, string>).get("k")]).toEqual([
      "[unreadable]",
      "[unreadable]",
      "[redacted]",
    ]);
    const whole = redactError(revoked.proxy, [secret]);
    expect(whole).toBeInstanceOf(SDKError);
    expect((whole as Error).message).toBe("[unreadable error]");
    // another realm's plain data is copied, not written; its Map is read
    const [foreign, foreignMap] = runInNewContext("[{ s: S }, new Map([['k', S]])]", { S: secret }) as [
      { s: string },
      Map<string, string>,
    ];
    const viaRealm = redactError(Object.assign(new Error("x"), { foreign, foreignMap }), [secret]) as Error & {
      foreign: { s: string };
      foreignMap: Map<string, string>;
    };
    expect([viaRealm.foreign.s, viaRealm.foreignMap.get("k"), foreign.s]).toEqual(["[redacted]", "[redacted]", secret]);
    // a URL by its redacted form; bytes that hold it by a marker
    const viaUrl = redactError(
      Object.assign(new Error("x"), {
        url: new URL(`https://api.example.com/v1?api_key=${secret}`),
        bytes: new TextEncoder().encode(`key=${secret}`),
      }),
      [secret],
    ) as Error & { url: URL; bytes: unknown };
    expect(viaUrl.url).toBeInstanceOf(URL);
    expect(viaUrl.url.href).not.toContain(secret);
    expect(viaUrl.bytes).toBe("[redacted binary]");
    // a secret spelled with JSON escapes in text that is no longer JSON (cut short, or quoted again) is found; text
    // without one is left exactly as it was
    const token = "tok&en-4242";
    const redactText = (text: string) => redactSecrets(text, [token]);
    const body = `{"error":{"message":"invalid key tok\\u0026en-4242","trace":"`;
    expect(redactText(body)).toBe('{"error":{"message":"invalid key [redacted]","trace":"');
    expect(redactText(JSON.stringify(body))).not.toContain("4242");
    const exact = '{"id":12345678901234567890,"name":"caf\\u00e9","dup":1,"dup":2}';
    expect(redactText(exact)).toBe(exact);
  });

  it("reads runs of backslashes once, and tags, URLs, deep chains and odd secrets as a caller means them (a third breaker's findings)", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const { redactError, redactSecrets } = await import("../src/runtime/index.js");
    // a long run of backslashes before an escaped spelling, and a key with backslashes in it: each run read once
    // (a backtracking pattern took seconds, and a key of five backslashes longer than any timeout)
    const run = "\\".repeat(200_000);
    expect(redactSecrets(`${run}u0073k_live_0123456789abcdefghij!`, [secret])).toBe("[redacted]!");
    expect(redactSecrets(`sk_live_${run}!`, ["sk_live_\\\\\\\\\\Q"])).toBe(`sk_live_${run}!`);
    // plain data with its own Symbol.toStringTag is still the caller's plain data: copied, never written
    const settings = { [Symbol.toStringTag]: "Config", apiKey: secret };
    const viaTag = redactError(Object.assign(new Error("x"), { settings }), [secret]) as Error & {
      settings: { apiKey: string };
    };
    expect([viaTag.settings.apiKey, settings.apiKey]).toEqual(["[redacted]", secret]);
    // a forged tag is an ordinary object; a real URL's own properties are read too
    const forged = { [Symbol.toStringTag]: "ArrayBuffer", apiKey: secret };
    const url = Object.assign(new URL("https://api.example.com/v1"), { note: secret });
    const viaUrl = redactError(Object.assign(new Error("x"), { forged, url }), [secret]) as Error & {
      forged: { apiKey: string };
      url: URL & { note: string };
    };
    expect([viaUrl.forged.apiKey, viaUrl.url.note, viaUrl.url.href]).toEqual([
      "[redacted]",
      "[redacted]",
      "https://api.example.com/v1",
    ]);
    // a chain 41 causes deep with no secret in it is left whole
    let chain: Error = new Error("root");
    for (let i = 0; i < 40; i++) chain = new Error(`level ${i}`, { cause: chain });
    redactError(chain, [secret]);
    let depth = 0;
    for (let at: unknown = chain; at instanceof Error; at = at.cause) depth++;
    expect(depth).toBe(41);
    // percent-encoded by any encoder, in either case of hex (Python's quote, Go's PathEscape, a URL's path)
    const base64ish = "abc+d/ef=";
    expect(redactSecrets("q=abc%2Bd/ef%3D&r=abc%2bd%2fef%3d&s=abc+d%2Fef= 100% sure", [base64ish])).toBe(
      "q=[redacted]&r=[redacted]&s=[redacted] 100% sure",
    );
    // a secret with a lone surrogate (no URL can carry it) is still redacted, without a URIError
    expect(redactSecrets("key sk\ud800x here", ["sk\ud800x"])).toBe("key [redacted] here");
  });

  it("masks a secret that an error's request-id header echoes, before the message cuts it", async () => {
    const secret = "sk_live_0123456789abcdefghij";
    const { runtime } = await runtimeFor(
      (_req, res) =>
        sendJson(res, 400, { error: { code: "bad", message: "no" } }, { "request-id": `${"r".repeat(180)}-${secret}` }),
      { secrets: [secret] },
    );
    const error = (await runtime.invoke(postNoKey, { body: {} }).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe("BadRequestError");
    expect(error.message).toContain("(request-id rrrr");
    expect(error.message).not.toContain(secret.slice(0, 10));
  });

  it("sends default headers as checked when the runtime was made, and a call's header over a default of any case", async () => {
    const defaultHeaders: Record<string, string> = { "x-sdk": "s/1", "X-Trace": "default" };
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}), { defaultHeaders });
    // a later change to the caller's object is never sent unchecked (nor at all)
    defaultHeaders["x-sdk"] = "changed\r\nx-injected: 1";
    await runtime.invoke(search, { path: { kind: "k" } }, { headers: { "x-trace": "call" } });
    expect(server.requests[0].headers["x-sdk"]).toBe("s/1");
    expect(server.requests[0].headers["x-injected"]).toBeUndefined();
    expect(server.requests[0].headers["x-trace"]).toBe("call");
  });

  it("sends credentials and default headers only where allowed", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}), {
      defaultHeaders: { "x-sdk": "s/1" },
    });
    await runtime.invoke(search, { path: { kind: "k" } }, { headers: { authorization: "Bearer override-attempt" } });
    expect(server.requests[0].headers.authorization).toBe("Bearer k");
    expect(server.requests[0].headers["x-sdk"]).toBe("s/1");
    const other = createRuntime({
      baseUrl: "https://api.example.com",
      credentials: { authorization: "Bearer k", "X-Api-Key": "k2" },
      maxRetries: 0,
      timeoutMs: 1000,
      logger: silentLoggerForTests,
    });
    await other.getJson(`${server.origin}/elsewhere`, {
      headers: { authorization: "Bearer leaked?", "x-api-key": "leaked?" },
    });
    expect(server.requests[1].headers.authorization).toBeUndefined();
    expect(server.requests[1].headers["x-api-key"]).toBeUndefined();
    const allowed = createRuntime({
      baseUrl: "https://api.example.com",
      credentials: { "X-Api-Key": "k2" },
      credentialOrigins: [server.origin],
      maxRetries: 0,
      timeoutMs: 1000,
      logger: silentLoggerForTests,
    });
    await allowed.getJson(`${server.origin}/elsewhere`);
    expect(server.requests[2].headers["x-api-key"]).toBe("k2");
  });
});

describe("runtime defaults", () => {
  it("retries twice and waits 60 s per attempt when maxRetries and timeoutMs are not given", async () => {
    let calls = 0;
    server = await startScriptedServer((_req, res) =>
      ++calls < 3 ? sendJson(res, 503, { message: "busy" }) : sendJson(res, 200, []),
    );
    const recorded = recordingSleep();
    const runtime = createRuntime({
      baseUrl: server.url,
      credentials: { authorization: "Bearer k" },
      sleep: recorded.sleep,
      logger: silentLoggerForTests,
    });
    // Without a default the timeout was `undefined` ms: every attempt timed out at once.
    await expect(runtime.invoke(search, { path: { kind: "k" } })).resolves.toEqual([]);
    expect(calls).toBe(3);
    calls = 0;
    await expect(runtime.invoke(search, { path: { kind: "k" } }, { maxRetries: 0 })).rejects.toMatchObject({
      status: 503,
    });
  });
});

describe("request ids on errors", () => {
  it("reads `request-id`, else OpenAI's `x-request-id`, on an API error and on a malformed body", async () => {
    const answers = [
      (res: ServerResponse) => sendJson(res, 404, { message: "no" }, { "request-id": "", "x-request-id": "req_x1" }),
      (res: ServerResponse) => {
        res.writeHead(404, { "content-type": "application/json", "x-request-id": "req_x2" });
        res.end(JSON.stringify({ message: "no" }));
      },
      (res: ServerResponse) => {
        res.writeHead(502, { "content-type": "text/html", "x-request-id": "req_x3" });
        res.end("<html>bad gateway</html>");
      },
    ];
    const { runtime } = await runtimeFor((_req, res) => answers.shift()!(res), { maxRetries: 0 });
    const ids: unknown[] = [];
    for (let call = 0; call < 3; call++)
      ids.push(
        await runtime.invoke(search, { path: { kind: "k" } }).then(String, (error) => [error.name, error.requestId]),
      );
    // The first answer sends both: `request-id` wins, empty as it is.
    expect(ids).toEqual([
      ["NotFoundError", ""],
      ["NotFoundError", "req_x2"],
      ["MalformedResponseError", "req_x3"],
    ]);
  });
});

describe("response kinds", () => {
  it("reads text, binary, empty and event-stream bodies", async () => {
    const { runtime } = await runtimeFor((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end("data: hi\n\n");
    });
    const kinds = (response: OperationDescriptor["response"]): OperationDescriptor => ({ ...search, response });
    expect(await runtime.invoke(kinds("text"), { path: { kind: "k" } })).toBe("data: hi\n\n");
    expect(await (await runtime.invoke<Blob>(kinds("binary"), { path: { kind: "k" } })).text()).toBe("data: hi\n\n");
    expect(await runtime.invoke(kinds("empty"), { path: { kind: "k" } })).toBeUndefined();
    const raw = await runtime.invoke<Response>(kinds("event-stream"), { path: { kind: "k" } });
    expect(raw).toBeInstanceOf(Response);
    expect(await raw.text()).toBe("data: hi\n\n");
  });
});

const upload: OperationDescriptor = {
  ...base,
  id: "putObject",
  method: "put",
  path: "/objects/{key}",
  pathParams: ["key"],
  requestBody: { contentType: "application/octet-stream", required: true },
};
const utf8 = new TextEncoder();
/** A stream of `parts`, one chunk each, that records how many of them were read. */
function partsStream(...parts: string[]): { stream: ReadableStream<Uint8Array>; read: () => number } {
  let read = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (read === parts.length) return controller.close();
        controller.enqueue(utf8.encode(parts[read++]));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, read: () => read };
}

/** An endless stream of 1,000-byte chunks, one every 5 ms, that records its reads and the reason it was cancelled with. */
function endlessStream(): { stream: ReadableStream<Uint8Array>; pulls: () => number; cancelled: () => unknown } {
  let pulls = 0;
  let cancelled: unknown;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        pulls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        controller.enqueue(new Uint8Array(1000).fill(90));
      },
      cancel: (reason) => void (cancelled = reason),
    },
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls, cancelled: () => cancelled };
}

/**
 * A raw TCP server on 127.0.0.1 that records every byte of each connection (`connections`) and answers each
 * request's head with `answer(head)` as written, or never when that is undefined. Bodiless requests may follow one
 * another on a connection; after a request with a body, the connection is only recorded.
 */
async function rawServer(answer: (head: string) => string | undefined) {
  const connections: string[] = [];
  const sockets = new Set<Socket>();
  const listener = createNetServer((socket) => {
    const index = connections.push("") - 1;
    sockets.add(socket);
    let unread = "";
    let inBody = false;
    socket.on("data", (data) => {
      connections[index] += data.toString("latin1");
      unread += data.toString("latin1");
      for (let end = unread.indexOf("\r\n\r\n"); !inBody && end >= 0; end = unread.indexOf("\r\n\r\n")) {
        const head = unread.slice(0, end + 4);
        unread = unread.slice(end + 4);
        inBody = /^transfer-encoding:|^content-length: *[1-9]/im.test(head);
        const reply = answer(head);
        if (reply !== undefined) socket.write(reply);
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

describe("raw request bodies", () => {
  it("sends a ReadableStream as fetch reads it (duplex: half), and every other raw body as it is", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const form = new FormData();
    form.set("a", "1");
    const bodies: [string, unknown][] = [
      ["stream", partsStream("str", "eam").stream],
      ["blob", new Blob(["blob"])],
      ["arraybuffer", utf8.encode("ab").buffer],
      ["uint8array", utf8.encode("u8")],
      ["dataview", new DataView(utf8.encode("dv").buffer)],
      ["params", new URLSearchParams({ q: "1" })],
      ["string", "text"],
      ["number", 42],
      ["form", form],
    ];
    for (const [key, body] of bodies) await runtime.invoke(upload, { path: { key }, body });
    expect(server.requests.map((r) => [r.url, r.body])).toEqual([
      ["/api/v1/objects/stream", "stream"],
      ["/api/v1/objects/blob", "blob"],
      ["/api/v1/objects/arraybuffer", "ab"],
      ["/api/v1/objects/uint8array", "u8"],
      ["/api/v1/objects/dataview", "dv"],
      ["/api/v1/objects/params", "q=1"],
      ["/api/v1/objects/string", "text"],
      ["/api/v1/objects/number", "42"],
      ["/api/v1/objects/form", expect.stringContaining('name="a"\r\n\r\n1\r\n')],
    ]);
    // a stream's length is unknown: it goes chunked, typed as the operation says
    expect(server.requests[0].headers).toMatchObject({
      "transfer-encoding": "chunked",
      "content-type": "application/octet-stream",
    });
    expect(server.requests.at(-1)?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("sends a stream body once: a refused connection (however slow its first chunk), a reset and a 503 are final", async () => {
    // a port nothing listens on (not one a closed server just freed, which a parallel test could take; and not on
    // the Fetch standard's list of bad ports, which fetch refuses without connecting)
    const refusedUrl = "http://127.0.0.1:2/api/v1";
    const refusedDelays = recordingSleep();
    const refused = createRuntime({
      baseUrl: refusedUrl,
      maxRetries: 2,
      timeoutMs: 5_000,
      logger: silentLoggerForTests,
      sleep: refusedDelays.sleep,
    });
    const notRetried =
      /^Connection error: .*\. Not retried: the request body is a stream, which can be sent only once\.$/;
    // fetch reads a first chunk before it connects: one that comes at once, and one still being read when refused
    const slowFirst = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          controller.enqueue(utf8.encode("late"));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    for (const body of [partsStream("a", "b", "c").stream, slowFirst])
      await expect(refused.invoke(upload, { path: { key: "k" }, body })).rejects.toThrow(notRetried);
    expect(refusedDelays.delays).toEqual([]);

    const { runtime, server, delays } = await runtimeFor((_req, res, _seen, index) =>
      index === 0 ? resetConnection(res) : sendJson(res, 503, { message: "busy" }),
    );
    const reset = runtime.invoke(upload, { path: { key: "k" }, body: partsStream("a", "b").stream });
    await expect(reset).rejects.toThrow(APIConnectionError);
    await expect(reset).rejects.toThrow(notRetried);
    // a stream of one chunk, read whole, is not re-sent either; a 503 is the call's error as it came
    await expect(runtime.invoke(upload, { path: { key: "k" }, body: partsStream("e").stream })).rejects.toMatchObject({
      status: 503,
    });
    expect(server.requests.map((r) => r.body)).toEqual(["ab", "e"]);
    expect(delays).toEqual([]);
  });

  it("never re-sends a stream after a timeout mid-body, and cancels the caller's stream with the timeout", async () => {
    const received: string[] = [];
    const slow = createHttpServer((req) => {
      req.on("data", (chunk: Buffer) => received.push(chunk.toString()));
      req.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    let pulls = 0;
    let cancelled: unknown;
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          // the second chunk never comes: the attempt times out mid-body, after the first was sent
          if (++pulls > 1) await new Promise(() => undefined);
          controller.enqueue(utf8.encode(`part${pulls}`));
        },
        cancel: (reason) => void (cancelled = reason),
      },
      { highWaterMark: 0 },
    );
    try {
      const runtime = createRuntime({
        baseUrl: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
        maxRetries: 2,
        // long enough for a loaded machine to connect and send the first chunk
        timeoutMs: 2_000,
        sleep: async () => undefined,
        logger: silentLoggerForTests,
      });
      await expect(runtime.invoke(upload, { path: { key: "k" }, body })).rejects.toThrow(
        "Request timed out after 2000 ms. Not retried: the request body is a stream, which can be sent only once.",
      );
      for (let waited = 0; cancelled === undefined && waited < 2_000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
    expect(received.join("")).toBe("part1");
    expect(pulls).toBe(2);
    expect(cancelled).toBeInstanceOf(APITimeoutError);
  });

  it("cancels the caller's stream, with the reason, when an abort, an early answer or a refused redirect ends the call", async () => {
    let slowArrived: () => void = () => undefined;
    const slowSeen = new Promise<void>((resolve) => (slowArrived = resolve));
    const raw = await rawServer((head) =>
      head.startsWith("PUT /objects/slow ")
        ? void slowArrived()
        : head.startsWith("PUT /objects/early ")
          ? 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"ok":true}'
          : head.startsWith("PUT /objects/moved ")
            ? "HTTP/1.1 307 Temporary Redirect\r\nlocation: /objects/elsewhere\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            : undefined,
    );
    const runtime = createRuntime({
      baseUrl: raw.url,
      maxRetries: 2,
      timeoutMs: 5_000,
      sleep: async () => undefined,
      logger: silentLoggerForTests,
    });
    const [aborted, early, moved] = [endlessStream(), endlessStream(), endlessStream()];
    try {
      // the server reads the body and never answers; the caller aborts once the request reached it
      const stop = new AbortController();
      const reason = new Error("user stop");
      void slowSeen.then(() => stop.abort(reason));
      await expect(
        runtime.invoke(upload, { path: { key: "slow" }, body: aborted.stream }, { signal: stop.signal }),
      ).rejects.toThrow(APIUserAbortError);
      expect(aborted.cancelled()).toBe(reason);
      // a 2xx before the body was read whole
      await expect(runtime.invoke(upload, { path: { key: "early" }, body: early.stream })).resolves.toEqual({
        ok: true,
      });
      expect(String(early.cancelled())).toBe(
        "Error: The server answered 200 before the request body was read to its end.",
      );
      const refused = runtime.invoke(upload, { path: { key: "moved" }, body: moved.stream });
      await expect(refused).rejects.toThrow("the request's body is a stream, which can be sent only once.");
      expect(moved.cancelled()).toBe(await refused.catch((error: unknown) => error));
      // nothing reads any of them any more
      const pulls = [aborted, early, moved].map((stream) => stream.pulls());
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect([aborted, early, moved].map((stream) => stream.pulls())).toEqual(pulls);
    } finally {
      await raw.close();
    }
    // no body cut short passed for a whole one: no connection got a chunked body's last chunk
    expect(raw.connections).toHaveLength(3);
    expect(raw.connections.filter((bytes) => bytes.endsWith("\r\n0\r\n\r\n"))).toEqual([]);
  });

  it("refuses to follow a 307 with a stream body, which cannot be sent twice", async () => {
    const { runtime, server } = await runtimeFor((_req, res, seen) =>
      seen.url.endsWith("/k")
        ? void res.writeHead(307, { location: "/api/v1/objects/moved" }).end()
        : sendJson(res, 200, {}),
    );
    await expect(runtime.invoke(upload, { path: { key: "k" }, body: partsStream("a").stream })).rejects.toThrow(
      `Refused to follow the 307 redirect of ${server.origin}: the request's body is a stream, which can be sent only once.`,
    );
    // the same redirect of a Blob is followed
    await expect(runtime.invoke(upload, { path: { key: "k" }, body: new Blob(["b"]) })).resolves.toEqual({});
    expect(server.requests.map((r) => [r.url, r.body])).toEqual([
      ["/api/v1/objects/k", "a"],
      ["/api/v1/objects/k", "b"],
      ["/api/v1/objects/moved", "b"],
    ]);
  });

  it("refuses a stream body where the platform's fetch cannot send one (it would send the stream's text)", async () => {
    // as Firefox's Request does: it ignores `duplex` and turns the stream into text (Request stubbed: one function)
    class TextOnlyRequest extends Request {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        super(input, {
          method: init?.method,
          headers: init?.headers,
          body: init?.body == null ? null : String(init.body),
        });
      }
    }
    vi.resetModules();
    vi.stubGlobal("Request", TextOnlyRequest);
    try {
      const { streamBody } = await import("../src/runtime/serialize.js");
      expect(() => streamBody(new ReadableStream())).toThrow(
        "body is a ReadableStream, and this platform's fetch cannot send one as a request body (it would send its text): pass a Blob or ArrayBuffer.",
      );
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
    // as Deno's does: it never reads `duplex` but sends the stream (no Content-Type): accepted
    class NoDuplexRequest extends Request {
      constructor(input: RequestInfo | URL, init?: RequestInit) {
        super(input, { method: init?.method, headers: init?.headers, body: init?.body, duplex: "half" } as RequestInit);
      }
    }
    for (const Platform of [NoDuplexRequest, Request]) {
      vi.resetModules();
      vi.stubGlobal("Request", Platform);
      try {
        const { streamBody } = await import("../src/runtime/serialize.js");
        expect(typeof streamBody(new ReadableStream())).toBe("function");
      } finally {
        vi.unstubAllGlobals();
        vi.resetModules();
      }
    }
  });

  it("never makes a form of a Node Readable's internals: it is refused, naming the body", async () => {
    const { serializeBody } = await import("../src/runtime/serialize.js");
    for (const contentType of ["multipart/form-data", "application/x-www-form-urlencoded", "application/octet-stream"])
      expect(() => serializeBody(contentType, Readable.from(["a"]))).toThrow(
        expect.objectContaining({ name: "ValidationError", field: "body" }),
      );
  });

  it("refuses a function, symbol or null as a raw body, naming the body, rather than sending its text", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    for (const [body, kind] of [
      [() => "secret source", "a function"],
      [Symbol("s"), "a symbol"],
      [null, "null"],
    ] as const)
      await expect(runtime.invoke(upload, { path: { key: "k" }, body })).rejects.toMatchObject({
        name: "ValidationError",
        field: "body",
        message: expect.stringContaining(`it is ${kind}.`),
      });
    expect(server.requests).toEqual([]);
  });

  it("refuses, naming the body, a stream that is locked, was read from or cancelled, and a second call's use of one", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const refused = async (body: unknown, operation = upload) =>
      runtime.invoke(operation, { path: { key: "k" }, body }).then(
        () => "sent",
        (error: ValidationError) => [error.name, error.field, error.message],
      );
    const locked = partsStream("a").stream;
    locked.getReader();
    const partlyRead = partsStream("a", "b").stream;
    const partReader = partlyRead.getReader();
    await partReader.read();
    partReader.releaseLock();
    const readWhole = partsStream("a").stream;
    const wholeReader = readWhole.getReader();
    while (!(await wholeReader.read()).done);
    wholeReader.releaseLock();
    const cancelled = partsStream("a").stream;
    await cancelled.cancel();
    const refusal = [
      "ValidationError",
      "body",
      "body is a ReadableStream that is locked or was already read from or cancelled: pass a stream nothing has read yet.",
    ];
    for (const body of [locked, partlyRead, readWhole, cancelled]) expect(await refused(body)).toEqual(refusal);
    // two calls given one stream: the first to send it locks it, the other is refused
    const shared = partsStream("sha", "red").stream;
    const both = await Promise.all([refused(shared), refused(shared)]);
    expect(both.filter((outcome) => outcome === "sent")).toHaveLength(1);
    expect(both).toContainEqual(refusal);
    // the check neither locks nor reads: a call refused before it sends leaves the stream as it was
    const fresh = partsStream("fr", "esh");
    expect((await refused(fresh.stream, { ...upload, method: "GE T" }))[1]).toBe("method");
    expect([fresh.stream.locked, fresh.read()]).toEqual([false, 0]);
    expect(await refused(fresh.stream)).toBe("sent");
    expect(server.requests.map((r) => r.body)).toEqual(["shared", "fresh"]);
    server.requests.length = 0;
    const hint =
      "Pass a string, Blob, ArrayBuffer, Uint8Array or ReadableStream (Readable.toWeb() turns a Node stream into one).";
    const iterable = `body cannot be sent as application/octet-stream: it is an async iterable (a Node Readable?). ${hint}`;
    expect(await refused(Readable.from([Buffer.from("node")]))).toEqual(["ValidationError", "body", iterable]);
    expect(await refused((async function* () {})())).toEqual(["ValidationError", "body", iterable]);
    expect(await refused({ a: 1 })).toEqual([
      "ValidationError",
      "body",
      `body cannot be sent as application/octet-stream: it is an Object. ${hint}`,
    ]);
    expect(await refused(new Map())).toEqual([
      "ValidationError",
      "body",
      `body cannot be sent as application/octet-stream: it is a Map. ${hint}`,
    ]);
    expect(server.requests).toHaveLength(0);
  });
});

describe("methods", () => {
  it("retries the idempotent methods as they go out (fetch's in any case, QUERY in capitals), never PURGE, POST or Query", async () => {
    const methods: string[] = [];
    const raw = await rawServer((head) => {
      methods.push(head.slice(0, head.indexOf(" ")));
      return "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n";
    });
    const runtime = createRuntime({
      baseUrl: raw.url,
      maxRetries: 2,
      sleep: async () => undefined,
      logger: silentLoggerForTests,
    });
    const attempts: Record<string, number> = {};
    try {
      for (const method of [
        "get",
        "Get",
        "GET",
        "PUT",
        "HEAD",
        "Delete",
        "OPTIONS",
        "QUERY",
        "query",
        "Query",
        "PURGE",
        "Post",
      ]) {
        methods.length = 0;
        await runtime.invoke({ ...base, id: "op", method, path: "/x" }, {}).catch(() => undefined);
        attempts[method] = methods.length;
      }
    } finally {
      await raw.close();
    }
    expect(attempts).toEqual({
      get: 3,
      Get: 3,
      GET: 3,
      PUT: 3,
      HEAD: 3,
      Delete: 3,
      OPTIONS: 3,
      QUERY: 3,
      query: 3,
      // sent as written: another method than QUERY, which may act twice
      Query: 1,
      PURGE: 1,
      Post: 1,
    });
  });

  it("refuses TRACE, CONNECT and TRACK (the Fetch standard forbids them) and non-tokens, naming method and path", async () => {
    const { runtime, server } = await runtimeFor((_req, res) => sendJson(res, 200, {}));
    const refused = async (method: string) =>
      runtime
        .invoke({ ...base, id: "op", method, path: "/diagnostics/{id}", pathParams: ["id"] }, { path: { id: "1" } })
        .then(
          () => "sent",
          (error: ValidationError) => [error.name, error.field, error.message],
        );
    const forbidden = (name: string, method: string) => [
      "ValidationError",
      "method",
      `${name} /diagnostics/{id} cannot be sent: the Fetch standard forbids the ${name} method, so fetch refuses it ("${method}" is the operation's method).`,
    ];
    expect(await refused("trace")).toEqual(forbidden("TRACE", "trace"));
    expect(await refused("CONNECT")).toEqual(forbidden("CONNECT", "CONNECT"));
    expect(await refused("Track")).toEqual(forbidden("TRACK", "Track"));
    const notToken = (method: string) => [
      "ValidationError",
      "method",
      `${method} /diagnostics/{id} cannot be sent: ${method} is not an HTTP method (a method is one token of letters, digits and !#$%&'*+-.^_\`|~).`,
    ];
    expect(await refused("GE T")).toEqual(notToken('"GE T"'));
    expect(await refused("")).toEqual(notToken('""'));
    expect(await refused("GET\r\n")).toEqual(notToken('"GET\\r\\n"'));
    expect(server.requests).toHaveLength(0);
  });

  it("sends path item methods in capitals, fetch's six standard ones in any case too, and other keys as written", async () => {
    // node:http's parser knows only upper-case methods: a raw socket reads the request line as sent
    const lines: string[] = [];
    const raw = createNetServer((socket) => {
      socket.once("data", (data) => {
        lines.push(data.toString("latin1").split("\r\n")[0]);
        socket.end(
          "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
        );
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
    try {
      const runtime = createRuntime({
        baseUrl: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`,
        maxRetries: 0,
        logger: silentLoggerForTests,
      });
      for (const method of ["get", "Get", "patch", "query", "delete", "PURGE", "purge", "Link", "M-SEARCH"])
        await runtime.invoke({ ...base, id: "op", method, path: "/x" }, {});
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
    expect(lines).toEqual([
      "GET /x HTTP/1.1",
      "GET /x HTTP/1.1",
      "PATCH /x HTTP/1.1",
      "QUERY /x HTTP/1.1",
      "DELETE /x HTTP/1.1",
      "PURGE /x HTTP/1.1",
      "purge /x HTTP/1.1",
      "Link /x HTTP/1.1",
      "M-SEARCH /x HTTP/1.1",
    ]);
  });
});

describe("createRetryingFetch (fetch stubbed)", () => {
  it("rebuilds the request per attempt with a fresh timeout signal and the same bytes", async () => {
    const attempts: { body: string; signal: AbortSignal; key: string | null }[] = [];
    const stub = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      attempts.push({
        body: await request.text(),
        signal: request.signal,
        key: request.headers.get("idempotency-key"),
      });
      if (attempts.length === 1)
        await new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
      return new Response('{"ok":true}', { status: 200, headers: { "content-type": "application/json" } });
    };
    const fetch = createRetryingFetch({
      fetch: stub,
      maxRetries: 2,
      timeoutMs: 50,
      retrySafe: true,
      sleep: async () => undefined,
      logger: silentLoggerForTests,
    });
    const response = await fetch(
      new Request("https://x.test/a", { method: "POST", body: '{"a":1}', headers: { "idempotency-key": "k1" } }),
    );
    expect(response.bodyUsed).toBe(true); // read inside the attempt; the bytes wait in bufferedBody
    expect(new TextDecoder().decode(bufferedBody(response)?.bytes)).toBe('{"ok":true}');
    expect(attempts.map((a) => [a.body, a.key])).toEqual([
      ['{"a":1}', "k1"],
      ['{"a":1}', "k1"],
    ]);
    expect(attempts[0].signal.aborted).toBe(true);
    expect(attempts[1].signal.aborted).toBe(false);
  });

  it("reports a timeout as APITimeoutError naming the limit", async () => {
    const hang = (_input: string | URL | Request, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    const fetch = createRetryingFetch({
      fetch: hang,
      maxRetries: 0,
      timeoutMs: 30,
      retrySafe: true,
      sleep: async () => undefined,
      logger: silentLoggerForTests,
    });
    await expect(fetch(new Request("https://x.test/"))).rejects.toThrow(
      new APITimeoutError("Request timed out after 30 ms."),
    );
  });
});
