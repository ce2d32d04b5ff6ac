// Shapes the wrappers must carry: one fixture spec per shape, generated, type-checked with assertions, and called over loopback.
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import type { OperationInvoker } from "../src/runtime/index.js";
import {
  generate,
  importGenerated,
  loopbackRuntime,
  sendJson,
  startServer,
  tempPackage,
  typeCheck,
  type LoopbackServer,
} from "./pipeline-harness.js";

const FIXTURES = resolve(REPO_ROOT, "test/fixtures/shapes");

// Type assertions per fixture, compiled with the generated code: each @ts-expect-error must be an error.
const CHECKS: Record<string, string> = {
  composition: `
import type { CreatePetBody, CreateShapeBody, GetNoteResponse } from "./index.js";
export const cat: CreatePetBody = { kind: "cat", name: "Tom", lives: 9 };
export const dog: CreatePetBody = { kind: "dog", name: "Rex", goodBoy: true };
// @ts-expect-error a cat has lives, not goodBoy
export const badCat: CreatePetBody = { kind: "cat", name: "Tom", goodBoy: true };
export const circle: CreateShapeBody = { type: "Circle", radius: 1 };
export const note: GetNoteResponse = { id: "n1", text: "both halves of allOf" };
// @ts-expect-error allOf requires both halves
export const half: GetNoteResponse = { id: "n1" };
`,
  "nullable-30": `
import type { UpdateProfileBody } from "./index.js";
export const cleared: UpdateProfileBody = { nickname: null, age: null, tags: null };
export const set: UpdateProfileBody = { nickname: "n", age: 3, tags: ["a"] };
// @ts-expect-error nickname is required (nullable, not optional)
export const missing: UpdateProfileBody = { age: 1 };
// @ts-expect-error age is an integer or null
export const wrong: UpdateProfileBody = { nickname: "n", age: "3" };
`,
  "types-31": `
import type { CreateEventBody } from "./index.js";
export const event: CreateEventBody = { object: "event", label: null, count: "3", version: 2 };
export const counted: CreateEventBody = { object: "event", label: "l", count: 3 };
// @ts-expect-error object is the const "event"
export const other: CreateEventBody = { object: "other", label: null, count: 1 };
// @ts-expect-error count is integer or string, never boolean
export const flag: CreateEventBody = { object: "event", label: null, count: true };
`,
  recursive: `
import type { CreateTreeBody, ListLabelsResponse, Open } from "./index.js";
export const tree: CreateTreeBody = { value: "root", children: [{ value: "leaf", children: [] }], parent: { value: "up" } };
export const labels: ListLabelsResponse = { bug: 1, feature: 2 };
// @ts-expect-error label counts are integers
export const badLabels: ListLabelsResponse = { bug: "1" };
export const open: Open = { known: "k", anything: [1, 2] };
`,
  enums: `
import type { ListTasksParams, ListTasksResponse } from "./index.js";
export const params: ListTasksParams = { query: { sort: "-created-at" } };
export const spaced: ListTasksParams = { query: { sort: "due date" } };
// @ts-expect-error not one of the enum values
export const bad: ListTasksParams = { query: { sort: "created_at" } };
export const tasks: ListTasksResponse = [{ status: "done!", priority: -1, mixed: null }, { status: "", priority: 0, mixed: 2 }];
// @ts-expect-error priority is 0, 1 or -1
export const badTask: ListTasksResponse = [{ status: "class", priority: 2 }];
`,
  "request-bodies": `
import type { UploadFileBody, CreateTokenBody, PutBlobBody } from "./index.js";
export const upload: UploadFileBody = { file: new Blob(["hello"]), purpose: "test" };
export const token: CreateTokenBody = { grant_type: "client_credentials" };
export const bytes: PutBlobBody = new Uint8Array([1, 2, 3]);
// @ts-expect-error purpose is required
export const noPurpose: UploadFileBody = { file: new Blob([]) };
`,
  responses: `
import type { GetReadmeResponse, GetArchiveResponse, StreamEventsResponse } from "./index.js";
export const text: GetReadmeResponse = "readme";
export const blob: GetArchiveResponse = new Blob([]);
export const stream = (r: Response): StreamEventsResponse => r;
`,
  "default-response": `
import type { GetStatusResponse, PingResponse } from "./index.js";
export const status: GetStatusResponse = { ok: true };
// @ts-expect-error ok is a boolean
export const badStatus: GetStatusResponse = { ok: "yes" };
export const nothing: PingResponse = undefined;
`,
  "servers-security": `
import { authHeaders, serverUrl } from "./index.js";
export const headers: Record<string, string> = authHeaders({ ApiKeyHeader: "k", SessionCookie: "s" });
// @ts-expect-error not a scheme of this spec
authHeaders({ Unknown: "k" });
export const url: string = serverUrl(0, { version: "v1" });
`,
};

