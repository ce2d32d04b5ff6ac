// The spec's serialization rules and servers reach the wire: fixture specs under test/fixtures/wire are generated,
// compiled with type assertions, and called against loopback servers that record the exact bytes they receive.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import { createRuntime, type OperationInvoker } from "../src/runtime/index.js";
import {
  generate,
  importGenerated,
  loopbackRuntime,
  startServer,
  tempPackage,
  typeCheck,
  type LoopbackServer,
} from "./pipeline-harness.js";

const FIXTURES = resolve(REPO_ROOT, "test/fixtures/wire");
type Method = (...args: unknown[]) => Promise<unknown>;
type Api = Record<string, Record<string, Method>>;
interface Generated {
  createResources(invoker: OperationInvoker): Api;
}

// Type assertions per fixture, compiled with the generated code: each @ts-expect-error must be an error.
const CHECKS: Record<string, string> = {
  styles: `
import { createResources } from "./index.js";
declare const api: ReturnType<typeof createResources>;
export const list = api.path.labelArray(["blue", "black"]);
export const rgb = api.path.matrixExplodeObject({ R: 1, G: 2, B: 3 });
// @ts-expect-error the path array holds strings
export const numbers = api.path.labelArray([1, 2]);
export const query = api.query.formArray({ query: { color: ["a"] } });
export const header = api.header.simpleObject({ header: { color: { R: 1, G: 2, B: 3 } } });
export const cookies = api.cookie.several({ cookie: { session: "s" } });
// @ts-expect-error session is a required cookie
export const noSession = api.cookie.several({ cookie: { theme: "dark" } });
export const content = api.content.all({ a: 1 }, { query: { j: { a: 1 }, t: "x" }, header: { h: ["a"] } });
// @ts-expect-error a content parameter takes its content schema's type
export const contentText = api.content.all({ a: 1 }, { query: { j: "a=1" } });
// @ts-expect-error the path parameter's content schema is an object
export const contentPath = api.content.all("a");
`,
  "form-bodies": `
import type { SendMultipartBody, SendUrlencodedBody } from "./index.js";
export const files: SendMultipartBody = { files: [new Blob(["a"]), new File(["b"], "b.txt")], tags: ["x"] };
export const text: SendMultipartBody = { files: ["as text"], meta: { a: "x" } };
// @ts-expect-error files holds strings or Blobs
export const numbers: SendMultipartBody = { files: [1] };
export const avatar: SendMultipartBody = { files: [], avatar: new Blob(["p"]) };
// @ts-expect-error note is text, not a file (format: binary)
export const noteFile: SendMultipartBody = { files: [], note: new Blob(["n"]) };
// @ts-expect-error tags hold text, not files
export const tagFiles: SendMultipartBody = { files: [], tags: [new Blob(["t"])] };
export const form: SendUrlencodedBody = { ids: ["a"], filter: { color: "red" } };
import type { BinaryBody } from "./index.js";
export const bytes: BinaryBody[] = [new Blob(["a"]), new Uint8Array(1), new ArrayBuffer(1), "text"];
// a stream is a raw body too (sent once, streamed)
export const stream: BinaryBody = new ReadableStream<Uint8Array>();
// @ts-expect-error a number is not a raw body
export const number: BinaryBody = 1;
`,
  servers: `
import { serverUrl } from "./index.js";
export const main: string = serverUrl(0);
export const us: string = serverUrl(1, { region: "us", version: "v2" });
// @ts-expect-error region is eu or us
serverUrl(1, { region: "mars" });
// @ts-expect-error server 1 has no variable zone
serverUrl(1, { zone: "z" });
// @ts-expect-error server 0 takes no variables
serverUrl(0, { region: "eu" });
// @ts-expect-error the spec lists two servers
serverUrl(2);
import { createClient } from "./index.js";
// serverUrls takes the operations' own servers as their descriptors name them
export const moved = createClient({ serverUrls: { "/status": "http://127.0.0.1:1/s" } });
// @ts-expect-error no operation declares this server
createClient({ serverUrls: { "https://elsewhere.example": "http://127.0.0.1:1" } });
`,
};

let root: string;
let echo: LoopbackServer;
let main: LoopbackServer;
let files: LoopbackServer;
const generated: Record<string, Generated> = {};

// Each server answers only the paths it serves, so a request sent to the wrong one fails with 404.
const serves = (paths: string[]) => (seen: { url: string }, res: import("node:http").ServerResponse) =>
  void res.writeHead(paths.includes(seen.url) ? 204 : 404).end();

