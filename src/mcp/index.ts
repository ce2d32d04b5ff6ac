// The API-neutral MCP server runtime: generated tool lists (any spec) and Flora's entry build on it.
// Needs the optional peer dependency @modelcontextprotocol/sdk (1.x), loaded on first use.
export { createMcpServer, ToolSet, type McpServerSpec } from "./server.js";
export {
  runMcpServer,
  serveHttp,
  serveStdio,
  MCP_USAGE,
  type HttpServeOptions,
  type RunningMcpServer,
} from "./serve.js";
export { errorPayload, errorResult, redact, successResult, type ToolErrorPayload } from "./results.js";
export { MissingPeerError, MCP_SDK_PACKAGE } from "./peer.js";
export { credentialSecrets } from "./secrets.js";
export {
  toolArgs,
  type ToolArgs,
  type ToolContext,
  type ToolDefinition,
  type ToolHints,
  type ToolInputSchema,
  type ToolParameter,
} from "./tools.js";
