// The ready client's security: each operation sends only the credentials of the first of its security
// requirements the caller can satisfy; plain http to a non-loopback host only with `allowInsecureHttp`; error
// bodies typed whole (Spotify's inline `{ error: ErrorObject }`); short environment-variable prefixes.
// Generated into a temp package, imported with the repo's runtime and run against a loopback server.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiModel } from "../scripts/pipeline/model/index.js";
import { envPrefix } from "../scripts/pipeline/model/environment.js";
import { namingModel } from "../scripts/pipeline/names-report.js";
import type { PipelineResult } from "../scripts/pipeline/run.js";
import { checkBaseUrl, ValidationError, type Logger } from "../src/runtime/index.js";
import {
  generate,
  importGenerated,
  SHARED_SPECS,
  SHARED_SPECS_MISSING,
  startServer,
  typeCheck,
  useTempPackage,
  type LoopbackServer,
  type SeenRequest,
} from "./pipeline-harness.js";

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const get = (operationId: string, security?: object[]) => ({
  get: { operationId, ...(security ? { security } : {}), responses: ok },
});

/** OpenAI's two bearer keys, plus a header key, a query key, an AND requirement and an optional one. */
const shopSpec = {
  openapi: "3.1.0",
  info: { title: "Shop API", version: "1.0.0" },
  servers: [{ url: "https://shop.example.com/v1" }],
  security: [{ ProjectKey: [] }],
  paths: {
    "/models": get("listModels"),
    "/admin/keys": get("listAdminKeys", [{ AdminKey: [] }]),
    "/public/status": get("getStatus", []),
    "/legacy": get("getLegacy", [{ QueryKey: [] }]),
    "/both": get("getBoth", [{ HeaderKey: [], QueryKey: [] }, { AdminKey: [] }]),
    "/optional": get("getOptional", [{ HeaderKey: [] }, {}]),
  },
  components: {
    securitySchemes: {
      ProjectKey: { type: "http", scheme: "bearer" },
      AdminKey: { type: "http", scheme: "bearer" },
      HeaderKey: { type: "apiKey", in: "header", name: "X-Key" },
      QueryKey: { type: "apiKey", in: "query", name: "api_key" },
    },
  },
};

/** Security schemes, but no `security` anywhere: every configured credential goes with every request. */
const openSpec = {
  openapi: "3.1.0",
  info: { title: "Open API", version: "1.0.0" },
  servers: [{ url: "https://open.example.com" }],
  paths: { "/things": get("listThings") },
  components: {
    securitySchemes: {
      HeaderKey: { type: "apiKey", in: "header", name: "X-Key" },
      Bearer: { type: "http", scheme: "bearer" },
    },
  },
};

/** A spec whose only server is plain http to a host on the network, like Swagger's petstore. */
const petSpec = {
  openapi: "3.0.3",
  info: { title: "Swagger Petstore", version: "1.0.0" },
  servers: [{ url: "http://petstore.example.com/v1" }],
  security: [{ Key: [] }],
  paths: { "/pets": get("listPets") },
  components: { securitySchemes: { Key: { type: "apiKey", in: "header", name: "X-Key" } } },
};

const errorObject = {
  type: "object",
  required: ["status", "message"],
  properties: { status: { type: "integer" }, message: { type: "string" } },
};
const json = (schema: object) => ({ description: "error", content: { "application/json": { schema } } });
/** Spotify's error shapes: a shared response with an inline `{ error: ErrorObject }`, an inline allOf wrapper, a bare ErrorObject. */
const errorsSpec = {
  openapi: "3.0.3",
  info: { title: "Tunes Web API with fixes", version: "1.0.0" },
  servers: [{ url: "https://tunes.example.com/v1" }],
  paths: {
    "/me": {
      get: { operationId: "getMe", responses: { ...ok, "401": { $ref: "#/components/responses/Unauthorized" } } },
    },
    "/albums": {
      get: {
        operationId: "listAlbums",
        responses: {
          ...ok,
          "401": { $ref: "#/components/responses/Unauthorized" },
          "400": json({
            allOf: [{ type: "object", properties: { error: { $ref: "#/components/schemas/ErrorObject" } } }],
          }),
        },
      },
    },
    "/library": {
      put: {
        operationId: "saveLibrary",
        responses: {
          ...ok,
          "401": { $ref: "#/components/responses/Unauthorized" },
          "400": json({ $ref: "#/components/schemas/ErrorObject" }),
        },
      },
    },
  },
  components: {
    schemas: { ErrorObject: errorObject },
    responses: {
      Unauthorized: json({
        type: "object",
        required: ["error"],
        properties: { error: { $ref: "#/components/schemas/ErrorObject" } },
      }),
    },
  },
};

