// Names that are not identifiers: one fixture spec per case; output must be valid, unique, deterministic, and callable.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import type { OperationInvoker } from "../src/runtime/index.js";
import {
  generate,
  importGenerated,
  loopbackRuntime,
  sendJson,
  snapshot,
  startServer,
  tempPackage,
  typeCheck,
  type LoopbackServer,
} from "./pipeline-harness.js";

const FIXTURES = resolve(REPO_ROOT, "test/fixtures/names");
const CASES = ["operation-ids", "missing-and-colliding", "path-params", "property-names"];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type Method = (...args: unknown[]) => Promise<unknown>;
interface ResourceTree {
  [name: string]: ResourceTree | Method;
}
interface Generated {
  createResources(invoker: OperationInvoker): ResourceTree;
  operationDescriptors: Record<string, { id: string; method: string; path: string }>;
}

const CHECK_PROPERTY_NAMES = `
import type { Entity, Entity2, ErrorType, Resources2, Class, CreateEntityBody } from "./index.js";
export const entity: Entity = { "@type": "t", "display-name": "d", constructor: "c", ["__proto__"]: "p", "1st": 1, "with space": true };
// @ts-expect-error "@type" and "display-name" are required
export const partial: CreateEntityBody = { constructor: "c" };
export const aliases: [Entity2, ErrorType, Resources2, Class] = ["s", "e", "r", 1];
`;

let root: string;
let server: LoopbackServer;
const generated: Record<string, Generated> = {};
const api: Record<string, ResourceTree> = {};

function operationCount(name: string): number {
  const spec = parse(readFileSync(join(FIXTURES, `${name}.yaml`), "utf8")) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).filter((k) => METHODS.has(k)).length, 0);
}

const requestLine = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
const lastRequest = () => requestLine(server.requests[server.requests.length - 1]);

/** Every method of a resource tree, as dotted paths. */
function methodPaths(tree: ResourceTree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([name, value]) =>
    typeof value === "function" ? [`${prefix}${name}`] : methodPaths(value, `${prefix}${name}.`),
  );
}

