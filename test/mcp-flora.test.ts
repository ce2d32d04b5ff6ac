// Flora's MCP server (the `flora-mcp` bin) as an MCP client starts it: a child process on stdio, driven by the
// official MCP Client, against the Flora-compatible test server with faults injected on create and poll.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CallToolResultSchema, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import { floraMcpServerSpec } from "../src/mcp.js";
import { errorResult } from "../src/mcp/index.js";
import { startFloraTestServer, type FloraTestServer } from "../src/testing/index.js";

const API_KEY = "flora_test_key_5f2a9c";
const WRONG_KEY = "flora_wrong_key_77e1b0";
const TECHNIQUE = "art-directors-critique";
const BODY = { inputs: [{ id: "image", type: "imageUrl", value: "https://example.com/a.png" }], mode: "async" };

let server: FloraTestServer;
const children: Client[] = [];

/** Starts `src/mcp-bin.ts` the way an MCP client config would, with only the given environment. */
async function startMcp(env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  let stderr = "";
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", "src/mcp-bin.ts"],
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: "mcp-flora-test", version: "1.0.0" });
  await client.connect(transport);
  children.push(client);
  return { client, stderr: () => stderr };
}

/** The `error` object of an error result, from its JSON text. */
function errorOf(result: CallToolResult): Record<string, unknown> {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  expect(first.type).toBe("text");
  return (JSON.parse(first.type === "text" ? first.text : "{}") as { error: Record<string, unknown> }).error;
}

let mcp: Awaited<ReturnType<typeof startMcp>>;

beforeAll(async () => {
  server = await startFloraTestServer({
    apiKey: API_KEY,
    runDurationMs: 5000,
    faultDelayMs: 200,
    faults: { rate: 0, routes: ["create", "retrieve"] },
  });
  mcp = await startMcp({ FLORA_API_KEY: API_KEY, FLORA_BASE_URL: server.url });
}, 60_000);

afterAll(async () => {
  for (const client of children) await client.close();
  await server?.close();
});

