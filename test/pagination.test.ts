// Auto-pagination for any spec: a synthetic "shop" API with page, offset, Stripe-style (has_more + starting_after)
// and next-token lists, generated outside the repo, compiled strictly, and walked over a loopback server.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModel } from "../scripts/pipeline/model/index.js";
import { PipelineError } from "../scripts/pipeline/errors.js";
import {
  createRuntime,
  PaginationError,
  APIUserAbortError,
  InternalServerError,
  MalformedResponseError,
  ValidationError,
  type OperationInvoker,
  type PagePromise,
} from "../src/runtime/index.js";
import {
  generate,
  importGenerated,
  sendJson,
  startServer,
  typeCheck,
  useTempPackage,
  type LoopbackServer,
} from "./pipeline-harness.js";

const ok = (schema: object) => ({
  "200": { description: "A page.", content: { "application/json": { schema } } },
});
const query = (name: string, type = "string") => ({ name, in: "query", schema: { type } });
const product = {
  type: "object",
  required: ["id", "name"],
  properties: { id: { type: "string" }, name: { type: "string" } },
};

/** Four list operations, one per pattern the generator detects, plus one it must leave alone. */
const SHOP = {
  openapi: "3.1.0",
  info: { title: "Shop", version: "1.0.0" },
  paths: {
    "/products": {
      get: {
        operationId: "listProducts",
        parameters: [query("page", "integer"), query("per_page", "integer")],
        responses: ok({ type: "array", items: { $ref: "#/components/schemas/Product" } }),
      },
    },
    "/orders": {
      get: {
        operationId: "listOrders",
        parameters: [query("offset", "integer"), query("limit", "integer")],
        responses: ok({
          type: "object",
          required: ["results"],
          properties: {
            results: { type: "array", items: { $ref: "#/components/schemas/Product" } },
            total: { type: "integer" },
          },
        }),
      },
    },
    "/charges": {
      get: {
        operationId: "listCharges",
        parameters: [query("starting_after"), query("limit", "integer")],
        responses: ok({
          type: "object",
          required: ["object", "data", "has_more"],
          properties: {
            object: { type: "string", const: "list" },
            data: { type: "array", items: { $ref: "#/components/schemas/Product" } },
            has_more: { type: "boolean" },
          },
        }),
      },
    },
    "/events": {
      get: {
        operationId: "listEvents",
        parameters: [query("page_token"), query("page_size", "integer")],
        responses: ok({
          type: "object",
          properties: {
            items: { type: "array", items: { $ref: "#/components/schemas/Product" } },
            next_page_token: { type: ["string", "null"] },
          },
        }),
      },
    },
    "/search": {
      get: {
        operationId: "searchProducts",
        // Stripe's search: a string `page` is a cursor answered by `next_page`
        parameters: [query("query"), query("page"), query("limit", "integer")],
        responses: ok({
          type: "object",
          properties: {
            data: { type: "array", items: { $ref: "#/components/schemas/Product" } },
            next_page: { type: ["string", "null"] },
          },
        }),
      },
    },
    "/reports": {
      get: {
        operationId: "listReports",
        // named like a page, but marked as a plain list
        "x-pagination": false,
        parameters: [query("page", "integer")],
        responses: ok({ type: "array", items: { type: "string" } }),
      },
    },
    "/audit": {
      get: {
        operationId: "listAudit",
        // nothing a detector knows: the extension states it
        "x-pagination": { style: "cursor", param: "from", items: "body.entries", nextCursor: "body.continue_from" },
        parameters: [query("from")],
        responses: ok({
          type: "object",
          properties: {
            body: {
              type: "object",
              properties: {
                entries: { type: "array", items: { $ref: "#/components/schemas/Product" } },
                continue_from: { type: "string" },
              },
            },
          },
        }),
      },
    },
  },
  components: { schemas: { Product: product } },
};

