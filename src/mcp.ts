/**
 * `flora-sdk/mcp`: Flora's MCP server. One tool per API operation (generated from the spec), plus
 * `create_and_wait` (starts a run and polls it to the end, reporting MCP progress) and `wait` (resumes a run by
 * id). Calls go through `Flora`, so retries never start a second run and no result carries the API key.
 * Also the API-neutral runtime that servers generated for other specs import (`runMcpServer`, `ToolDefinition`, …).
 *
 * Needs the optional peer dependency `@modelcontextprotocol/sdk` (1.x); without it, starting a server fails with
 * one line naming the package to install. Run it with `npx flora-mcp` (stdio), or `npx flora-mcp --http`.
 * @module flora-sdk/mcp
 */
import { tools as generatedTools } from "../generated/mcp.js";
import type { Run } from "../generated/index.js";
import { Flora, type FloraOptions } from "./flora.js";
import { readTrimmedEnv } from "./env.js";
import { ValidationError } from "./runtime/errors.js";
import {
  runMcpServer,
  type McpServerSpec,
  type ToolContext,
  type ToolDefinition,
  type ToolInputSchema,
} from "./mcp/index.js";
import { VERSION } from "./version.js";

export * from "./mcp/index.js";

/** Polling options both helper tools accept, as input properties. */
const WAIT_PROPERTIES = {
  interval_ms: {
    type: "integer",
    minimum: 1,
    maximum: 2_147_483_647,
    description: "First delay between polls, in milliseconds; it grows ×1.5 per poll up to 10 s. Default 2000.",
  },
  timeout_ms: {
    type: "integer",
    minimum: 1,
    description:
      "Overall limit of the wait, in milliseconds. Default 1800000 (30 minutes). When exceeded the error result carries runId: call `wait` with it.",
  },
} as const;

/** Sends each snapshot as MCP progress: `progress` of 1, the status as the message. */
function reportProgress(context: ToolContext) {
  return (run: Run) =>
    context.progress(typeof run.progress === "number" ? run.progress : 0, 1, `${run.run_id}: ${run.status}`);
}

function waitOptions(input: Readonly<Record<string, unknown>>) {
  return {
    ...(typeof input.interval_ms === "number" ? { intervalMs: input.interval_ms } : {}),
    ...(typeof input.timeout_ms === "number" ? { timeoutMs: input.timeout_ms } : {}),
  };
}

/** Why `mode: "stream"` is not offered: its answer is an event stream, which a tool result cannot carry. */
const STREAM_REFUSED =
  'Technique run execution mode: only "async" here (the default of create_and_wait). "stream" is SDK-only (flora.techniques.runs.stream): a tool result cannot carry an event stream, so it is refused before anything is sent.';

/**
 * `schema` with `body.mode` narrowed to "async": a create with mode "stream" would start a run and then fail on
 * its event-stream answer, so the schema refuses it before anything is sent.
 */
function asyncOnly(schema: ToolInputSchema): ToolInputSchema {
  const body = schema.properties?.body as { properties?: Record<string, unknown> } | undefined;
  if (!body?.properties?.mode) throw new Error("the techniques_runs_create schema has no body.mode");
  return {
    ...schema,
    properties: {
      ...schema.properties,
      body: {
        ...body,
        properties: { ...body.properties, mode: { type: "string", enum: ["async"], description: STREAM_REFUSED } },
      },
    },
  };
}

/** The input schema of the generated `techniques_runs_create` tool (mode "async" only), which `create_and_wait` extends. */
function createSchema(): ToolInputSchema {
  const create = generatedTools.find((tool) => tool.name === "techniques_runs_create");
  if (!create) throw new Error("the generated tools have no techniques_runs_create");
  return asyncOnly(create.inputSchema);
}

/** The generated tools, `techniques_runs_create` refusing mode "stream". */
function floraGeneratedTools(): ToolDefinition<Flora>[] {
  return (generatedTools as ToolDefinition<Flora>[]).map((tool) =>
    tool.name === "techniques_runs_create" ? { ...tool, inputSchema: createSchema() } : tool,
  );
}