let root: string;
let server: LoopbackServer;
let invoker: OperationInvoker;
const resources: Record<string, Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>> = {};

beforeAll(async () => {
  root = tempPackage("shapes");
  for (const [name, check] of Object.entries(CHECKS)) {
    await generate(join(FIXTURES, `${name}.yaml`), join(root, name));
    writeFileSync(join(root, name, "check.ts"), check);
  }
  server = await startServer((seen, res) => {
    const path = seen.url.split("?")[0];
    if (path === "/readme") return void res.writeHead(200, { "content-type": "text/plain" }).end("# Readme\n");
    if (path === "/archive")
      return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from([0, 1, 2, 255]));
    if (path === "/events")
      return void res.writeHead(200, { "content-type": "text/event-stream" }).end("data: one\n\ndata: two\n\n");
    if (path === "/status") return sendJson(res, 200, { ok: true });
    if (path === "/ping" || path.startsWith("/blobs/") || path === "/session") return void res.writeHead(204).end();
    if (path === "/labels") return sendJson(res, 200, { bug: 1 });
    if (path === "/tasks") return sendJson(res, 200, [{ status: "done!", priority: -1 }]);
    if (path.endsWith("/me")) return sendJson(res, 200, { id: "me" });
    // Everything else echoes a JSON body, and acknowledges any other.
    const json = String(seen.headers["content-type"]).startsWith("application/json");
    sendJson(res, 200, json ? JSON.parse(seen.body.toString("utf8")) : { received: seen.body.length });
  });
  invoker = loopbackRuntime(server.origin);
  for (const name of Object.keys(CHECKS)) {
    const generated = await importGenerated<{ createResources(invoker: OperationInvoker): (typeof resources)[string] }>(
      join(root, name),
    );
    resources[name] = generated.createResources(invoker);
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("shapes: generated code", () => {
  it("compiles under tsc --strict with the runtime, and every type assertion holds", async () => {
    expect(await typeCheck(root, Object.keys(CHECKS))).toBe("");
  }, 120_000);
});

describe("shapes: calls over loopback", () => {
  const last = () => server.requests[server.requests.length - 1];

  it("allOf/oneOf/anyOf with discriminators: the body goes and comes back as sent", async () => {
    const cat = { kind: "cat", name: "Tom", lives: 9 };
    await expect(resources.composition.pets.create(cat)).resolves.toEqual(cat);
    expect(last().method).toBe("POST");
    const circle = { type: "Circle", radius: 2 };
    await expect(resources.composition.shapes.create(circle)).resolves.toEqual(circle);
  });

  it("3.0 nullable: nulls are sent as JSON nulls", async () => {
    const profile = { nickname: null, age: null };
    await expect(resources["nullable-30"].profiles.update("p1", profile)).resolves.toEqual(profile);
    expect(last()).toMatchObject({ method: "PATCH", url: "/profiles/p1" });
  });

  it("3.1 type arrays and const", async () => {
    const event = { object: "event", label: null, count: "3" };
    await expect(resources["types-31"].eventRecords.create(event)).resolves.toEqual(event);
  });

  it("recursive schemas and additionalProperties", async () => {
    const tree = { value: "root", children: [{ value: "leaf", children: [] }] };
    await expect(resources.recursive.trees.create(tree)).resolves.toEqual(tree);
    await expect(resources.recursive.labels.list()).resolves.toEqual({ bug: 1 });
  });

  it("enum values that are not identifiers go on the query string encoded", async () => {
    await expect(resources.enums.tasks.list({ query: { sort: "due date" } })).resolves.toEqual([
      { status: "done!", priority: -1 },
    ]);
    expect(new URL(last().url, server.origin).searchParams.get("sort")).toBe("due date");
  });

  it("multipart: a file and a field arrive as multipart/form-data parts", async () => {
    await resources["request-bodies"].uploads.create({
      file: new Blob(["file-bytes"], { type: "text/plain" }),
      purpose: "test",
    });
    const sent = last();
    expect(sent.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const text = sent.body.toString("utf8");
    expect(text).toContain('name="purpose"');
    expect(text).toContain("file-bytes");
  });

  it("form-urlencoded: fields arrive url-encoded", async () => {
    await resources["request-bodies"].tokens.create({ grant_type: "client credentials", scope: "a+b" });
    const sent = last();
    expect(sent.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(new URLSearchParams(sent.body.toString("utf8")))).toEqual({
      grant_type: "client credentials",
      scope: "a+b",
    });
  });

  it("binary: raw bytes arrive unchanged as application/octet-stream", async () => {
    await expect(
      resources["request-bodies"].blobs.update("b1", new Uint8Array([0, 1, 2, 255])),
    ).resolves.toBeUndefined();
    const sent = last();
    expect(sent).toMatchObject({ method: "PUT", url: "/blobs/b1" });
    expect(sent.headers["content-type"]).toBe("application/octet-stream");
    expect([...sent.body]).toEqual([0, 1, 2, 255]);
  });

  it("non-JSON responses: text as a string, octet-stream as a Blob, event-stream as an unread Response", async () => {
    await expect(resources.responses.readme.retrieve()).resolves.toBe("# Readme\n");
    const blob = (await resources.responses.archive.download()) as Blob;
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0, 1, 2, 255]);
    const stream = (await resources.responses.events.list()) as Response;
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect(await stream.text()).toBe("data: one\n\ndata: two\n\n");
  });

  it("an operation whose only response is `default` resolves with its body, or nothing", async () => {
    await expect(resources["default-response"].status.retrieve()).resolves.toEqual({ ok: true });
    await expect((resources["default-response"].ping as unknown as () => Promise<unknown>)()).resolves.toBeUndefined();
  });

  it("server variables fill the URL template; apiKey schemes become headers and cookies", async () => {
    const generated = await importGenerated<{
      serverUrl(index?: number, variables?: Record<string, string>): string;
      authHeaders(credentials: Record<string, string>): Record<string, string>;
      createResources(invoker: OperationInvoker): (typeof resources)[string];
    }>(join(root, "servers-security"));
    expect(generated.serverUrl()).toBe("https://api.example.test:443/v2");
    const { hostname, port } = new URL(server.origin);
    const base = generated.serverUrl(0, { scheme: "http", host: hostname, port, version: "v1" });
    expect(base).toBe(`${server.origin}/v1`);
    expect(() => generated.serverUrl(0, { version: "v9" })).toThrow(/version must be one of v1, v2/);

    const api = generated.createResources(
      loopbackRuntime(base, generated.authHeaders({ ApiKeyHeader: "secret-key", SessionCookie: "s 1" })),
    );
    await expect(api.me.retrieve()).resolves.toEqual({ id: "me" });
    expect(last().url).toBe("/v1/me");
    expect(last().headers["x-api-key"]).toBe("secret-key");
    expect(last().headers.cookie).toBe("session=s%201");
  });
});