/** Strict type assertions: awaiting gives the page type, iterating gives the item type. */
const CHECK = `import type { OperationInvoker } from "${join(process.cwd(), "src/runtime/index.js")}";
import { createResources, type ListChargesItem, type ListChargesResponse } from "./index.js";
declare const invoker: OperationInvoker;
const shop = createResources(invoker);
export async function check(): Promise<string[]> {
  const first: ListChargesResponse = await shop.charges.list({ query: { limit: 2 } });
  const more: boolean = first.has_more;
  const names: string[] = [String(more)];
  for await (const charge of shop.charges.list()) {
    const item: ListChargesItem = charge;
    names.push(item.name);
    // @ts-expect-error an item has no such field
    names.push(charge.no_such_field);
  }
  for await (const page of shop.products.list().pages()) names.push(...page.map((p) => p.id));
  const reports: Promise<string[]> = shop.reports.list();
  // @ts-expect-error a list marked x-pagination: false is a plain promise
  shop.reports.list().pages();
  return [...names, ...(await reports)];
}
`;

const PRODUCTS = Array.from({ length: 7 }, (_, i) => ({ id: `p${i + 1}`, name: `Product ${i + 1}` }));
const tmp = useTempPackage("pagination");
let server: LoopbackServer;
type ListMethod = (...args: unknown[]) => PagePromise<unknown, { id: string }>;
// resources of list methods, and `search`, a root method
let shop: Record<string, Record<string, ListMethod>> & { search: ListMethod };
let invoker: OperationInvoker;
/** How the server misbehaves, per test. */
let misbehave:
  | "none"
  | "repeat-cursor"
  | "ignore-page"
  | "alternate-page"
  | "fail-once"
  | "endless-cursor"
  | "fail-page-3"
  | "malformed-page-2"
  | { cursor: unknown } = "none";
let failures = 0;

const pageOf = (url: URL) => Number(url.searchParams.get("page") ?? 1);

beforeAll(async () => {
  const out = join(tmp.root, "shop");
  await generate(tmp.specFile("shop.json", SHOP), out);
  writeFileSync(join(out, "check.ts"), CHECK);
  server = await startServer((seen, res) => {
    const url = new URL(seen.url, "http://127.0.0.1");
    const size = (name: string) => Number(url.searchParams.get(name) ?? 3);
    if (misbehave === "fail-once" && failures++ === 1) return sendJson(res, 503, { error: "busy" });
    // the third request of a walk (each test's walk starts at failures = 0)
    if (misbehave === "fail-page-3" && failures++ === 2) return sendJson(res, 500, { error: "exploded" });
    if (misbehave === "malformed-page-2" && failures++ === 1) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end("{oops");
    }
    if (url.pathname === "/products") {
      // ignore-page: always page 1; alternate-page: pages 1 and 2 by turns, whatever was asked for
      const page =
        misbehave === "ignore-page" ? 1 : misbehave === "alternate-page" ? (failures++ % 2) + 1 : pageOf(url);
      return sendJson(res, 200, PRODUCTS.slice((page - 1) * size("per_page"), page * size("per_page")));
    }
    if (url.pathname === "/orders") {
      const offset = Number(url.searchParams.get("offset") ?? 0);
      return sendJson(res, 200, { results: PRODUCTS.slice(offset, offset + size("limit")), total: PRODUCTS.length });
    }
    if (url.pathname === "/charges") {
      const after = url.searchParams.get("starting_after");
      const start = after ? PRODUCTS.findIndex((p) => p.id === after) + 1 : 0;
      const data = PRODUCTS.slice(start, start + size("limit"));
      return sendJson(res, 200, { object: "list", data, has_more: start + data.length < PRODUCTS.length });
    }
    if (url.pathname === "/events") {
      const start = Number(url.searchParams.get("page_token") ?? 0);
      const end = start + size("page_size");
      if (misbehave === "endless-cursor")
        // a fresh cursor and fresh items on every page, for ever
        return sendJson(res, 200, { items: [{ id: `e${start}`, name: "E" }], next_page_token: String(start + 1) });
      if (typeof misbehave === "object")
        return sendJson(res, 200, { items: PRODUCTS.slice(start, end), next_page_token: misbehave.cursor });
      const token = misbehave === "repeat-cursor" ? "3" : end < PRODUCTS.length ? String(end) : null;
      return sendJson(res, 200, { items: PRODUCTS.slice(start, end), next_page_token: token });
    }
    if (url.pathname === "/search") {
      const start = url.searchParams.has("page") ? Number(url.searchParams.get("page")?.slice(5)) : 0;
      const end = start + size("limit");
      return sendJson(res, 200, {
        data: PRODUCTS.slice(start, end),
        next_page: end < PRODUCTS.length ? `page_${end}` : null,
      });
    }
    if (url.pathname === "/reports") return sendJson(res, 200, ["r1"]);
    if (url.pathname === "/audit") {
      const from = Number(url.searchParams.get("from") ?? 0);
      const next = from + 4 < PRODUCTS.length ? { continue_from: String(from + 4) } : {};
      return sendJson(res, 200, { body: { entries: PRODUCTS.slice(from, from + 4), ...next } });
    }
    sendJson(res, 404, { error: "no route" });
  });
  invoker = createRuntime({ baseUrl: server.origin, maxRetries: 0, timeoutMs: 5_000 });
  shop = (await importGenerated<{ createResources(i: OperationInvoker): typeof shop }>(out)).createResources(invoker);
}, 120_000);

