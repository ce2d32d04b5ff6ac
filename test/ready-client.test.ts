// The ready client of any spec: README's museum example, OpenAI and every kind of credential, generated outside the
// repository, compiled strictly against the packed flora-sdk/runtime and run against a loopback server.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../scripts/pipeline/run.js";
import { SHARED_SPECS, SHARED_SPECS_MISSING } from "./pipeline-harness.js";
import { installPackedPackage, repoRoot, run, typeCheck, type PackedProject } from "./support/packed-package.js";

/** The README's ```ts block that imports the generated museum folder, as written there. */
function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  const example = blocks.find((block) => block.includes('from "./museum/index.js"'));
  if (!example) throw new Error('README.md has no ```ts block importing "./museum/index.js"');
  return example;
}

/** One operation under every kind of credential a spec can declare, and a flat error envelope with a code enum. */
const authSpec = {
  openapi: "3.1.0",
  info: { title: "Vault API", version: "1.0.0" },
  servers: [{ url: "https://vault.example.com/v1" }],
  paths: {
    "/secrets": {
      get: {
        operationId: "listSecrets",
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { type: "array", items: { type: "string" } } } },
          },
          "401": {
            description: "no",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Problem" } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Problem: {
        type: "object",
        properties: { code: { type: "string", enum: ["unauthorized", "forbidden"] }, message: { type: "string" } },
      },
    },
    securitySchemes: {
      Bearer: { type: "http", scheme: "bearer" },
      Basic: { type: "http", scheme: "basic" },
      HeaderKey: { type: "apiKey", in: "header", name: "X-Vault-Key" },
      QueryKey: { type: "apiKey", in: "query", name: "api_key" },
      CookieKey: { type: "apiKey", in: "cookie", name: "vault_session" },
      OAuth: {
        type: "oauth2",
        flows: { clientCredentials: { tokenUrl: "https://vault.example.com/token", scopes: {} } },
      },
    },
  },
  // any one scheme will do: each test configures one, and a request sends the first alternative configured
  security: [{ Bearer: [] }, { Basic: [] }, { HeaderKey: [] }, { QueryKey: [] }, { CookieKey: [] }, { OAuth: [] }],
};

/** Calls `secrets.list()` once with the credential named by argv[2]; prints what it got, or the error it caught. */
const authConsumer = `
import { createClient, isAPIError, type Credentials, type ErrorCode } from "./vault/index.js";

let minted = 0;
const credentials: Record<string, Credentials> = {
  "bearer string": { Bearer: "bearer-static-1" },
  "bearer provider": { Bearer: async () => \`bearer-minted-\${++minted}\` },
  basic: { Basic: { username: "ana", password: "p4ss:wörd" } },
  "apiKey header": { HeaderKey: "header-key-1" },
  "apiKey query": { QueryKey: "query key&1" },
  "apiKey cookie": { CookieKey: "cookie;key 1" },
  "oauth2 provider": { OAuth: () => \`oauth-minted-\${++minted}\` },
};
const kind = process.argv[2] ?? "";
// log lines go to stderr, which the test searches for tokens too
const log = (line: string) => console.error(line);
const vault = createClient({ credentials: credentials[kind], logLevel: "debug", logger: { error: log, warn: log, info: log, debug: log } });
try {
  console.log(JSON.stringify({ result: await vault.secrets.list() }));
} catch (error) {
  if (!isAPIError(error)) throw error;
  const code: ErrorCode | undefined = error.code;
  console.log(JSON.stringify({ error: { name: error.name, code, message: error.message, body: error.body, all: String(error.stack) + JSON.stringify(error) } }));
}
`;

/** OpenAI's client with an async token provider; the server refuses it, echoing the token. */
const openaiConsumer = `
import { createClient, isAPIError } from "./openai/index.js";

const openai = createClient({ credentials: { ApiKeyAuth: async () => "sk-provided-token-42" }, maxRetries: 0 });
try {
  await openai.models.list();
} catch (error) {
  if (!isAPIError(error)) throw error;
  // ErrorBody is the union of the spec's error schemas; this one is OpenAI's { error: { … } }
  const body = error.body;
  const type: string | undefined = body && "error" in body ? body.error.type : undefined;
  console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message, type, all: String(error.stack) + JSON.stringify(error) }));
}
`;

