// The MCP server generated for any spec: museum.yaml's mcp.ts compiles strictly, and one operation called through
// it (a child process on stdio, the official MCP client) reaches a loopback server with the right request.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import {
  generate,
  SHARED_SPECS,
  SHARED_SPECS_MISSING,
  startServer,
  typeCheck,
  useTempPackage,
  type LoopbackServer,
} from "./pipeline-harness.js";

const EVENT_ID = "dad4bce8-f5cb-4078-a211-995864315e39";
const PASSWORD = "museum-secret-pw-42";

/** README's block that starts the MCP server generated into `./museum`, as written there. */
function readmeServeBlock(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const block = [...readme.matchAll(/^```js\n([\s\S]*?)^```$/gm)]
    .map((m) => m[1])
    .find((b) => b.includes("./museum/mcp.js"));
  if (!block) throw new Error('README.md has no ```js block importing "./museum/mcp.js"');
  return block;
}

const temp = useTempPackage("mcp-generated");
let api: LoopbackServer;
let client: Client;
let stderr = "";

beforeAll(async () => {
  if (SHARED_SPECS_MISSING) return;
  api = await startServer((seen, res) => {
    if (seen.method === "GET" && seen.url === `/special-events/${EVENT_ID}`) {
      res.writeHead(200, { "content-type": "application/json", "request-id": "req_museum_1" });
      res.end(
        JSON.stringify({
          eventId: EVENT_ID,
          name: "Mermaid Treasure Identification",
          location: "Under the seaaa",
          eventDescription: "Join us",
          dates: ["2023-09-05"],
          price: 15,
        }),
      );
    } else {
      // echoes the credential it got, so the test can see it is redacted from the error result
      res.writeHead(404, { "content-type": "application/json", "request-id": "req_museum_2" });
      res.end(
        JSON.stringify({
          type: "object",
          title: "Not found",
          detail: `no such event (auth ${seen.headers.authorization})`,
        }),
      );
    }
  });
  await generate(join(SHARED_SPECS, "museum.yaml"), join(temp.root, "museum"));
  writeFileSync(
    join(temp.root, "museum", "check.ts"),
    'import { main, tools } from "./mcp.js";\nvoid main;\nvoid tools;\n',
  );
  writeFileSync(join(temp.root, "serve.ts"), readmeServeBlock());
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: ["--import", "tsx", join(temp.root, "serve.ts")],
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      REDOCLY_MUSEUM_BASE_URL: api.origin,
      REDOCLY_MUSEUM_USERNAME: "curator",
      REDOCLY_MUSEUM_PASSWORD: PASSWORD,
    },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  client = new Client({ name: "mcp-generated-test", version: "1.0.0" });
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await api?.close();
});

describe.skipIf(SHARED_SPECS_MISSING)("MCP server generated from museum.yaml", () => {
  it("compiles strictly (skipLibCheck false) with the MCP runtime and the official SDK's types", async () => {
    expect(await typeCheck(temp.root, ["museum"])).toBe("");
  }, 120_000);

  it("lists one tool per operation, named after the SDK method, with JSON Schema inputs", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      "museum_hours_list",
      "special_events_list",
      "special_events_create",
      "special_events_retrieve",
      "special_events_delete",
      "special_events_update",
      "tickets_create",
      "tickets_qr_download",
    ]);
    const update = tools.find((tool) => tool.name === "special_events_update");
    expect(update?.inputSchema).toMatchObject({
      type: "object",
      required: ["eventId", "body"],
      properties: { eventId: { type: "string", format: "uuid" }, body: { type: "object" } },
    });
    expect(update?.annotations).toMatchObject({ readOnlyHint: false });
  });

  it("calls special_events_retrieve over loopback: one GET with the path parameter and basic credentials", async () => {
    const before = api.requests.length;
    const result = await client.callTool({ name: "special_events_retrieve", arguments: { eventId: EVENT_ID } });
    expect(result.isError, JSON.stringify(result) + stderr).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ eventId: EVENT_ID, name: "Mermaid Treasure Identification" });
    const sent = api.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /special-events/${EVENT_ID}`]);
    expect(sent[0].headers.authorization).toBe(`Basic ${Buffer.from(`curator:${PASSWORD}`).toString("base64")}`);
  });

  it("refuses input that breaks the schema before sending anything, and redacts the credential from API errors", async () => {
    const before = api.requests.length;
    const bad = await client.callTool({ name: "special_events_retrieve", arguments: { eventId: 42 } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain("eventId");
    expect(api.requests.length).toBe(before);

    const missing = await client.callTool({
      name: "special_events_retrieve",
      arguments: { eventId: "00000000-0000-4000-8000-000000000000" },
    });
    expect(missing.isError).toBe(true);
    const text = JSON.stringify(missing);
    expect(missing.structuredContent).toMatchObject({ error: { status: 404, requestId: "req_museum_2" } });
    const basic = Buffer.from(`curator:${PASSWORD}`).toString("base64");
    expect(text).not.toContain(basic);
    expect(text).not.toContain(PASSWORD);
  });
});
