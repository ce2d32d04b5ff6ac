// OpenAPI 3.2 through every stage: load, lint, bundle, types, model, generated streaming wrappers, and the diff.
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleSpec } from "../scripts/pipeline/bundle.js";
import { compareDocuments } from "../scripts/diff/compare.js";
import { PipelineError } from "../scripts/pipeline/errors.js";
import { lintSpec } from "../scripts/pipeline/lint.js";
import { loadSpec } from "../scripts/pipeline/load.js";
import { buildModel } from "../scripts/pipeline/model/index.js";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import { generateTypes } from "../scripts/pipeline/types.js";
import { MalformedResponseError, type OperationInvoker } from "../src/runtime/index.js";
import {
  generate,
  importGenerated,
  loopbackRuntime,
  sendJson,
  SHARED_SPECS,
  SHARED_SPECS_MISSING,
  startServer,
  useTempPackage,
  typeCheck,
  type LoopbackServer,
} from "./pipeline-harness.js";

const FIXTURE = resolve(REPO_ROOT, "test/fixtures/openapi-3-2/events.yaml");
const METHODS = resolve(REPO_ROOT, "test/fixtures/openapi-3-2/methods.yaml");
const FLORA = resolve(REPO_ROOT, "openapi/flora.yaml");
const PUBLISHED = resolve(SHARED_SPECS, "flora-published/technique-runs.yml");
type Json = Record<string, unknown>;

const temp = useTempPackage("openapi-3-2");
const { specFile } = temp;

describe("load, lint and bundle", () => {
  it("load accepts 3.2.x and still refuses an openapi version it does not know", async () => {
    expect((await loadSpec(FIXTURE)).version).toBe("3.2.0");
    const future = specFile("future.json", { openapi: "3.3.0", info: { title: "T", version: "1" }, paths: {} });
    const error = await loadSpec(future).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toBe(
      "not an OpenAPI 3.0/3.1/3.2 document (openapi: 3.3.0); only 3.0.x, 3.1.x and 3.2.x are supported",
    );
  });

  it("lint reads 3.2 with Redocly's 3.2 types: itemSchema is a schema, and a broken one is a struct error", async () => {
    expect(await lintSpec(await loadSpec(FIXTURE), "minimal")).toMatchObject({ errors: 0 });
    const broken = specFile("broken-item.json", {
      openapi: "3.2.0",
      info: { title: "T", version: "1" },
      paths: {
        "/e": {
          get: {
            responses: { "200": { description: "d", content: { "text/event-stream": { itemSchema: 5 } } } },
          },
        },
      },
    });
    const report = await lintSpec(await loadSpec(broken), "off");
    expect(report.errors).toBe(1);
    expect(report.lines[0]).toMatch(/broken-item\.json:\d+:\d+ error struct .*itemSchema|Expected type `Schema`/);
  });

  it("lint accepts 3.2's `style: cookie` on a cookie parameter, which Redocly's 3.2 types do not list", async () => {
    expect(await lintSpec(await loadSpec(METHODS), "minimal")).toMatchObject({ errors: 0 });
    const older = specFile("cookie-3-1.json", {
      openapi: "3.1.0",
      info: { title: "T", version: "1" },
      paths: {
        "/c": {
          get: {
            parameters: [{ name: "s", in: "cookie", style: "cookie", schema: { type: "string" } }],
            responses: { "204": { description: "d" } },
          },
        },
      },
    });
    // 3.1 has no cookie style: there it stays a struct error
    expect((await lintSpec(await loadSpec(older), "off")).errors).toBe(1);
  });

  it("bundle pulls an itemSchema's external $ref into the document", async () => {
    const document = (await bundleSpec(await loadSpec(FIXTURE))) as Json;
    expect(JSON.stringify(document)).not.toContain("message.yaml");
    expect(Object.keys((document.components as Json).schemas as Json)).toContain("message");
  });
});

