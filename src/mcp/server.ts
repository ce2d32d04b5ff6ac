// An MCP server over a list of tools, on the official SDK's low-level `Server`: the tools' JSON Schemas are
// listed as they are (no zod round trip, which would lose OpenAPI detail), and each call's input is validated
// against its schema with the SDK's own Ajv validator before anything is sent.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { RequestOptions } from "../runtime/index.js";
import { loadSdk } from "./peer.js";
import { errorResult, successResult } from "./results.js";
import { toolArgs, type ToolDefinition } from "./tools.js";

/** What an MCP server is made of. */
export interface McpServerSpec<TClient> {
  /** Server name shown to clients, e.g. `flora`. */
  readonly name: string;
  readonly version: string;
  /** Guidance for the model using the server (MCP `instructions`). */
  readonly instructions?: string;
  readonly tools: readonly ToolDefinition<TClient>[];
  /**
   * Makes the client the tools call, on the first tool call (so listing tools needs no key). A throw (e.g. no
   * key in the environment) becomes that call's error result.
   */
  readonly client: () => TClient;
  /** Values to redact from every result, e.g. the API key: read on each call. */
  readonly secrets?: () => readonly (string | undefined)[];
}

/** MCP's tool name rule: 1 to 128 of A-Z a-z 0-9 _ - . */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** A tool list checked once: names valid and unique, validators compiled on first use and shared by every server. */
export class ToolSet<TClient> {
  readonly #byName = new Map<string, ToolDefinition<TClient>>();
  readonly #validators = new Map<string, JsonSchemaValidator<unknown>>();
  #client: TClient | undefined;

  constructor(readonly spec: McpServerSpec<TClient>) {
    for (const tool of spec.tools) {
      if (!TOOL_NAME.test(tool.name)) throw new TypeError(`MCP tool name ${JSON.stringify(tool.name)} is not valid`);
      if (this.#byName.has(tool.name)) throw new TypeError(`MCP tool name ${tool.name} is used twice`);
      this.#byName.set(tool.name, tool);
    }
  }

  /** The tools as `tools/list` gives them. */
  list(): Tool[] {
    return this.spec.tools.map((tool) => ({
      name: tool.name,
      ...(tool.title ? { title: tool.title } : {}),
      description: tool.description,
      inputSchema: tool.inputSchema as Tool["inputSchema"],
      ...(tool.annotations
        ? { annotations: { ...(tool.title ? { title: tool.title } : {}), ...tool.annotations } }
        : {}),
    }));
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /** Validates the input, then calls the tool; every failure becomes an error result, never a thrown error. */
  async call(
    name: string,
    rawInput: unknown,
    signal: AbortSignal,
    progress: (progress: number, total?: number, message?: string) => Promise<void>,
  ): Promise<CallToolResult> {
    const secrets = this.spec.secrets?.() ?? [];
    const tool = this.#byName.get(name);
    if (!tool) return errorResult(Object.assign(new Error(`Unknown tool: ${name}`), { code: "unknown_tool" }), secrets);
    const input = (rawInput ?? {}) as Record<string, unknown>;
    try {
      const verdict = (await this.#validator(tool))(input);
      if (!verdict.valid) {
        const message = `Input of ${name} does not match its schema: ${verdict.errorMessage ?? "invalid"}. Nothing was sent.`;
        return errorResult(Object.assign(new Error(message), { name: "ValidationError" }), secrets);
      }
      this.#client ??= this.spec.client();
      const key = tool.idempotencyKeyProperty && input[tool.idempotencyKeyProperty];
      const options: RequestOptions = { signal, ...(typeof key === "string" ? { idempotencyKey: key } : {}) };
      const value = await tool.call(this.#client, toolArgs(tool as ToolDefinition<unknown>, input), {
        options,
        progress,
      });
      return await successResult(value, name, secrets);
    } catch (error) {
      return errorResult(error, secrets);
    }
  }

  /** An invalid-input error result (nothing sent), e.g. for arguments the MCP SDK would reshape before `call`. */
  invalid(message: string): CallToolResult {
    return errorResult(Object.assign(new Error(message), { name: "ValidationError" }), this.spec.secrets?.() ?? []);
  }

  async #validator(tool: ToolDefinition<TClient>): Promise<JsonSchemaValidator<unknown>> {
    let validator = this.#validators.get(tool.name);
    if (!validator) {
      const { AjvJsonSchemaValidator } = await loadSdk("validation/ajv");
      validator = new AjvJsonSchemaValidator().getValidator<unknown>(tool.inputSchema as never);
      this.#validators.set(tool.name, validator);
    }
    return validator;
  }
}

/**
 * A new MCP `Server` (not yet connected) serving `tools` (a ToolSet, so validators and the client are shared by
 * the servers of one process, e.g. one per Streamable HTTP request). Progress goes out as
 * `notifications/progress` when the call's request carries a `progressToken`.
 */
export async function createMcpServer<TClient>(tools: ToolSet<TClient>): Promise<Server> {
  const [{ Server }, { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError }] = await Promise.all([
    loadSdk("server"),
    loadSdk("types"),
  ]);
  const { spec } = tools;
  const server = new Server(
    { name: spec.name, version: spec.version },
    { capabilities: { tools: {} }, ...(spec.instructions ? { instructions: spec.instructions } : {}) },
  );
  // The SDK's request schema drops an own `__proto__` key of `arguments` and answers `arguments: null` with a
  // protocol error, so each tools/call is looked at as it arrives, before that schema: such a call is marked and
  // its handler returns an invalid-input error result instead.
  const refused = new Map<string | number, string>();
  const connect = server.connect.bind(server);
  server.connect = (transport) => {
    const start = transport.start.bind(transport);
    transport.start = async () => {
      const receive = transport.onmessage;
      transport.onmessage = (message, extra) => {
        const problem = rawArgumentsProblem(message);
        if (problem) {
          const call = message as { id: string | number; params: Record<string, unknown> };
          refused.set(call.id, problem);
          if (call.params.arguments === null) call.params.arguments = {};
        }
        receive?.(message, extra);
      };
      await start();
    };
    return connect(transport);
  };
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.list() }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const problem = refused.get(extra.requestId);
    refused.delete(extra.requestId);
    if (!tools.has(request.params.name)) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    }
    if (problem !== undefined) return tools.invalid(`Input of ${request.params.name} ${problem}. Nothing was sent.`);
    const token = request.params._meta?.progressToken;
    let last = -Infinity;
    const progress = async (value: number, total?: number, message?: string) => {
      // MCP requires progress to increase with each notification
      if (token === undefined || !(value > last)) return;
      last = value;
      await extra.sendNotification({
        method: "notifications/progress",
        params: {
          progressToken: token,
          progress: value,
          ...(total !== undefined ? { total } : {}),
          ...(message ? { message } : {}),
        },
      });
    };
    return tools.call(request.params.name, request.params.arguments, extra.signal, progress);
  });
  return server;
}

/** Why a raw `tools/call` message's `arguments` are refused: null, or an own `__proto__` key; else undefined. */
function rawArgumentsProblem(message: unknown): string | undefined {
  const call = message as { method?: unknown; id?: unknown; params?: { arguments?: unknown } } | null;
  if (call?.method !== "tools/call" || (typeof call.id !== "string" && typeof call.id !== "number")) return undefined;
  const args = call.params?.arguments;
  if (args === null) return "is null, not an object";
  if (typeof args === "object" && Object.prototype.hasOwnProperty.call(args, "__proto__"))
    return 'has the property "__proto__", which is never accepted';
  return undefined;
}