afterAll(() => server?.close());

/** The requests since `from`, as path and query. */
const sentSince = (from: number) => server.requests.slice(from).map((r) => r.url);

async function walk(list: PagePromise<unknown, { id: string }>): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of list) ids.push(item.id);
  return ids;
}

describe("generated list methods page through any API", () => {
  it("compile under strict tsc: awaiting types the page, iterating types the item", async () => {
    expect(await typeCheck(tmp.root, ["shop"])).toBe("");
  }, 120_000);

  it("page/per_page: walks every page and stops at the first empty one", async () => {
    const from = server.requests.length;
    expect(await walk(shop.products.list({ query: { per_page: 3 } }))).toEqual(PRODUCTS.map((p) => p.id));
    expect(sentSince(from)).toEqual([
      "/products?per_page=3",
      "/products?per_page=3&page=2",
      "/products?per_page=3&page=3",
      "/products?per_page=3&page=4",
    ]);
  });

  it("offset/limit: advances the offset by the items received", async () => {
    const from = server.requests.length;
    expect(await walk(shop.orders.list({ query: { limit: 4 } }))).toEqual(PRODUCTS.map((p) => p.id));
    expect(sentSince(from)).toEqual(["/orders?limit=4", "/orders?limit=4&offset=4", "/orders?limit=4&offset=7"]);
  });

  it("Stripe-style has_more + starting_after: the last item's id is the next cursor, has_more: false ends it", async () => {
    const from = server.requests.length;
    expect(await walk(shop.charges.list({ query: { limit: 3 } }))).toEqual(PRODUCTS.map((p) => p.id));
    expect(sentSince(from)).toEqual([
      "/charges?limit=3",
      "/charges?limit=3&starting_after=p3",
      "/charges?limit=3&starting_after=p6",
    ]);
  });

  it("next_page_token and a string page with next_page: a null token ends the walk; x-pagination states a nested cursor", async () => {
    const from = server.requests.length;
    expect(await walk(shop.events.list({ query: { page_size: 5 } }))).toEqual(PRODUCTS.map((p) => p.id));
    expect(await walk(shop.audit.list())).toEqual(PRODUCTS.map((p) => p.id));
    expect(await walk(shop.search({ query: { query: "all", limit: 4 } }))).toEqual(PRODUCTS.map((p) => p.id));
    expect(sentSince(from)).toEqual([
      "/events?page_size=5",
      "/events?page_size=5&page_token=5",
      "/audit",
      "/audit?from=4",
      "/search?query=all&limit=4",
      "/search?query=all&limit=4&page=page_4",
    ]);
  });

  it("awaiting gives the first page as before; .pages() yields whole pages, lazily", async () => {
    const from = server.requests.length;
    const list = shop.charges.list({ query: { limit: 2 } });
    expect(list).not.toBeInstanceOf(Promise);
    expect([typeof list.then, typeof list.pages, typeof list[Symbol.asyncIterator]]).toEqual([
      "function",
      "function",
      "function",
    ]);
    expect(sentSince(from)).toEqual([]); // nothing is sent before the result is used
    expect(await list).toEqual({ object: "list", data: PRODUCTS.slice(0, 2), has_more: true });
    const pages: unknown[] = [];
    for await (const page of list.pages()) {
      pages.push(page);
      if (pages.length === 2) break;
    }
    // the first page is reused, the second fetched, and breaking out stops there
    expect(sentSince(from)).toEqual(["/charges?limit=2", "/charges?limit=2&starting_after=p2"]);
    expect(pages.map((p) => (p as { data: { id: string }[] }).data.map((d) => d.id))).toEqual([
      ["p1", "p2"],
      ["p3", "p4"],
    ]);
    await expect(shop.reports.list()).resolves.toEqual(["r1"]);
    expect(shop.reports.list()).toBeInstanceOf(Promise);
  });

  it("a cursor the server hands back twice is a PaginationError, never an endless loop", async () => {
    misbehave = "repeat-cursor";
    try {
      const seen: string[] = [];
      const error = await (async () => {
        for await (const item of shop.events.list({ query: { page_size: 3 } })) seen.push(item.id);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).message).toBe(
        'listEvents: the server gave page_token="3" on page 2, already sent to ask for page 2; stopping rather than fetching the same pages forever.',
      );
      // the walk stopped before page 3, which would have repeated page 2's query
      expect(error).toMatchObject({ page: 3, pageQuery: { page_size: 3, page_token: "3" } });
      // both pages the server sent are walked; the third request is never sent
      expect(seen).toEqual(["p1", "p2", "p3", "p4", "p5", "p6"]);
    } finally {
      misbehave = "none";
    }
  });

  it("a server that ignores the page number is a PaginationError on the repeated page", async () => {
    misbehave = "ignore-page";
    try {
      await expect(walk(shop.products.list({ query: { per_page: 3 } }))).rejects.toThrow(
        "listProducts: the server answered page 2 (page=2) with the same items as page 1 (does it read `page`?); stopping rather than fetching the same pages forever.",
      );
    } finally {
      misbehave = "none";
    }
  });

  it("a server that ignores the page number and alternates two pages is caught on the first page it repeats", async () => {
    misbehave = "alternate-page";
    failures = 0;
    const from = server.requests.length;
    try {
      const error = await walk(shop.products.list({ query: { per_page: 2 } })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaginationError);
      expect((error as PaginationError).message).toBe(
        "listProducts: the server answered page 3 (page=3) with the same items as page 1 (does it read `page`?); stopping rather than fetching the same pages forever.",
      );
      expect(error).toMatchObject({ page: 3, pageQuery: { per_page: 2, page: 3 } });
      expect(sentSince(from)).toHaveLength(3);
    } finally {
      misbehave = "none";
    }
  });

  it("a server that invents a new cursor for ever is followed lazily; maxPages caps a walk, and pageQuery resumes it", async () => {
    misbehave = "endless-cursor";
    const from = server.requests.length;
    try {
      // no cap by default: the consumer's loop bounds the walk
      const ids: string[] = [];
      for await (const item of shop.events.list({ query: { page_size: 1 } })) if (ids.push(item.id) === 50) break;
      expect(ids).toHaveLength(50);
      expect(sentSince(from)).toHaveLength(50);

      const capped = await walk(shop.events.list({ query: { page_size: 1 } }, { maxPages: 4 })).catch(
        (e: unknown) => e,
      );
      expect(capped).toBeInstanceOf(PaginationError);
      expect((capped as PaginationError).message).toBe(
        "listEvents: stopped after 4 pages (options.maxPages) with more to come; call again with `{ query: error.pageQuery }` to go on.",
      );
      // page 5 was not sent; its query is where the walk goes on
      expect(capped).toMatchObject({ page: 5, pageQuery: { page_size: 1, page_token: "4" } });
      expect(sentSince(from)).toHaveLength(54);
      const rest: string[] = [];
      const resumed = shop.events.list({ query: (capped as PaginationError).pageQuery }, { maxPages: 2 });
      await expect(
        (async () => {
          for await (const item of resumed) rest.push(item.id);
        })(),
      ).rejects.toMatchObject({ page: 3, pageQuery: { page_size: 1, page_token: "6" } });
      expect(rest).toEqual(["e4", "e5"]);

      // .pages() honours it too; a bad maxPages is refused before anything is sent
      const pages = shop.events.list({ query: { page_size: 1 } }, { maxPages: 1 }).pages();
      await expect(pages.next()).resolves.toMatchObject({ done: false });
      await expect(pages.next()).rejects.toMatchObject({ name: "PaginationError", page: 2 });
      const count = server.requests.length;
      for (const maxPages of [0, 1.5, Number.NaN, "3"]) {
        const error = await walk(shop.events.list(undefined, { maxPages } as never)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ field: "maxPages" });
        expect((error as Error).message).toMatch(
          /^listEvents: options\.maxPages must be a whole number of at least 1, or Infinity; got /,
        );
      }
      expect(server.requests.length).toBe(count);
    } finally {
      misbehave = "none";
    }
  });

  it("a next cursor that is not a string or number is a PaginationError naming the field and its type; a number is sent", async () => {
    const cases: [unknown, string][] = [
      [{ a: 1 }, 'an object ({"a":1})'],
      [{ b: 2 }, 'an object ({"b":2})'],
      [[6, "x"], 'an array ([6,"x"])'],
      [true, "a boolean (true)"],
    ];
    try {
      for (const [cursor, shown] of cases) {
        misbehave = { cursor };
        const from = server.requests.length;
        const error = await walk(shop.events.list({ query: { page_size: 2 } })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PaginationError);
        expect((error as PaginationError).message).toBe(
          `listEvents: page 1 gave \`next_page_token\` as ${shown}, not a string or number, so it cannot be sent as \`page_token\` for the next page.`,
        );
        expect(error).toMatchObject({ page: 1, pageQuery: { page_size: 2 }, operationId: "listEvents" });
        expect(sentSince(from)).toEqual(["/events?page_size=2"]);
      }
      misbehave = { cursor: 6 };
      const from = server.requests.length;
      const error = await walk(shop.events.list({ query: { page_size: 2 } })).catch((e: unknown) => e);
      // a number is a cursor like a string; sent once, then its repeat stops the walk
      expect(sentSince(from)).toEqual(["/events?page_size=2", "/events?page_size=2&page_token=6"]);
      expect(error).toMatchObject({ name: "PaginationError", page: 3 });
    } finally {
      misbehave = "none";
    }
  });

  it("a starting page number or offset that is not a whole number is a ValidationError before any request", async () => {
    const from = server.requests.length;
    const bad: [ListMethod, Record<string, unknown>, string][] = [
      [
        shop.products.list,
        { page: "abc" },
        'listProducts: query.page must be a whole number of at least 0 to walk the pages after it; got a string ("abc").',
      ],
      [
        shop.products.list,
        { page: 1.5 },
        "listProducts: query.page must be a whole number of at least 0 to walk the pages after it; got a number (1.5).",
      ],
      [
        shop.orders.list,
        { offset: -3 },
        "listOrders: query.offset must be a whole number of at least 0 to walk the items after it; got a number (-3).",
      ],
    ];
    for (const [list, query, message] of bad) {
      const error = await walk(list({ query })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe(message);
      expect((error as ValidationError).field).toBe(`query.${Object.keys(query)[0]}`);
    }
    expect(sentSince(from)).toEqual([]);
    // a numeric string is a page number
    expect(await walk(shop.products.list({ query: { per_page: 3, page: "2" } }))).toEqual(["p4", "p5", "p6", "p7"]);
  });

  it("an error mid-walk carries page and pageQuery, and the walk resumes from pageQuery", async () => {
    try {
      misbehave = "fail-page-3";
      failures = 0;
      const ids: string[] = [];
      const error = await (async () => {
        for await (const item of shop.orders.list({ query: { limit: 2 } })) ids.push(item.id);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error).toMatchObject({ status: 500, page: 3, pageQuery: { limit: 2, offset: 4 } });
      expect(ids).toEqual(["p1", "p2", "p3", "p4"]);
      misbehave = "none";
      const rest = await walk(shop.orders.list({ query: (error as InternalServerError).pageQuery }));
      expect([...ids, ...rest]).toEqual(PRODUCTS.map((p) => p.id));

      misbehave = "malformed-page-2";
      failures = 0;
      const pages: unknown[] = [];
      const malformed = await (async () => {
        for await (const page of shop.charges.list({ query: { limit: 3 } }).pages()) pages.push(page);
      })().catch((e: unknown) => e);
      expect(malformed).toBeInstanceOf(MalformedResponseError);
      expect(malformed).toMatchObject({ page: 2, pageQuery: { limit: 3, starting_after: "p3" } });
      expect(pages).toHaveLength(1);

      // the first page is page 1, with the caller's own query
      misbehave = "fail-page-3";
      failures = 2;
      const first = await walk(shop.charges.list({ query: { limit: 3 } })).catch((e: unknown) => e);
      expect(first).toMatchObject({ name: "InternalServerError", page: 1, pageQuery: { limit: 3 } });
    } finally {
      misbehave = "none";
    }
  });

  it("each page request goes through the runtime: retries, and the caller's abort signal", async () => {
    const retrying = createRuntime({ baseUrl: server.origin, maxRetries: 2, timeoutMs: 5_000, sleep: async () => {} });
    const retried = (
      await importGenerated<{ createResources(i: OperationInvoker): typeof shop }>(join(tmp.root, "shop"))
    ).createResources(retrying);
    misbehave = "fail-once";
    failures = 0;
    const from = server.requests.length;
    try {
      expect(await walk(retried.orders.list({ query: { limit: 4 } }))).toEqual(PRODUCTS.map((p) => p.id));
    } finally {
      misbehave = "none";
    }
    // the second page's first attempt got a 503 and was sent again
    expect(sentSince(from)).toEqual([
      "/orders?limit=4",
      "/orders?limit=4&offset=4",
      "/orders?limit=4&offset=4",
      "/orders?limit=4&offset=7",
    ]);

    const controller = new AbortController();
    const ids: string[] = [];
    const aborted = await (async () => {
      for await (const item of shop.charges.list({ query: { limit: 3 } }, { signal: controller.signal })) {
        ids.push(item.id);
        if (ids.length === 3) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(ids).toEqual(["p1", "p2", "p3"]);
    expect(aborted).toBeInstanceOf(APIUserAbortError);
  });
});

describe("pagination in the model", () => {
  const doc = (operation: object) => ({
    ...SHOP,
    paths: { "/things": { get: { operationId: "listThings", ...operation } } },
  });

  it("reads each pattern, and nothing for a list that does not page", () => {
    const byId = Object.fromEntries(buildModel(SHOP as never).operations.map((op) => [op.id, op.pagination]));
    expect(byId).toEqual({
      listProducts: {
        style: "page",
        param: "page",
        limitParam: "per_page",
        items: [],
        status: "200",
        mediaType: "application/json",
      },
      listOrders: {
        style: "offset",
        param: "offset",
        limitParam: "limit",
        items: ["results"],
        status: "200",
        mediaType: "application/json",
      },
      listCharges: {
        style: "cursor",
        param: "starting_after",
        limitParam: "limit",
        items: ["data"],
        hasMore: ["has_more"],
        itemCursor: "id",
        status: "200",
        mediaType: "application/json",
      },
      listEvents: {
        style: "cursor",
        param: "page_token",
        limitParam: "page_size",
        items: ["items"],
        nextCursor: ["next_page_token"],
        status: "200",
        mediaType: "application/json",
      },
      searchProducts: {
        style: "cursor",
        param: "page",
        limitParam: "limit",
        items: ["data"],
        nextCursor: ["next_page"],
        status: "200",
        mediaType: "application/json",
      },
      listReports: undefined,
      listAudit: {
        style: "cursor",
        param: "from",
        items: ["body", "entries"],
        nextCursor: ["body", "continue_from"],
        status: "200",
        mediaType: "application/json",
      },
    });
  });

  it("a bad x-pagination is a PipelineError at the extension, naming what is wrong", () => {
    const bad = doc({
      "x-pagination": { style: "cursor", param: "cursor", items: "data", nextCursor: "next" },
      parameters: [query("after")],
      responses: ok({ type: "object", properties: { data: { type: "array" } } }),
    });
    let error: unknown;
    try {
      buildModel(bad as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toBe(
      'x-pagination `param` must name a query parameter of this operation; got "cursor"',
    );
    expect((error as PipelineError).location?.pointer).toBe("#/paths/~1things/get/x-pagination");
  });
});
