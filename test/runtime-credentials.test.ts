// Credentials and error text at the edges: where an operation's own server may receive credentials, token
// providers that hang, fail or mint huge tokens, two schemes for one header, error bodies a server makes hostile,
// and parameter values no style can write. Against loopback servers, through createClientRuntime as a generated
// createClient calls it.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  APITimeoutError,
  APIUserAbortError,
  BadRequestError,
  SDKError,
  ValidationError,
  createClientRuntime,
  createRuntime,
  redactSecrets,
  type BaseClientOptions,
  type ClientSpec,
  type OperationDescriptor,
  type SchemeCredential,
} from "../src/runtime/index.js";
import { sendJson, startScriptedServer, type ScriptedServer } from "./client-server.js";

let api: ScriptedServer;
let uploads: ScriptedServer;
beforeAll(async () => {
  const echo: Parameters<typeof startScriptedServer>[0] = (_req, res, seen) =>
    sendJson(res, 200, { id: "x", url: seen.url });
  [api, uploads] = await Promise.all([startScriptedServer(echo), startScriptedServer(echo)]);
});
afterAll(() => Promise.all([api.close(), uploads.close()]));
afterEach(() => {
  api.requests.length = 0;
  uploads.requests.length = 0;
  delete process.env.VAULT_BASE_URL;
  delete process.env.VAULT_TOKEN;
  delete process.env.VAULT_USERNAME;
  delete process.env.VAULT_PASSWORD;
});

const spec = (): ClientSpec => ({
  name: "vault",
  schemes: {
    bearer: { type: "http", scheme: "bearer" },
    basic: { type: "http", scheme: "basic" },
    oauth: { type: "oauth2" },
    queryKey: { type: "apiKey", in: "query", name: "api_key" },
    headerKey: { type: "apiKey", in: "header", name: "Authorization" },
  },
  env: {
    baseUrl: "VAULT_BASE_URL",
    logLevel: "VAULT_LOG",
    credentials: { bearer: "VAULT_TOKEN", basic: { username: "VAULT_USERNAME", password: "VAULT_PASSWORD" } },
  },
  defaultBaseUrl: () => `${api.origin}/v1`,
});

const operation = (overrides: Partial<OperationDescriptor> = {}): OperationDescriptor => ({
  id: "getItem",
  method: "get",
  path: "/items/{id}",
  pathParams: ["id"],
  queryParams: ["filter"],
  headerParams: ["X-Trace"],
  response: "json",
  ...overrides,
});

/** What `promise` rejects with; a fulfilment fails the test. */
async function failure<E>(promise: Promise<unknown>): Promise<E> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if ("value" in outcome) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as E;
}

const client = (options: BaseClientOptions & { credentials?: Record<string, SchemeCredential> } = {}) =>
  createClientRuntime({ maxRetries: 0, logLevel: "off", ...options }, spec());

describe("an operation's own server", () => {
  const upload = () =>
    operation({ id: "createUpload", method: "post", path: "/uploads", pathParams: [], server: uploads.url });
  const credentials = { bearer: "BEARER_SECRET", queryKey: "QUERY_SECRET" };

  it("gets no credentials on another origin once the caller sets baseUrl, nor does the API's origin lose them", async () => {
    const runtime = client({ baseUrl: `${api.origin}/v1`, credentials });
    await runtime.invoke(upload(), {});
    await runtime.invoke(upload(), {});
    await runtime.invoke(operation(), { path: { id: "a" } });
    expect(uploads.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/api/v1/uploads", undefined],
      ["/api/v1/uploads", undefined],
    ]);
    expect(api.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/v1/items/a?api_key=QUERY_SECRET", "Bearer BEARER_SECRET"],
    ]);
  });

  it("gets none when the base URL comes from the environment either", async () => {
    process.env.VAULT_BASE_URL = `${api.origin}/v1`;
    await client({ credentials }).invoke(upload(), {});
    expect(uploads.requests[0].headers.authorization).toBeUndefined();
  });

  it("is the spec's own, credentials and all, while baseUrl is the spec's", async () => {
    await client({ credentials }).invoke(upload(), {});
    expect(uploads.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/api/v1/uploads?api_key=QUERY_SECRET", "Bearer BEARER_SECRET"],
    ]);
  });

  it("gets them when credentialOrigins lists its origin, or serverUrls puts the caller's URL in its place", async () => {
    await client({ baseUrl: api.origin, credentials, credentialOrigins: [uploads.origin] }).invoke(upload(), {});
    await client({ baseUrl: api.origin, credentials, serverUrls: { [uploads.url]: `${uploads.origin}/moved` } }).invoke(
      upload(),
      {},
    );
    expect(uploads.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ["/api/v1/uploads?api_key=QUERY_SECRET", "Bearer BEARER_SECRET"],
      ["/moved/uploads?api_key=QUERY_SECRET", "Bearer BEARER_SECRET"],
    ]);
  });

  it("serverUrls is checked like baseUrl", () => {
    expect(() => client({ serverUrls: { [uploads.url]: "http://example.com" } })).toThrow(
      `serverUrls[${uploads.url}] must use https://`,
    );
  });
});