/** The shop client's operations, by the method each is. */
interface Shop {
  models: { list(): Promise<unknown> };
  admin: { keys: { list(): Promise<unknown> } };
  public: { status: { retrieve(): Promise<unknown> } };
  legacy: { retrieve(): Promise<unknown> };
  both: { retrieve(): Promise<unknown> };
  optional: { retrieve(): Promise<unknown> };
}
type Factory<T> = { createClient(options: Record<string, unknown>): T };

const temp = useTempPackage("ready-client-security");
let server: LoopbackServer;
const results = new Map<string, PipelineResult>();

beforeAll(async () => {
  server = await startServer((_seen, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
  const specs = { shop: shopSpec, open: openSpec, pet: petSpec, errors: errorsSpec };
  for (const [name, doc] of Object.entries(specs))
    results.set(name, await generate(temp.specFile(`${name}.json`, doc), join(temp.root, name)));
}, 120_000);

afterAll(() => server?.close());

/** Requests since `from`: method, target and the credential-bearing headers. */
function sent(from: number) {
  return server.requests.slice(from).map((r: SeenRequest) => ({
    url: r.url,
    authorization: r.headers.authorization,
    key: r.headers["x-key"],
  }));
}

function capture(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  const push = (line: string) => lines.push(line);
  return { lines, logger: { error: push, warn: push, info: push, debug: push } };
}

describe("credentials follow each operation's security", () => {
  it("sends only the first satisfiable requirement's credentials, asking a provider only when its scheme is sent", async () => {
    const { createClient } = await importGenerated<Factory<Shop>>(join(temp.root, "shop"));
    let minted = 0;
    const shop = createClient({
      baseUrl: server.origin,
      credentials: {
        ProjectKey: "sk-project",
        AdminKey: () => `sk-admin-${++minted}`,
        HeaderKey: "hk",
        QueryKey: "qk",
      },
    });
    const from = server.requests.length;
    await shop.models.list();
    expect(minted).toBe(0);
    await shop.admin.keys.list();
    expect(minted).toBe(1);
    await shop.public.status.retrieve();
    await shop.legacy.retrieve();
    await shop.both.retrieve();
    await shop.optional.retrieve();
    expect(minted).toBe(1);
    expect(sent(from)).toEqual([
      { url: "/models", authorization: "Bearer sk-project", key: undefined },
      { url: "/admin/keys", authorization: "Bearer sk-admin-1", key: undefined },
      { url: "/public/status", authorization: undefined, key: undefined },
      { url: "/legacy?api_key=qk", authorization: undefined, key: undefined },
      { url: "/both?api_key=qk", authorization: undefined, key: "hk" },
      { url: "/optional", authorization: undefined, key: "hk" },
    ]);
  });

  it("sends nothing when no requirement is satisfied, warning once per operation; an optional {} needs nothing", async () => {
    const { createClient } = await importGenerated<Factory<Shop>>(join(temp.root, "shop"));
    const { lines, logger } = capture();
    const shop = createClient({ baseUrl: server.origin, credentials: { QueryKey: "qk" }, logger });
    const from = server.requests.length;
    await shop.models.list();
    await shop.models.list();
    await shop.optional.retrieve();
    await shop.both.retrieve();
    expect(sent(from)).toEqual([
      { url: "/models", authorization: undefined, key: undefined },
      { url: "/models", authorization: undefined, key: undefined },
      { url: "/optional", authorization: undefined, key: undefined },
      { url: "/both", authorization: undefined, key: undefined },
    ]);
    expect(lines).toEqual([
      "[shop] listModels: sent without credentials: it needs ProjectKey (SHOP_API_KEY).",
      "[shop] getBoth: sent without credentials: it needs HeaderKey (SHOP_HEADER_KEY) and QueryKey (SHOP_QUERY_KEY) or AdminKey (SHOP_ADMIN_KEY).",
    ]);
  });

  it("writes a descriptor's security only where it differs from the root's, which createClient carries", async () => {
    const { operationDescriptors } = (await import(join(temp.root, "shop/operations.ts"))) as {
      operationDescriptors: Record<string, { id: string; security?: unknown }>;
    };
    expect(
      Object.fromEntries(
        Object.values(operationDescriptors)
          .filter((op) => op.security)
          .map((op) => [op.id, op.security]),
      ),
    ).toEqual({
      listAdminKeys: [["AdminKey"]],
      getStatus: [],
      getLegacy: [["QueryKey"]],
      getBoth: [["HeaderKey", "QueryKey"], ["AdminKey"]],
      getOptional: [["HeaderKey"], []],
    });
    expect(readFileSync(join(temp.root, "shop/client.ts"), "utf8")).toContain('security: [["ProjectKey"]]');
  });

  it("sends every configured credential when the spec declares security nowhere", async () => {
    const { createClient } = await importGenerated<Factory<{ things: { list(): Promise<unknown> } }>>(
      join(temp.root, "open"),
    );
    const open = createClient({ baseUrl: server.origin, credentials: { HeaderKey: "hk", Bearer: "tok" } });
    const from = server.requests.length;
    await open.things.list();
    expect(sent(from)).toEqual([{ url: "/things", authorization: "Bearer tok", key: "hk" }]);
    expect(readFileSync(join(temp.root, "open/client.ts"), "utf8")).not.toContain("security:");
  });
});

describe("plain http to a host on the network", () => {
  it("warns at generate time when the spec's first server is plain http", () => {
    expect((results.get("pet") as PipelineResult).model.warnings).toEqual([
      "servers: http://petstore.example.com/v1 is plain http://; the generated client refuses it unless the caller passes createClient({ allowInsecureHttp: true }) or an https:// baseUrl",
    ]);
    expect((results.get("shop") as PipelineResult).model.warnings).toEqual([]);
  });

  it("is refused, naming the option, unless allowInsecureHttp; then sent, credentials too, with a warning", async () => {
    const { createClient } = await importGenerated<Factory<{ pets: { list(): Promise<unknown> } }>>(
      join(temp.root, "pet"),
    );
    expect(() => createClient({})).toThrow(ValidationError);
    expect(() => createClient({})).toThrow(
      "the spec's first server must use https://, got http://petstore.example.com: plain http:// goes only to loopback hosts unless you pass createClient({ allowInsecureHttp: true }).",
    );
    expect(() => createClient({ baseUrl: "http://api.internal:8080" })).toThrow(/^baseUrl must use https:\/\//);
    const asked: string[] = [];
    // the network host's requests reach the loopback server: the runtime checks and sends the URL it was given
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      asked.push(url);
      return globalThis.fetch(url.replace("http://petstore.example.com", server.origin), init);
    };
    const { lines, logger } = capture();
    const pets = createClient({ allowInsecureHttp: true, credentials: { Key: "pet-key" }, fetch, logger });
    const from = server.requests.length;
    await pets.pets.list();
    expect(asked).toEqual(["http://petstore.example.com/v1/pets"]);
    expect(sent(from)).toEqual([{ url: "/v1/pets", authorization: undefined, key: "pet-key" }]);
    expect(lines).toEqual([
      "[swagger-petstore] allowInsecureHttp: credentials go to http://petstore.example.com over plain http://, readable on the network.",
    ]);
  });

  it("checkBaseUrl lets plain http through only when allowed", () => {
    expect(() => checkBaseUrl("http://api.internal:8080", "baseUrl")).toThrow(ValidationError);
    expect(checkBaseUrl("http://api.internal:8080", "baseUrl", true)).toBe("http://api.internal:8080");
    expect(() => checkBaseUrl("ftp://api.internal", "baseUrl", true)).toThrow(ValidationError);
  });
});

describe("error bodies typed whole", () => {
  it("types an inline `{ error: ErrorObject }` body as the whole body and reads error.message", async () => {
    const model = (results.get("errors") as PipelineResult).model;
    expect(model.client.errors).toEqual({
      bodies: [
        { response: "Unauthorized", mediaType: "application/json" },
        { path: "/albums", method: "get", status: "400", mediaType: "application/json" },
        { schema: "ErrorObject" },
      ],
      envelope: { message: [["error", "message"], ["message"]] },
    });
    const client = readFileSync(join(temp.root, "errors/client.ts"), "utf8");
    expect(client.replace(/\s+/g, " ")).toContain(
      'export type ErrorBody = | components["responses"]["Unauthorized"]["content"]["application/json"] | paths["/albums"]["get"]["responses"][400]["content"]["application/json"] | components["schemas"]["ErrorObject"];',
    );
    writeFileSync(
      join(temp.root, "errors/check.ts"),
      [
        'import type { ErrorBody } from "./index.js";',
        'export const spotify: ErrorBody = { error: { status: 401, message: "expired" } };',
        'export const bare: ErrorBody = { status: 400, message: "bad" };',
        'export const message = (body: ErrorBody) => ("status" in body ? body.message : body.error?.message);',
      ].join("\n"),
    );
    expect(await typeCheck(temp.root, ["errors"])).toBe("");

    const failing = await startServer((_seen, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { status: 401, message: "The access token expired" } }));
    });
    try {
      const { createClient, isAPIError } = await importGenerated<
        Factory<{ me: { retrieve(): Promise<unknown> } }> & { isAPIError(e: unknown): e is Error & { body: unknown } }
      >(join(temp.root, "errors"));
      const error = await createClient({ baseUrl: failing.origin, maxRetries: 0 })
        .me.retrieve()
        .catch((e: unknown) => e);
      expect(isAPIError(error)).toBe(true);
      expect((error as Error).message).toBe("401: The access token expired");
      expect((error as { body: unknown }).body).toEqual({
        error: { status: 401, message: "The access token expired" },
      });
    } finally {
      await failing.close();
    }
  }, 60_000);

  it.skipIf(SHARED_SPECS_MISSING)(
    "reads spotify.yml's error bodies whole, with a short environment prefix",
    async () => {
      const model: ApiModel = await namingModel(join(SHARED_SPECS, "spotify.yml"));
      expect(model.client.errors.bodies).toEqual([
        { response: "Unauthorized", mediaType: "application/json" },
        { schema: "ErrorObject" },
      ]);
      expect(model.client.errors.envelope).toEqual({ message: [["error", "message"], ["message"]] });
      expect(model.client.envPrefix).toBe("SPOTIFY_WEB");
      expect(model.client.schemeEnv).toEqual({ oauth_2_0: "SPOTIFY_WEB_ACCESS_TOKEN" });
      // every operation declares the same security and the root none: descriptors leave it out, createClient has it
      expect(model.security).toEqual([["oauth_2_0"]]);
    },
  );
});

describe("environment variable prefix", () => {
  const prefix = (title: string, extra: object = {}) => envPrefix({ info: { title, ...extra } });
  it.each([
    ["Redocly Museum API", "REDOCLY_MUSEUM"],
    ["OpenAI API", "OPENAI"],
    ["Zoo API", "ZOO"],
    ["Spotify Web API with fixes and improvements from sonallux", "SPOTIFY_WEB"],
    ["Swagger Petstore - OpenAPI 3.0", "SWAGGER_PETSTORE"],
    ["Swagger Petstore (Simple)", "SWAGGER_PETSTORE"],
    ["Some Very Long Title Here", "SOME_VERY_LONG"],
    ["API for Foo Bar Baz", "API_FOR_FOO"],
    ["3D Printer API", "API_3D_PRINTER"],
    ["", "API"],
  ])("%j → %s", (title, expected) => expect(prefix(title)).toBe(expected));

  it("x-sdk-env-prefix still wins", () => {
    expect(prefix("Spotify Web API with fixes", { "x-sdk-env-prefix": "SPOTIFY" })).toBe("SPOTIFY");
  });
});