interface Received {
  method: string;
  /** The request target exactly as sent. */
  url: string;
  /** Header lines as sent: `name: value`. */
  headers: string[];
}

let server: Server;
let baseUrl = "";
const received: Received[] = [];
let respond: (request: IncomingMessage, response: ServerResponse) => void = (_, response) => response.end();
let project: PackedProject;
let compiled: Awaited<ReturnType<typeof typeCheck>>;

beforeAll(async () => {
  server = createServer((request, response) => {
    const headers: string[] = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2)
      headers.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
    received.push({ method: request.method ?? "", url: request.url ?? "", headers });
    request.resume();
    request.on("end", () => respond(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  if (SHARED_SPECS_MISSING) return;
  project = await installPackedPackage({ type: "module" });
  const vaultSpec = join(project.dir, "vault.json");
  await writeFile(vaultSpec, JSON.stringify(authSpec));
  // once per spec (openai.yaml alone takes ~20 s), importing the runtime as the CLI does for an --out outside the repo
  const generate = (spec: string, out: string) =>
    runPipeline({ spec, out, lint: "minimal", check: false, runtimeImport: "flora-sdk/runtime" });
  await Promise.all([
    generate(join(SHARED_SPECS, "museum.yaml"), join(project.dir, "museum")),
    generate(join(SHARED_SPECS, "openai.yaml"), join(project.dir, "openai")),
    generate(vaultSpec, join(project.dir, "vault")),
  ]);
  const files = {
    "consumer.ts": readmeExample(),
    "auth-consumer.ts": authConsumer,
    "openai-consumer.ts": openaiConsumer,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(project.dir, name), text);
  const tsconfig = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      types: ["node"],
      skipLibCheck: false,
      outDir: "out",
      rootDir: ".",
    },
    files: Object.keys(files),
  };
  await writeFile(join(project.dir, "tsconfig.json"), JSON.stringify(tsconfig));
  // emits out/*.js, which the tests below run
  compiled = await typeCheck(project.dir, "tsconfig.json");
}, 400_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await project?.remove();
});

/** Runs a compiled consumer with the given environment; returns its stdout lines and the requests the server saw. */
async function runConsumer(file: string, args: string[], env: Record<string, string>) {
  received.length = 0;
  const result = await run(process.execPath, [join("out", file), ...args], project.dir, env);
  expect(result.code, result.stderr).toBe(0);
  return { lines: result.stdout.trim().split("\n"), stderr: result.stderr, requests: [...received] };
}

