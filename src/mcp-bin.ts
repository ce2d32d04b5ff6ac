#!/usr/bin/env node
// The `flora-mcp` command: Flora's MCP server over stdio (default) or Streamable HTTP (`--http`).
import { main } from "./mcp.js";

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