describe("a token provider", () => {
  const hanging = () => new Promise<string>(() => undefined);

  it("that hangs is bounded by timeoutMs: an APITimeoutError, nothing sent", async () => {
    const started = Date.now();
    const call = client({ credentials: { oauth: hanging }, timeoutMs: 150 }).invoke(operation(), { path: { id: "a" } });
    await expect(call).rejects.toBeInstanceOf(APITimeoutError);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(api.requests).toHaveLength(0);
  });

  it("that hangs is bounded by the caller's signal: an APIUserAbortError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const call = client({ credentials: { oauth: hanging }, timeoutMs: 60_000 }).invoke(
      operation(),
      { path: { id: "a" } },
      { signal: controller.signal },
    );
    await expect(call).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.requests).toHaveLength(0);
  });

  it("that fails is an SDKError that keeps its error as cause without quoting it", async () => {
    const thrown = new Error("refresh failed for TOKSECRET-abc");
    for (const provider of [
      () => {
        throw thrown;
      },
      () => Promise.reject("TOKSECRET-raw"),
    ]) {
      const error = await failure<SDKError>(
        client({ credentials: { oauth: provider } }).invoke(operation(), { path: { id: "a" } }),
      );
      expect(error).toBeInstanceOf(SDKError);
      expect(error.message).toMatch(/^The credential provider failed/);
      expect(error.message).not.toContain("TOKSECRET");
      expect(String(error.cause)).toContain("TOKSECRET");
    }
  });

  it("may mint a token of any length, redacted wherever a server echoes it", async () => {
    // past 32 KB, where one regular expression of every form of it was too large to compile
    const token = `T${"x".repeat(100_000)}`;
    const seen: string[] = [];
    const echo = createServer({ maxHeaderSize: 1_000_000 }, (req, res) => {
      seen.push(req.headers.authorization ?? "");
      sendJson(res, 400, { message: `bad token ${req.headers.authorization}` });
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const baseUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
      const error = await failure<BadRequestError>(
        client({ baseUrl, credentials: { oauth: () => token } }).invoke(operation(), { path: { id: "a" } }),
      );
      expect(seen).toEqual([`Bearer ${token}`]);
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.message).toBe("400: bad token [redacted] (request-id req_test123)");
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it("redacts a client secret that holds a call's own token whole, not around the token", async () => {
    const server = await startScriptedServer((_req, res) =>
      sendJson(res, 400, { error: { code: "bad", message: "echo XYZ-tok123-ABC" } }),
    );
    try {
      const runtime = createRuntime({
        baseUrl: server.url,
        maxRetries: 0,
        secrets: ["XYZ-tok123-ABC"],
        credentialProvider: () => ({ headers: { "x-api-key": "tok123" } }),
      });
      const error = (await runtime.getJson(`${server.url}/x`).catch((e: unknown) => e)) as Error;
      expect(error.message).toBe("400 bad: echo [redacted] (request-id req_test123)");
    } finally {
      await server.close();
    }
  });

  it("keeps each call's own token redacted in its error however many calls run at once", async () => {
    const echo = await startScriptedServer(async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      sendJson(res, 400, { message: `bad token ${req.headers.authorization}` });
    });
    try {
      let minted = 0;
      const vault = client({ baseUrl: echo.url, credentials: { oauth: () => `tok_${minted++}_SECRET` } });
      const errors = await Promise.all(
        Array.from({ length: 24 }, () => failure<BadRequestError>(vault.invoke(operation(), { path: { id: "a" } }))),
      );
      expect(echo.requests).toHaveLength(24);
      for (const error of errors) {
        expect(error.message).toBe("400: bad token [redacted] (request-id req_test123)");
        expect(JSON.stringify({ ...error, stack: error.stack })).not.toContain("SECRET");
      }
    } finally {
      await echo.close();
    }
  });

  it("redactSecrets takes a secret of any length in every form", () => {
    const secret = `S/${"y".repeat(1_000_000)} +`;
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${JSON.stringify(secret)}`;
    expect(redactSecrets(text, [secret])).toBe('a [redacted] b [redacted] c "[redacted]"');
  });
});

describe("a generated client's options", () => {
  it.each([
    ["null", null, "options", "options must be an object; got null."],
    [
      "credentialOrigins as a string",
      { credentialOrigins: "https://x.example" },
      "credentialOrigins",
      'credentialOrigins must be an array; got the string "https://x.example".',
    ],
    [
      "an http credential origin",
      { credentialOrigins: ["http://x.example"] },
      "credentialOrigins",
      "credentialOrigins must use https:// (plain http:// is allowed only for loopback hosts), got http://x.example.",
    ],
    [
      "a baseUrl with a query",
      { baseUrl: "https://x.example/v1?x=1" },
      "baseUrl",
      "baseUrl must not have a query (?) or fragment (#).",
    ],
    ["fetch as a string", { fetch: "nope" }, "fetch", 'fetch must be a function; got the string "nope".'],
    [
      "an unknown logLevel",
      { logLevel: "verbose" },
      "logLevel",
      "logLevel must be one of off, error, warn, info, debug; got verbose.",
    ],
  ])("refuses %s with a ValidationError naming the option", (_name, options, field, message) => {
    const error = (() => {
      try {
        createClientRuntime(options as never, spec());
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field, message });
  });
});

describe("a credential under a name the spec does not declare", () => {
  it.each(["constructor", "toString", "hasOwnProperty"])(
    "credentials.%s is a ValidationError, not a scheme found on Object.prototype",
    (name) => {
      const error = (() => {
        try {
          client({ credentials: { [name]: "sk_x" } });
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        field: `credentials.${name}`,
        message: `credentials.${name}: the spec declares no such security scheme (it has ${Object.keys(spec().schemes).join(", ")}).`,
      });
    },
  );
});

describe("two credentials for one place", () => {
  it("is a ValidationError naming both when both are given explicitly", () => {
    const both = () => client({ credentials: { bearer: "b", basic: { username: "u", password: "p" } } });
    expect(both).toThrow(ValidationError);
    expect(both).toThrow(
      "credentials.bearer and credentials.basic would both set the authorization header (the later silently replacing the earlier); give one of them.",
    );
    // an apiKey named Authorization is the same header, whatever its case
    expect(() => client({ credentials: { oauth: "o", headerKey: "k" } })).toThrow(
      "credentials.oauth and credentials.headerKey",
    );
  });

  it("is a ValidationError naming the environment variables when both come from there", () => {
    Object.assign(process.env, { VAULT_TOKEN: "t", VAULT_USERNAME: "u", VAULT_PASSWORD: "p" });
    expect(() => client()).toThrow("VAULT_TOKEN and VAULT_USERNAME/VAULT_PASSWORD would both set");
  });

  it("leaves an explicit credential to displace an environment one for the same header", async () => {
    Object.assign(process.env, { VAULT_USERNAME: "u", VAULT_PASSWORD: "p" });
    await client({ credentials: { bearer: "explicit" } }).invoke(operation(), { path: { id: "a" } });
    expect(api.requests[0].headers.authorization).toBe("Bearer explicit");
  });
});

describe("an error body a server makes hostile", () => {
  const failing = async (body: string) => {
    const server = await startScriptedServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json", "request-id": "req_\x9b2J" });
      res.end(body);
    });
    try {
      return await failure<BadRequestError>(
        client({ baseUrl: server.origin }).invoke(operation(), { path: { id: "a" } }),
      );
    } finally {
      await server.close();
    }
  };

  it("nested 5,000 deep is an APIError whose message says so, the parsed body kept", async () => {
    const error = await failing(`${"[".repeat(5_000)}${"]".repeat(5_000)}`);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/^400: \(too deep to quote\)/);
    expect(Array.isArray(error.body)).toBe(true);
  });

  it("with a 1 MB message and control characters in code and message gives a capped one-line message", async () => {
    const message = `\u001b[31mline one\r\nInjected: yes\u202e${"D".repeat(1_000_000)}`;
    const error = await failing(JSON.stringify({ error: { code: "bad\r\ncode\u001b", message } }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(error.message).toMatch(/^400 bad {2}code : {2}\[31mline one {2}Injected: yes D+… \(request-id req_ 2J\)$/);
    // the code and the body stay as the server sent them
    expect(error.code).toBe("bad\r\ncode\u001b");
    expect((error.body as { error: { message: string } }).error.message).toBe(message);
  });
});

describe("a parameter value no style can write", () => {
  it("is a ValidationError naming the parameter, and nothing is sent", async () => {
    const runtime = client();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ path: { id: function then() {} } }, "id"],
      [{ path: { id: Symbol("s") } }, "id"],
      [{ path: { id: "a" }, query: { filter: () => "x" } }, "filter"],
      [{ path: { id: "a" }, query: { filter: Promise.resolve("x") } }, "filter"],
      // an item of an array or object is named where it sits
      [{ path: { id: "a" }, query: { filter: ["ok", new Map()] } }, "filter[1]"],
      [{ path: { id: "a" }, query: { filter: { a: 1, b: Number.NaN } } }, "filter.b"],
      [{ path: { id: "a" }, header: { "X-Trace": Symbol("t") } }, "X-Trace"],
    ];
    for (const [args, field] of cases) {
      const error = await failure<ValidationError>(runtime.invoke(operation(), args));
      expect(error, field).toBeInstanceOf(ValidationError);
      expect(error.field).toBe(field);
      expect(error.message.startsWith(`${field} must be a string, number, boolean, array or plain object`)).toBe(true);
    }
    expect(api.requests).toHaveLength(0);
  });
});