describe("Flora MCP server over stdio", () => {
  it("lists a tool per operation plus create_and_wait and wait, each with an object input schema", async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      "techniques_list",
      "techniques_retrieve",
      "techniques_runs_create",
      "techniques_runs_retrieve",
      "create_and_wait",
      "wait",
    ]);
    for (const tool of tools) expect(tool.inputSchema.type).toBe("object");
    const create = tools.find((tool) => tool.name === "create_and_wait");
    expect(create?.inputSchema.required).toEqual(["techniqueId", "body"]);
    expect(Object.keys(create?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(["techniqueId", "body", "idempotency_key", "interval_ms", "timeout_ms"]),
    );
  });

  it("create_and_wait under faults on create and polls: the run completes, progress arrives, one run exists", async () => {
    server.reset();
    // create: the run is made but the answer is lost, then a 503; the third attempt, same key, gets the run
    server.injectFaults("reset-after-commit", "status-503");
    const progress: Progress[] = [];
    const onprogress = (p: Progress) => {
      // polls, once the first snapshot is reported: a 500, a cut-off body and a 429, each retried
      if (progress.length === 0) server.injectFaults("status-500", "truncated-json", "rate-limit-retry-after-ms");
      progress.push(p);
    };
    const result = (await mcp.client.callTool(
      { name: "create_and_wait", arguments: { techniqueId: TECHNIQUE, body: BODY, interval_ms: 50 } },
      undefined,
      { onprogress, timeout: 60_000 },
    )) as CallToolResult;
    expect(result.isError, JSON.stringify(result) + mcp.stderr()).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: "completed", progress: 1 });
    const stats = server.stats();
    expect(stats.runsCreated).toBe(1);
    expect(server.runs()).toHaveLength(1);
    expect(stats.faults).toMatchObject({ "reset-after-commit": 1, "status-503": 1, "status-500": 1 });
    expect(stats.attempts.create).toBe(3);
    // At least the snapshots seen while polling. A notification sent just before the result may be dropped by
    // the SDK's client when both arrive in one read (it handles notifications a microtask later, and the result
    // has removed the progress handler by then), so the terminal one is not required.
    expect(progress.length, JSON.stringify(progress)).toBeGreaterThanOrEqual(1);
    expect(progress.every((p) => p.total === 1 && p.progress >= 0 && p.progress <= 1)).toBe(true);
    const values = progress.map((p) => p.progress);
    expect(values).toEqual([...new Set(values)].sort((a, b) => a - b));
    expect(progress[0].message).toMatch(/^run_\S+: (pending|running|completed)$/);
  }, 60_000);

  it("refuses input that breaks the schema before any request is sent", async () => {
    server.reset();
    const result = (await mcp.client.callTool({
      name: "create_and_wait",
      arguments: { techniqueId: TECHNIQUE, body: { inputs: [], mode: "sometimes" } },
    })) as CallToolResult;
    const error = errorOf(result);
    expect(error).toMatchObject({ code: "invalid_input", type: "ValidationError" });
    expect(String(error.message)).toMatch(/body\/inputs|body\/mode/);
    expect(server.stats().requests).toBe(0);
  });

  it.each(["create_and_wait", "techniques_runs_create"])(
    "%s refuses mode stream before sending, so no run starts",
    async (name) => {
      server.reset();
      const result = (await mcp.client.callTool({
        name,
        arguments: { techniqueId: TECHNIQUE, body: { ...BODY, mode: "stream" } },
      })) as CallToolResult;
      const error = errorOf(result);
      expect(error).toMatchObject({ code: "invalid_input", type: "ValidationError" });
      expect(String(error.message)).toMatch(/body\/mode/);
      expect(server.stats().runsCreated).toBe(0);
      expect(server.stats().requests).toBe(0);
    },
  );

  it.each([
    ["an own __proto__ key", JSON.parse('{"techniqueId":"art-directors-critique","__proto__":{"x":1}}') as unknown],
    ["null", null],
  ])("arguments with %s are an invalid-input error result, not a protocol error", async (_, args) => {
    server.reset();
    const result = await mcp.client.request(
      { method: "tools/call", params: { name: "techniques_retrieve", arguments: args as Record<string, unknown> } },
      CallToolResultSchema,
    );
    const error = errorOf(result);
    expect(error).toMatchObject({ code: "invalid_input", type: "ValidationError" });
    expect(String(error.message)).toMatch(/__proto__|is null/);
    expect(server.stats().requests).toBe(0);
  });

  it("a wait that times out returns runId and idempotencyKey; the wait tool resumes that run without a second one", async () => {
    server.reset();
    const timedOut = (await mcp.client.callTool({
      name: "create_and_wait",
      arguments: { techniqueId: TECHNIQUE, body: BODY, interval_ms: 50, timeout_ms: 1 },
    })) as CallToolResult;
    const error = errorOf(timedOut);
    const [run] = server.runs();
    expect(error).toMatchObject({ code: "timeout", runId: run.run.run_id, idempotencyKey: run.idempotencyKey });
    const resumed = (await mcp.client.callTool({
      name: "wait",
      arguments: { run_id: error.runId, techniqueId: TECHNIQUE, interval_ms: 50 },
    })) as CallToolResult;
    expect(resumed.isError, JSON.stringify(resumed)).toBeFalsy();
    expect(resumed.structuredContent).toMatchObject({ run_id: run.run.run_id, status: "completed" });
    expect(server.stats().runsCreated).toBe(1);
  }, 30_000);

  it("an API error is an error result with code, message and request id, and never the key", async () => {
    const wrong = await startMcp({ FLORA_API_KEY: WRONG_KEY, FLORA_BASE_URL: server.url });
    const result = (await wrong.client.callTool({
      name: "techniques_retrieve",
      arguments: { techniqueId: TECHNIQUE },
    })) as CallToolResult;
    const error = errorOf(result);
    const logged = server.requests().at(-1);
    expect(error).toMatchObject({ status: 401, code: expect.any(String), requestId: logged?.requestId });
    expect(String(error.message).length).toBeGreaterThan(0);
    expect(JSON.stringify(result)).not.toContain(WRONG_KEY);
    expect(wrong.stderr()).not.toContain(WRONG_KEY);
  }, 30_000);

  it("with no key in the environment, tools still list and a call says which variable to set", async () => {
    const keyless = await startMcp({ FLORA_BASE_URL: server.url });
    expect((await keyless.client.listTools()).tools.length).toBe(6);
    const error = errorOf(
      (await keyless.client.callTool({
        name: "techniques_retrieve",
        arguments: { techniqueId: TECHNIQUE },
      })) as CallToolResult,
    );
    expect(error).toMatchObject({ code: "invalid_input", field: "apiKey" });
    expect(String(error.message)).toContain(
      "set FLORA_API_KEY in the server's environment (the `env` of your MCP client config)",
    );
  }, 30_000);

  it("README: the --list-tools sample is what the command prints, and the mcpServers snippet starts flora-mcp", async () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## MCP server"), readme.indexOf("## For maintainers"));
    const sample = /```text\n\$ npx flora-mcp --list-tools\n([\s\S]*?)```/.exec(section)?.[1];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "src/mcp-bin.ts", "--list-tools"],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? "" },
      },
    );
    expect(sample).toBe(stdout);
    const config = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "{}") as {
      mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
    };
    expect(config.mcpServers.flora).toMatchObject({ command: "npx", env: { FLORA_API_KEY: expect.any(String) } });
    expect(config.mcpServers.flora.args.at(-1)).toBe("flora-mcp");
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin["flora-mcp"]).toBe("./dist/esm/src/mcp-bin.js");
  }, 30_000);

  it("--http serves the same tools over Streamable HTTP on loopback", async () => {
    const { StreamableHTTPClientTransport } = await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["--import", "tsx", "src/mcp-bin.ts", "--http", "--port", "0"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", FLORA_API_KEY: API_KEY, FLORA_BASE_URL: server.url },
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stderr.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          const match = /on (http:\/\/\S+)/.exec(text);
          if (match) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code}: ${text}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = new Client({ name: "mcp-flora-http-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect((await client.listTools()).tools).toHaveLength(6);
      const result = (await client.callTool({
        name: "techniques_retrieve",
        arguments: { techniqueId: TECHNIQUE },
      })) as CallToolResult;
      expect(result.isError, JSON.stringify(result)).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain(TECHNIQUE);
      await client.close();
    } finally {
      child.kill();
    }
  }, 30_000);
});

describe("Flora MCP server's secrets", () => {
  it("a FLORA_API_KEY with a trailing newline is masked as the key Flora sends (trimmed)", () => {
    vi.stubEnv("FLORA_API_KEY", `${API_KEY}\n`);
    try {
      const secrets = floraMcpServerSpec().secrets?.() ?? [];
      const result = errorResult(new Error(`upstream echoed Authorization: Bearer ${API_KEY}`), secrets);
      expect(JSON.stringify(result)).not.toContain(API_KEY);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