const header = (request: Received, name: string) =>
  request.headers.filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}: `));

describe.skipIf(SHARED_SPECS_MISSING)("a ready client generated outside the repository", () => {
  it("compiles the README's museum example, openai.yaml and every credential kind strictly against the packed runtime", () => {
    expect(compiled.diagnostics, compiled.output).toEqual([]);
    expect(compiled.code, compiled.output).toBe(0);
    expect(readFileSync(join(project.dir, "museum/client.ts"), "utf8")).toContain('from "flora-sdk/runtime"');
  });

  it("runs the README's museum example: base URL from the environment, explicit basic credentials, a typed 404", async () => {
    respond = (request, response) => {
      if (request.url?.startsWith("/museum-hours")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify([{ date: "2023-09-11", timeOpen: "09:00", timeClose: "18:00" }]));
      } else {
        response.writeHead(404, { "content-type": "application/problem+json" });
        response.end(JSON.stringify({ type: "event-not-found", title: "No such event" }));
      }
    };
    const { lines, requests } = await runConsumer("consumer.js", [], {
      REDOCLY_MUSEUM_BASE_URL: baseUrl,
      REDOCLY_MUSEUM_USERNAME: "env-user",
      REDOCLY_MUSEUM_PASSWORD: "env-password",
      MUSEUM_PASSWORD: "s3cret",
    });
    expect(lines).toEqual(["2023-09-11: 09:00-18:00", "not found: 404 event-not-found: No such event"]);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /museum-hours?startDate=2023-09-11&limit=2",
      "GET /special-events/dad4bce8-f5cb-4078-a211-995864315e39",
    ]);
    const basic = `Basic ${Buffer.from("curator:s3cret").toString("base64")}`;
    for (const request of requests) expect(header(request, "authorization")).toEqual([`authorization: ${basic}`]);
  }, 60_000);

  it("sends OpenAI's bearer token from an async provider and never shows it in the error, code read from the envelope", async () => {
    respond = (request, response) => {
      response.writeHead(401, { "content-type": "application/json" });
      const message = `Incorrect API key provided: ${request.headers.authorization ?? ""}`;
      response.end(
        JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: "invalid_api_key" } }),
      );
    };
    const { lines, requests } = await runConsumer("openai-consumer.js", [], { OPENAI_BASE_URL: baseUrl });
    expect(header(requests[0], "authorization")).toEqual(["authorization: Bearer sk-provided-token-42"]);
    const error = JSON.parse(lines[0]) as { name: string; code: string; message: string; type: string; all: string };
    expect(error).toMatchObject({
      name: "AuthenticationError",
      code: "invalid_api_key",
      type: "invalid_request_error",
      message: "401 invalid_api_key: Incorrect API key provided: [redacted]",
    });
    expect(error.all).not.toContain("sk-provided-token-42");
  }, 60_000);

  const expected: Record<string, (requests: Received[]) => void> = {
    "bearer string": ([r]) => expect(header(r, "authorization")).toEqual(["authorization: Bearer bearer-static-1"]),
    basic: ([r]) =>
      expect(header(r, "authorization")).toEqual([
        `authorization: Basic ${Buffer.from("ana:p4ss:wörd").toString("base64")}`,
      ]),
    "apiKey header": ([r]) => {
      expect(header(r, "x-vault-key")).toEqual(["X-Vault-Key: header-key-1"]);
      expect(header(r, "authorization")).toEqual([]);
    },
    "apiKey query": ([r]) => {
      expect(r.url).toBe("/secrets?api_key=query%20key%261");
      expect(header(r, "authorization")).toEqual([]);
    },
    "apiKey cookie": ([r]) => expect(header(r, "cookie")).toEqual(["cookie: vault_session=cookie%3Bkey%201"]),
  };
  for (const [kind, check] of Object.entries(expected)) {
    it(`sends ${kind} credentials as the scheme says`, async () => {
      respond = (_, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end('["a"]');
      };
      const { lines, requests } = await runConsumer("auth-consumer.js", [kind], { VAULT_BASE_URL: baseUrl });
      expect(lines).toEqual([JSON.stringify({ result: ["a"] })]);
      expect(requests).toHaveLength(1);
      check(requests);
    }, 60_000);
  }

  for (const [kind, scheme] of [
    ["bearer provider", "bearer-minted"],
    ["oauth2 provider", "oauth-minted"],
  ]) {
    it(`asks the ${kind} for a token before every attempt, and redacts each from errors and logs`, async () => {
      let calls = 0;
      respond = (request, response) => {
        calls++;
        // first attempt: a retryable 503; second: a 401 that echoes the token it got
        if (calls === 1) response.writeHead(503, { "retry-after": "0" }).end();
        else {
          response.writeHead(401, { "content-type": "application/json" });
          response.end(
            JSON.stringify({ code: "unauthorized", message: `token ${request.headers.authorization ?? ""}` }),
          );
        }
      };
      const { lines, stderr, requests } = await runConsumer("auth-consumer.js", [kind], { VAULT_BASE_URL: baseUrl });
      expect(requests.map((r) => header(r, "authorization"))).toEqual([
        [`authorization: Bearer ${scheme}-1`],
        [`authorization: Bearer ${scheme}-2`],
      ]);
      const { error } = JSON.parse(lines.at(-1) ?? "") as {
        error: { name: string; code: string; message: string; all: string };
      };
      expect(error).toMatchObject({
        name: "AuthenticationError",
        code: "unauthorized",
        message: "401 unauthorized: token [redacted]",
      });
      expect(`${error.all}${lines.join("\n")}${stderr}`).not.toMatch(new RegExp(`${scheme}-\\d`));
    }, 60_000);
  }
});