beforeAll(async () => {
  root = tempPackage("wire");
  echo = await startServer((_seen, res) => void res.writeHead(204).end());
  main = await startServer(serves(["/main/items", "/status/health", "/moved/uploads"]));
  files = await startServer(serves(["/files/uploads", "/v2/uploads"]));
  // The servers fixture names ports 40001 and 40002; they become the two live servers' ports.
  const servers = readFileSync(join(FIXTURES, "servers.yaml"), "utf8")
    .replaceAll("40001", new URL(main.origin).port)
    .replaceAll("40002", new URL(files.origin).port);
  writeFileSync(join(root, "servers.yaml"), servers);
  for (const name of Object.keys(CHECKS)) {
    const spec = name === "servers" ? join(root, "servers.yaml") : join(FIXTURES, `${name}.yaml`);
    await generate(spec, join(root, name));
    writeFileSync(join(root, name, "check.ts"), CHECKS[name]);
    generated[name] = await importGenerated<Generated>(join(root, name));
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([echo, main, files].map((server) => server?.close()));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("wire: generated code", () => {
  it("compiles under tsc --strict with the runtime, and every type assertion holds", async () => {
    expect(await typeCheck(root, Object.keys(CHECKS))).toBe("");
  }, 120_000);

  it("descriptors name only what differs from the location's default serialization", () => {
    const descriptors = (
      generated.styles as unknown as { operationDescriptors: Record<string, Record<string, unknown>> }
    ).operationDescriptors;
    expect(descriptors.pathSimplePrimitive.pathParams).toEqual(["color"]);
    expect(descriptors.queryFormExplodeArray.queryParams).toEqual(["color"]);
    expect(descriptors.queryFormArray.queryParams).toEqual([{ name: "color", explode: false }]);
    expect(descriptors.pathMatrixExplodeArray.pathParams).toEqual([{ name: "color", style: "matrix", explode: true }]);
    expect(descriptors.queryReserved.queryParams).toEqual([{ name: "next", allowReserved: true }, "plain"]);
    expect(descriptors.cookieSeveral.cookieParams).toEqual(["session", "theme"]);
    expect(descriptors.queryReserved).not.toHaveProperty("cookieParams");
    expect(descriptors.contentParams.queryParams).toEqual([
      { name: "j", contentType: "application/json" },
      { name: "t", contentType: "text/plain" },
    ]);
  });
});

// The OpenAPI specification's "Style Examples" table: color = "blue", ["blue", "black", "brown"], {R: 100, G: 200, B: 150}.
const VALUES = { Primitive: "blue", Array: ["blue", "black", "brown"], Object: { R: 100, G: 200, B: 150 } };
type Row = [style: string, explode: boolean, primitive: string | null, array: string | null, object: string | null];
const PATH_TABLE: Row[] = [
  ["simple", false, "blue", "blue,black,brown", "R,100,G,200,B,150"],
  ["simple", true, "blue", "blue,black,brown", "R=100,G=200,B=150"],
  ["label", false, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"],
  ["label", true, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"],
  ["matrix", false, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"],
  ["matrix", true, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"],
];
const FORM_TABLE: Row[] = [
  ["form", false, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"],
  ["form", true, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"],
];
const QUERY_TABLE: Row[] = [
  ...FORM_TABLE,
  ["spaceDelimited", false, null, "color=blue%20black%20brown", "color=R%20100%20G%20200%20B%20150"],
  ["pipeDelimited", false, null, "color=blue|black|brown", "color=R|100|G|200|B|150"],
  ["deepObject", true, null, null, "color[R]=100&color[G]=200&color[B]=150"],
];

/** One case per filled cell: the fixture's method and path for it, the value, and what the table says is sent. */
function cases(table: Row[]) {
  return table.flatMap(([style, explode, ...cells]) =>
    (["Primitive", "Array", "Object"] as const).flatMap((type, i) =>
      cells[i] === null
        ? []
        : [
            {
              method: `${style}${explode ? "Explode" : ""}${type}`,
              route: `${style}${explode ? "-explode" : ""}/${type.toLowerCase()}`,
              value: VALUES[type],
              sent: cells[i] as string,
            },
          ],
    ),
  );
}

const styles = () => generated.styles.createResources(loopbackRuntime(echo.origin));
const last = () => echo.requests[echo.requests.length - 1];

describe("wire: parameters as the Style Examples table writes them", () => {
  /** What each cell of `table` actually sends, beside what the table says: a failure shows every cell that differs. */
  async function compare(
    table: Row[],
    send: (method: string, value: unknown) => Promise<string>,
    received: (route: string, cell: string) => string = (_route, cell) => cell,
  ) {
    const sent: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const cell of cases(table)) {
      sent[cell.method] = await send(cell.method, cell.value);
      expected[cell.method] = received(cell.route, cell.sent);
    }
    expect(sent).toEqual(expected);
  }

  it("path: simple, label and matrix, exploded or not", async () => {
    await compare(
      PATH_TABLE,
      async (method, value) => {
        await styles().path[method](value);
        return last().url;
      },
      (route, cell) => `/path/${route}/${cell}`,
    );
  });

  it("query: form, spaceDelimited, pipeDelimited and deepObject", async () => {
    await compare(
      QUERY_TABLE,
      async (method, value) => {
        await styles().query[method]({ query: { color: value } });
        return last().url;
      },
      (route, cell) => `/query/${route}?${cell}`,
    );
  });

  it("header: simple, exploded or not (not percent-encoded)", async () => {
    await compare(PATH_TABLE.slice(0, 2), async (method, value) => {
      await styles().header[method]({ header: { color: value } });
      return String(last().headers.color);
    });
  });

  it("cookie: form, exploded or not, in a Cookie header", async () => {
    await compare(FORM_TABLE, async (method, value) => {
      await styles().cookie[method]({ cookie: { color: value } });
      return String(last().headers.cookie);
    });
  });

  it("allowReserved leaves reserved characters as they are; other parameters are percent-encoded", async () => {
    await styles().query.reserved({ query: { next: "/a/b?c=d&e f", plain: "/a/b?c=d&e f" } });
    expect(last().url).toBe("/query/reserved?next=/a/b?c=d&e%20f&plain=%2Fa%2Fb%3Fc%3Dd%26e%20f");
  });

  it("content parameters: one value, JSON for a JSON media type and text otherwise, in every location", async () => {
    await styles().content.all(
      { a: 1 },
      { query: { j: { a: 1, b: "x y&" }, t: "x y&" }, header: { h: ["a", "b"] }, cookie: { c: { k: "v;" } } },
    );
    expect(last().url).toBe("/content/%7B%22a%22%3A1%7D?j=%7B%22a%22%3A1%2C%22b%22%3A%22x%20y%26%22%7D&t=x%20y%26");
    expect(last().headers.h).toBe('["a","b"]');
    expect(last().headers.cookie).toBe("c=%7B%22k%22%3A%22v%3B%22%7D");
  });

  it("cookie parameters join in one Cookie header, after a default one; absent ones are left out", async () => {
    const api = generated.styles.createResources(loopbackRuntime(echo.origin, { cookie: "sdk=1" }));
    await api.cookie.several({ cookie: { session: "s 1", theme: "dark" } });
    expect(last().headers.cookie).toBe("sdk=1; session=s%201; theme=dark");
    await api.cookie.several({ cookie: { session: "s", theme: undefined } });
    expect(last().headers.cookie).toBe("sdk=1; session=s");
  });
});

describe("wire: form bodies", () => {
  const forms = () => generated["form-bodies"].createResources(loopbackRuntime(echo.origin)).forms;

  it("multipart: one part per array item, Blobs as files (typed by their encoding), objects as JSON parts, undefined left out", async () => {
    await forms().multipart({
      files: [new Blob(["one"]), new File(["two"], "two.txt", { type: "text/plain" })],
      tags: ["a", "b"],
      meta: { a: "x" },
      extra: { b: 2 },
      note: "hi",
      count: 3,
      skipped: undefined,
      avatar: new Blob(["png"]),
      doc: "<a/>",
    });
    const type = String(last().headers["content-type"]);
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(type)?.[1];
    const part = (headers: string, body: string) => `--${boundary}\r\n${headers}\r\n\r\n${body}\r\n`;
    const disposition = (name: string, filename?: string) =>
      `Content-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ""}`;
    expect(last().body.toString("utf8")).toBe(
      [
        part(`${disposition("files", "blob")}\r\nContent-Type: application/octet-stream`, "one"),
        part(`${disposition("files", "two.txt")}\r\nContent-Type: text/plain`, "two"),
        part(disposition("tags"), "a"),
        part(disposition("tags"), "b"),
        // JSON parts are fields, not files: a Content-Type and no filename
        part(`${disposition("meta")}\r\nContent-Type: application/json`, '{"a":"x"}'),
        part(`${disposition("extra")}\r\nContent-Type: application/vnd.extra+json`, '{"b":2}'),
        part(disposition("note"), "hi"),
        part(disposition("count"), "3"),
        part(`${disposition("avatar", "blob")}\r\nContent-Type: image/png`, "png"),
        part(`${disposition("doc")}\r\nContent-Type: application/xml`, "<a/>"),
        `--${boundary}--\r\n`,
      ].join(""),
    );
  });

  it("multipart: an object whose encoding is not JSON is refused before anything is sent", async () => {
    const before = echo.requests.length;
    const sent = forms().multipart({ files: [], doc: { a: "x" } });
    await expect(sent).rejects.toMatchObject({
      name: "ValidationError",
      field: "doc",
      message: expect.stringContaining("application/xml"),
    });
    expect(echo.requests).toHaveLength(before);
  });

  it("urlencoded: styled fields as their encoding says, objects as JSON, arrays repeated, undefined left out", async () => {
    await forms().urlencoded({
      ids: ["a", "b"],
      filter: { color: "red", size: "L" },
      color: { R: 100, G: 200 },
      pipes: ["x", "y"],
      tags: ["p", "q"],
      meta: { k: "v w" },
      note: "x y",
      skipped: undefined,
    });
    expect(last().headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(last().body.toString("utf8")).toBe(
      "ids=a,b&color=red&size=L&color[R]=100&color[G]=200&pipes=x|y&tags=p&tags=q&meta=%7B%22k%22%3A%22v+w%22%7D&note=x+y",
    );
  });
});

describe("wire: servers at every level", () => {
  const runtime = (
    options: {
      serverUrls?: Record<string, string>;
      trustOperationServers?: boolean;
      credentialOrigins?: string[];
    } = {},
  ) =>
    createRuntime({
      baseUrl: `${main.origin}/main`,
      credentials: { authorization: "Bearer k" },
      maxRetries: 0,
      timeoutMs: 10_000,
      ...options,
    });
  const api = (invoker: OperationInvoker) => generated.servers.createResources(invoker);
  const seen = (server: LoopbackServer) => server.requests.map((r) => [r.method, r.url, r.headers.authorization]);

  it("path-item and operation servers decide where the call goes; the root servers yield to baseUrl", async () => {
    main.requests.length = 0;
    files.requests.length = 0;
    // trusted as the spec's own, as a generated createClient does while baseUrl is the spec's
    const client = api(runtime({ trustOperationServers: true }));
    await client.items.list();
    await client.uploads.create();
    await client.uploads.list();
    await client.health.retrieve();
    expect(seen(main)).toEqual([
      ["GET", "/main/items", "Bearer k"],
      ["GET", "/status/health", "Bearer k"],
    ]);
    // the operation's first server with its variables at their defaults (/v{version} → /v2)
    expect(seen(files)).toEqual([
      ["POST", "/files/uploads", "Bearer k"],
      ["GET", "/v2/uploads", "Bearer k"],
    ]);
  });

  it("an operation's own server on another origin gets no credentials unless trusted or listed", async () => {
    files.requests.length = 0;
    await api(runtime()).uploads.create();
    await api(runtime({ credentialOrigins: [files.origin] })).uploads.list();
    // the first call does not open the origin to the client's later calls either
    const client = api(runtime());
    await client.uploads.create();
    await client.uploads.create();
    expect(seen(files)).toEqual([
      ["POST", "/files/uploads", undefined],
      ["GET", "/v2/uploads", "Bearer k"],
      ["POST", "/files/uploads", undefined],
      ["POST", "/files/uploads", undefined],
    ]);
  });

  it("serverUrls sends an operation's own server elsewhere", async () => {
    main.requests.length = 0;
    files.requests.length = 0;
    const filesServer = `${files.origin}/files`;
    await api(runtime({ serverUrls: { [filesServer]: `${main.origin}/moved` } })).uploads.create();
    expect(seen(main)).toEqual([["POST", "/moved/uploads", "Bearer k"]]);
    expect(files.requests).toHaveLength(0);
  });

  it("serverUrls is checked like baseUrl", () => {
    expect(() =>
      createRuntime({ baseUrl: main.origin, serverUrls: { x: "http://example.com" }, maxRetries: 0, timeoutMs: 1000 }),
    ).toThrow("serverUrls[x] must use https://");
  });
});