beforeAll(async () => {
  root = tempPackage("names");
  for (const name of CASES) await generate(join(FIXTURES, `${name}.yaml`), join(root, name));
  writeFileSync(join(root, "property-names", "check.ts"), CHECK_PROPERTY_NAMES);
  server = await startServer((seen, res) => {
    const json = String(seen.headers["content-type"]).startsWith("application/json");
    sendJson(res, 200, json ? JSON.parse(seen.body.toString("utf8")) : { method: seen.method, url: seen.url });
  });
  for (const name of CASES) {
    generated[name] = await importGenerated<Generated>(join(root, name));
    api[name] = generated[name].createResources(loopbackRuntime(server.origin));
  }
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("names: generated code", () => {
  it("compiles under tsc --strict with the runtime, property-name assertions included", async () => {
    expect(await typeCheck(root, CASES)).toBe("");
  }, 120_000);

  it.each(CASES)("%s: one valid, unique descriptor key and one method per operation", (name) => {
    const keys = Object.keys(generated[name].operationDescriptors);
    expect(keys).toHaveLength(operationCount(name));
    for (const key of keys) expect(key).toMatch(IDENTIFIER);
    const methods = methodPaths(api[name]);
    expect(methods).toHaveLength(keys.length);
    expect(new Set(methods).size).toBe(methods.length);
  });

  it.each(CASES)("%s: a second run gives byte-identical files", async (name) => {
    const again = join(root, `${name}-again`);
    await generate(join(FIXTURES, `${name}.yaml`), again);
    const first = [...snapshot(join(root, name))]
      .filter(([file]) => file !== "check.ts")
      .map(([file, { text }]) => [file, text]);
    expect([...snapshot(again)].map(([file, { text }]) => [file, text])).toEqual(first);
  });
});

describe("names: operationIds with dashes, dots, spaces, leading digits and reserved words", () => {
  it("become identifiers: reserved words stay as keys, other text is camel-cased, a leading digit gets `_`", () => {
    expect(Object.keys(generated["operation-ids"].operationDescriptors).sort()).toEqual(
      [
        "getItemById",
        "_2faSetup",
        "delete",
        "default",
        "new",
        "class",
        "import",
        "apiV2DottedList",
        "keywordDefault",
        "keywordNew",
        "keywordDelete",
      ].sort(),
    );
    expect(generated["operation-ids"].operationDescriptors._2faSetup.id).toBe("2fa-setup");
  });

  it("reserved words work as method names (x-sdk-method) and every wrapper sends its own request", async () => {
    const ops = api["operation-ids"] as Record<string, Record<string, Method>>;
    await expect(ops.items.retrieve("i 1")).resolves.toEqual({ method: "GET", url: "/items/i%201" });
    for (const call of [
      () => ops.items.update("i1"),
      () => ops.items.delete("i1"),
      () => ops.keywords.default(),
      () => ops.keywords.new(),
      () => ops.keywords.delete(),
      () => ops.imports.create(),
    ]) {
      await call();
    }
    expect(server.requests.slice(-6).map(requestLine)).toEqual([
      "PUT /items/i1",
      "DELETE /items/i1",
      "GET /keywords",
      "POST /keywords",
      "DELETE /keywords",
      "POST /imports",
    ]);
  });
});

describe("names: missing operationIds and names that collide after camel-casing", () => {
  it("derive keys from method and path, and number colliding ids in spec order", () => {
    const descriptors = generated["missing-and-colliding"].operationDescriptors;
    expect(Object.keys(descriptors)).toEqual([
      "getUsers",
      "postUsers",
      "getUsersUserId",
      "postUsersUserIdRename",
      "getUser",
      "getUser2",
      "getUser3",
      "getUser4",
      "get",
    ]);
    expect([descriptors.getUser.id, descriptors.getUser2.id, descriptors.getUser3.id, descriptors.getUser4.id]).toEqual(
      ["get-user", "get_user", "getUser", "GetUser"],
    );
  });

  it("still call the right endpoint", async () => {
    const tree = api["missing-and-colliding"] as Record<string, Record<string, Record<string, Method> & Method>>;
    await expect(tree.users.retrieve("u1")).resolves.toEqual({ method: "GET", url: "/users/u1" });
    await tree.users.rename("u1");
    expect(lastRequest()).toBe("POST /users/u1/rename");
    await tree.accounts.d.retrieve();
    expect(lastRequest()).toBe("GET /accounts/d");
    await (api["missing-and-colliding"].list as Method)();
    expect(lastRequest()).toBe("GET /");
  });
});

describe("names: path parameters with dashes, reserved words, and a name shared by path and query", () => {
  it("become positional arguments that fill the right template slots", async () => {
    const tree = api["path-params"] as Record<string, Record<string, Record<string, Method>>>;
    await expect(tree.orgs.repos.retrieve("my org", "a.b")).resolves.toEqual({
      method: "GET",
      url: "/orgs/my%20org/repos/a.b",
    });
    await (tree.reserved as unknown as Record<string, Method>).retrieve("c", "d", 7);
    expect(lastRequest()).toBe("GET /reserved/c/d/7");
  });

  it("keep the path value and the query value of the same name apart", async () => {
    const things = api["path-params"].things as Record<string, Method>;
    await things.retrieve("in-path", { query: { id: "in-query", body: "b" } });
    expect(lastRequest()).toBe("GET /things/in-path?id=in-query&body=b");
  });
});

describe("names: property names such as @type, display-name, constructor and __proto__", () => {
  it("travel as own JSON properties both ways", async () => {
    const body = JSON.parse('{"@type":"t","display-name":"d","constructor":"c","__proto__":"p","1st":1}') as Record<
      string,
      unknown
    >;
    const entities = api["property-names"].entities as Record<string, Method>;
    const echoed = (await entities.create(body)) as Record<string, unknown>;
    expect(Object.keys(echoed)).toEqual(["@type", "display-name", "constructor", "__proto__", "1st"]);
    expect(JSON.parse(server.requests[server.requests.length - 1].body.toString("utf8"))).toEqual(body);
  });
});