/** Flora's helper tools beside the generated ones. */
export function floraHelperTools(): ToolDefinition<Flora>[] {
  const create = createSchema();
  return [
    {
      name: "create_and_wait",
      title: "Run a technique to the end",
      description:
        "Starts a technique run and polls it until it is completed or failed, then returns the final run (read its `status`; a failed run has `error_code` and `error_message`). Sends MCP progress notifications (progress of 1) when the request has a progressToken. A retried create never starts a second run. If the call fails after the run started, the error result carries `runId`: call `wait` with it instead of starting again.",
      inputSchema: {
        ...create,
        properties: { ...create.properties, ...WAIT_PROPERTIES },
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      parameters: { techniqueId: ["path", "techniqueId"] },
      idempotencyKeyProperty: "idempotency_key",
      call: async (flora, args, context) => {
        const report = reportProgress(context);
        const run = await flora.techniques.runs.createAndWait(String(args.path.techniqueId), args.body as never, {
          ...context.options,
          ...(typeof args.input.interval_ms === "number" ? { intervalMs: args.input.interval_ms } : {}),
          ...(typeof args.input.timeout_ms === "number" ? { waitTimeoutMs: args.input.timeout_ms } : {}),
          onProgress: report,
        });
        // the terminal snapshot too, when the run was already done when created (no poll, so no onProgress)
        await report(run);
        return run;
      },
    },
    {
      name: "wait",
      title: "Wait for a run",
      description:
        "Polls an existing run until it is completed or failed and returns the final run; use it to resume after an error result that carried `runId`. Sends MCP progress notifications when the request has a progressToken.",
      inputSchema: {
        type: "object",
        properties: {
          run_id: {
            type: "string",
            pattern: "^run_\\S+$",
            description: "The run's id (`run_id`, or `runId` of an error result).",
          },
          techniqueId: { type: "string", minLength: 1, description: "The technique the run belongs to." },
          ...WAIT_PROPERTIES,
        },
        required: ["run_id", "techniqueId"],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, openWorldHint: true },
      call: (flora, args, context) =>
        flora.techniques.runs.wait(
          { run_id: String(args.input.run_id), techniqueId: String(args.input.techniqueId) },
          { ...waitOptions(args.input), signal: context.options.signal, onProgress: reportProgress(context) },
        ),
    },
  ];
}

/**
 * The spec of Flora's MCP server: the generated tools and the helpers, calling through one `Flora` made from
 * `options` on the first tool call (default: `FLORA_API_KEY`, `FLORA_BASE_URL`). Listing tools needs no key.
 */
export function floraMcpServerSpec(options: FloraOptions = {}): McpServerSpec<Flora> {
  return {
    name: "flora",
    version: VERSION,
    instructions:
      "Flora technique runs. Find a technique (techniques_list, techniques_retrieve: its inputs' id and type), then run it with create_and_wait. An error result with runId means the run exists: resume with wait, never start it again.",
    tools: [...floraGeneratedTools(), ...floraHelperTools()],
    // the logger writes to stderr: stdout carries the MCP messages
    client: () => {
      // Flora's own message names `new Flora({ apiKey })`, which an MCP client's user cannot pass
      if (options.apiKey === undefined && readTrimmedEnv("FLORA_API_KEY") === undefined)
        throw new ValidationError(
          "No API key: set FLORA_API_KEY in the server's environment (the `env` of your MCP client config).",
          "apiKey",
        );
      return new Flora({ logger: stderrLogger, ...options });
    },
    secrets: () => [options.apiKey ?? readTrimmedEnv("FLORA_API_KEY")],
  };
}

const stderrLogger = {
  error: (...args: unknown[]) => console.error(...args),
  warn: (...args: unknown[]) => console.error(...args),
  info: (...args: unknown[]) => console.error(...args),
  debug: (...args: unknown[]) => console.error(...args),
};

/** `flora-mcp [--http] [--port N] [--host ADDR]`: runs Flora's MCP server (stdio by default). */
export async function main(argv?: readonly string[]): Promise<void> {
  await runMcpServer(floraMcpServerSpec(), argv, "Usage: flora-mcp [options]");
}