describe("types and model", () => {
  it("types each itemSchema, which openapi-typescript leaves `unknown`, with its parsed data", async () => {
    const text = await generateTypes(await bundleSpec(await loadSpec(FIXTURE)));
    const items = text.slice(text.indexOf("export type itemSchemas"));
    expect(text.slice(0, text.indexOf("export type itemSchemas"))).toMatch(/"text\/event-stream": unknown;/);
    expect(items).toMatch(/"\/feed": \{\s+get: \{\s+200: \{\s+"text\/event-stream": \{\s+item: \{/);
    expect(items).toMatch(/event\?: "message" \| "notice";/);
    expect(items).toContain('data: components["schemas"]["message"];');
    expect(items).toMatch(
      /item: components\["schemas"\]\["LogEvent"\];\s+\/\*\* @description One log line, as text\. \*\/\s+data: string;/,
    );
    // JSON Lines items are typed too; only an event stream has `data`.
    expect(items).toMatch(/"application\/jsonl": \{\s+item: components\["schemas"\]\["message"\];\s+\};/);
  });

  it("the model records each event stream, its data format and a streaming method named after the operation's", async () => {
    const model = buildModel(await bundleSpec(await loadSpec(FIXTURE)));
    const streams = Object.fromEntries(model.operations.map((op) => [op.id, op.eventStream]));
    expect(streams).toEqual({
      // `listStream` is taken by postFeed's x-sdk-method, so the stream takes the next free name.
      listFeed: { status: "200", mediaType: "text/event-stream", data: "json", methodName: "listStream2" },
      postFeed: undefined,
      tailLogs: { status: "200", mediaType: "text/event-stream", data: "text", methodName: "listStream" },
    });
  });
});

describe("3.2 methods, parameters and event unions in the model", () => {
  it("reads `query` and each `additionalOperations` method as sent, and warns for a querystring parameter", async () => {
    const model = buildModel(await bundleSpec(await loadSpec(METHODS)));
    expect(model.operations.map((op) => [op.id, op.method, [...op.resourcePath, op.methodName].join(".")])).toEqual([
      ["listItems", "get", "items.list"],
      ["queryItems", "query", "items.query"],
      ["purgeItems", "PURGE", "items.purge"],
      ["searchItems", "get", "search"],
      ["watchUpdates", "get", "updates.list"],
    ]);
    expect(model.warnings).toEqual([
      "#/paths/~1search/get (searchItems): parameter `filter` (in: querystring) is not sent; querystring parameters are not supported yet",
    ]);
  });

  it("reads a oneOf of event shapes as a union, with the data format of each event name", async () => {
    const model = buildModel(await bundleSpec(await loadSpec(METHODS)));
    expect(model.operations.find((op) => op.id === "watchUpdates")?.eventStream).toEqual({
      status: "200",
      mediaType: "text/event-stream",
      data: { events: { add: "json", note: "text" }, otherwise: "text" },
      union: true,
      methodName: "listStream",
    });
  });
});

// The generated folder of the fixture: its types asserted by tsc, its stream methods called over loopback.
const FIXTURE_CHECK = `import type { ListFeedStreamData, ListFeedStreamEvent, TailLogsStreamEvent, Resources } from "./index.js";
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const data: Equal<ListFeedStreamData, { text: string; likes?: number }> = true;
export const event: Equal<ListFeedStreamEvent["event"], "message" | "notice" | undefined> = true;
export const logData: Equal<TailLogsStreamEvent["data"], string> = true;
export type Yields = ReturnType<Resources["feed"]["listStream2"]> extends AsyncGenerator<infer T, void, undefined> ? T : never;
export const yields: Equal<Yields, ListFeedStreamEvent> = true;
`;

describe("generated streaming wrappers", () => {
  let server: LoopbackServer;
  beforeAll(async () => {
    server = await startServer((seen, res) => {
      if (seen.url === "/feed")
        return void res
          .writeHead(200, { "content-type": "text/event-stream" })
          .end('event: notice\nid: 7\ndata: {"text":"hi",\ndata: "likes":2}\n\ndata: {"text":"bye"}\n\n');
      if (seen.url.startsWith("/logs?level=warn"))
        return void res.writeHead(200, { "content-type": "text/event-stream" }).end("data: disk low\n\n");
      sendJson(res, 200, { text: "not a stream" });
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("compile under strict tsc, typed from itemSchema", async () => {
    await generate(FIXTURE, join(temp.root, "events"));
    writeFileSync(join(temp.root, "events", "check.ts"), FIXTURE_CHECK);
    expect(await typeCheck(temp.root, ["events"])).toBe("");
  }, 120_000);

  it("yield each event with JSON data parsed, or text data as sent", async () => {
    const { createResources } = await importGenerated<{ createResources(invoker: OperationInvoker): Json }>(
      join(temp.root, "events"),
    );
    const api = createResources(loopbackRuntime(server.origin)) as {
      feed: { listStream2(): AsyncIterable<unknown> };
      logs: { listStream(params: { query: { level: string } }): AsyncIterable<unknown> };
    };
    const feed: unknown[] = [];
    for await (const event of api.feed.listStream2()) feed.push(event);
    expect(feed).toEqual([
      { event: "notice", id: "7", data: { text: "hi", likes: 2 } },
      { event: "message", id: "7", data: { text: "bye" } },
    ]);
    const logs: unknown[] = [];
    for await (const event of api.logs.listStream({ query: { level: "warn" } })) logs.push(event);
    expect(logs).toEqual([{ event: "message", data: "disk low" }]);
  });

  it("throw MalformedResponseError for an answer that is not an event stream", async () => {
    const { createResources } = await importGenerated<{ createResources(invoker: OperationInvoker): Json }>(
      join(temp.root, "events"),
    );
    const api = createResources(loopbackRuntime(server.origin)) as {
      logs: { listStream(params: { query: { level: string } }): AsyncIterable<unknown> };
    };
    const iterate = async () => {
      for await (const _ of api.logs.listStream({ query: { level: "json" } })) void _;
    };
    await expect(iterate()).rejects.toThrow(MalformedResponseError);
    await expect(iterate()).rejects.toThrow(/is not an event stream/);
  });
});

const METHODS_CHECK = `import type { QueryItemsBody, QueryItemsResponse, PurgeItemsResponse, WatchUpdatesStreamData, WatchUpdatesStreamEvent } from "./index.js";
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const body: Equal<QueryItemsBody, { name?: string }> = true;
export const items: Equal<QueryItemsResponse, string[]> = true;
export const purged: Equal<PurgeItemsResponse, void> = true;
export const data: Equal<WatchUpdatesStreamData, { a: number } | string> = true;
export function narrow(e: WatchUpdatesStreamEvent): number {
  if (e.event === "add") return e.data.a;
  if (e.event === "note") return e.data.length;
  return 0;
}
`;

describe("generated 3.2 methods and event unions", () => {
  let server: LoopbackServer;
  const seen: { method: string; url: string; cookie?: string; body: string }[] = [];
  beforeAll(async () => {
    server = await startServer((request, res) => {
      seen.push({
        method: request.method,
        url: request.url,
        cookie: request.headers.cookie,
        body: String(request.body),
      });
      if (request.method === "PURGE") return void res.writeHead(204).end();
      if (request.url === "/updates")
        return void res
          .writeHead(200, { "content-type": "text/event-stream" })
          .end('event: add\ndata: {"a":1}\n\nevent: note\ndata: {"not":"parsed"}\n\n');
      sendJson(res, 200, ["a"]);
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("compile under strict tsc: query and additional operations typed, the event union narrows on `event`", async () => {
    await generate(METHODS, join(temp.root, "methods"));
    writeFileSync(join(temp.root, "methods", "check.ts"), METHODS_CHECK);
    expect(await typeCheck(temp.root, ["methods"])).toBe("");
  }, 120_000);

  it("send QUERY and PURGE as their methods, a cookie-style cookie, and parse data per event name", async () => {
    const { createResources } = await importGenerated<{ createResources(invoker: OperationInvoker): Json }>(
      join(temp.root, "methods"),
    );
    const api = createResources(loopbackRuntime(server.origin)) as {
      items: {
        list(params: { cookie: { session: string; ids?: string[] } }): Promise<unknown>;
        query(body: { name: string }): Promise<unknown>;
        purge(): Promise<unknown>;
      };
      updates: { listStream(): AsyncIterable<unknown> };
    };
    // cookie style: no percent-encoding (form style would send a%2Fb%3Ac), exploded arrays joined by "; "
    expect(await api.items.list({ cookie: { session: "a/b:c", ids: ["1", "2"] } })).toEqual(["a"]);
    expect(await api.items.query({ name: "x" })).toEqual(["a"]);
    expect(await api.items.purge()).toBeUndefined();
    expect(seen.map(({ method, url, cookie, body }) => [method, url, cookie, body])).toEqual([
      ["GET", "/items", "session=a/b:c; ids=1; ids=2", ""],
      ["QUERY", "/items", undefined, '{"name":"x"}'],
      ["PURGE", "/items", undefined, ""],
    ]);
    const events: unknown[] = [];
    for await (const event of api.updates.listStream()) events.push(event);
    expect(events).toEqual([
      { event: "add", data: { a: 1 } },
      { event: "note", data: '{"not":"parsed"}' },
    ]);
  });
});

const FLORA_CHECK = (
  repo: string,
) => `import type { CreateTechniqueRunStreamData, CreateTechniqueRunStreamEvent, Run } from "./index.js";
import type { Flora } from "${repo}/src/flora.js";
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const data: Equal<CreateTechniqueRunStreamEvent["data"], Run> = true;
export const same: Equal<CreateTechniqueRunStreamData, Run> = true;
type Yielded = ReturnType<Flora["techniques"]["runs"]["stream"]> extends AsyncGenerator<infer T, void, undefined> ? T : never;
export const yields: Equal<Yielded, CreateTechniqueRunStreamData> = true;
`;

describe("Flora's 3.2 descriptions", () => {
  it("openapi/flora.yaml (3.2, itemSchema stream) generates, compiles strictly and types Flora's stream from itemSchema", async () => {
    await generate(FLORA, join(temp.root, "flora"), "project");
    writeFileSync(join(temp.root, "flora", "check.ts"), FLORA_CHECK(REPO_ROOT));
    expect(await typeCheck(temp.root, ["flora"])).toBe("");
  }, 120_000);

  it.skipIf(SHARED_SPECS_MISSING !== undefined || !existsSync(PUBLISHED))(
    "Flora's published technique-runs.yml (3.2.0) generates and compiles strictly",
    async () => {
      const result = await generate(PUBLISHED, join(temp.root, "published"));
      expect(result.operations).toBe(2);
      expect(await typeCheck(temp.root, ["published"])).toBe("");
    },
    120_000,
  );
});

describe("diff", () => {
  it("compares the 3.1 flora.yaml with the 3.2 one: version and itemSchema reported, nothing unclassified", async () => {
    const head = (await bundleSpec(await loadSpec(FLORA))) as Json;
    // The 3.1 description of the same stream: a bare string schema where 3.2 has an itemSchema.
    const base = structuredClone(head);
    base.openapi = "3.1.0";
    const started = ((base.components as Json).responses as Json).RunStarted as Json;
    const media = (started.content as Json)["text/event-stream"] as Json;
    (started.content as Json)["text/event-stream"] = { schema: { type: "string" }, example: media.example };
    const changes = compareDocuments(base, head);
    expect(changes.map((c) => [c.rule, c.pointer])).toEqual([
      ["item-schema-added", "#/components/responses/RunStarted/content/text~1event-stream/itemSchema"],
      ["openapi-version-changed", "#/openapi"],
    ]);
    expect(changes.find((c) => c.rule === "openapi-version-changed")?.message).toBe("OpenAPI version 3.1.0 → 3.2.0");
  });

  it("reports a change inside an itemSchema's contentSchema by its schema rule", async () => {
    const base = (await bundleSpec(await loadSpec(FIXTURE))) as Json;
    const head = structuredClone(base);
    const message = ((head.components as Json).schemas as Json).message as Json;
    delete (message.properties as Json).likes;
    const changes = compareDocuments(base, head);
    expect(changes.map((c) => c.rule)).toContain("response-property-removed");
    expect(changes.map((c) => c.rule)).not.toContain("unclassified-change");
  });
});
