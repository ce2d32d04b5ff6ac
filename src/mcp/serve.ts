// Running an MCP server: over stdio (the default, what desktop MCP clients start), or over Streamable HTTP on a
// loopback port (stateless: one server per request, so progress streams back on that request's response).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { loadSdk, MissingPeerError } from "./peer.js";
import { createMcpServer, ToolSet, type McpServerSpec } from "./server.js";

/** A running server. */
export interface RunningMcpServer {
  /** `stdio`, or the Streamable HTTP endpoint, e.g. `http://127.0.0.1:3000/mcp`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the tools over stdio: JSON-RPC on stdin/stdout. Log nothing to stdout while it runs. */
export async function serveStdio<TClient>(spec: McpServerSpec<TClient>): Promise<RunningMcpServer> {
  const [{ StdioServerTransport }, server] = await Promise.all([
    loadSdk("server/stdio"),
    createMcpServer(new ToolSet(spec)),
  ]);
  await server.connect(new StdioServerTransport());
  return { url: "stdio", close: () => server.close() };
}

/** Options of `serveHttp`. */
export interface HttpServeOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default `127.0.0.1`. Anything else exposes the API key's powers to whoever can reach the port. */
  host?: string;
  /** Default `/mcp`. */
  path?: string;
}

/** Serves the tools over MCP's Streamable HTTP transport, stateless (no sessions), at `http://host:port/path`. */
export async function serveHttp<TClient>(
  spec: McpServerSpec<TClient>,
  options: HttpServeOptions = {},
): Promise<RunningMcpServer> {
  const { StreamableHTTPServerTransport } = await loadSdk("server/streamableHttp");
  const tools = new ToolSet(spec);
  const path = options.path ?? "/mcp";
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (new URL(request.url ?? "/", "http://localhost").pathname !== path) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const server = await createMcpServer(tools);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response);
  };
  const http = createHttpServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end(error instanceof Error ? error.message : "internal error");
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 3000, host, resolve);
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** Usage of `runMcpServer`'s flags, for `--help`. */
export const MCP_USAGE = `Options:
  --http           serve MCP's Streamable HTTP transport instead of stdio
  --port N         HTTP port (default 3000; 0 picks a free one)
  --host ADDR      HTTP address (default 127.0.0.1)
  --list-tools     print each tool's name and title, then exit (needs no key and no MCP SDK)
  -h, --help       show this help`;

/**
 * The body of an MCP server command: parses `argv` (`--http`, `--port`, `--host`, `--list-tools`, `--help`), starts the server
 * and keeps it running until stdin ends (stdio) or SIGINT/SIGTERM. Usage errors exit 2, a missing MCP SDK exits 1,
 * each with one line on stderr; stdout carries only MCP messages.
 */
export async function runMcpServer<TClient>(
  spec: McpServerSpec<TClient>,
  argv: readonly string[] | undefined = undefined,
  usage = `Usage: ${spec.name}-mcp [options]`,
): Promise<void> {
  let flags;
  try {
    flags = parseArgs({
      args: [...(argv ?? process.argv.slice(2))],
      options: {
        http: { type: "boolean" },
        port: { type: "string" },
        host: { type: "string" },
        "list-tools": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}\n${MCP_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (flags.help) {
    process.stdout.write(`${usage}\n${MCP_USAGE}\n`);
    return;
  }
  if (flags["list-tools"]) {
    const width = Math.max(...spec.tools.map((tool) => tool.name.length));
    for (const tool of spec.tools) {
      const title = tool.title ?? tool.description.split("\n")[0];
      process.stdout.write(`${tool.name.padEnd(width)}  ${title}\n`);
    }
    return;
  }
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    process.stderr.write(`--port must be an integer from 0 to 65535, got ${JSON.stringify(flags.port)}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    if (flags.http) {
      const running = await serveHttp(spec, { port, host: flags.host });
      process.stderr.write(`${spec.name} MCP server on ${running.url}\n`);
      const stop = () => void running.close();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    } else {
      const running = await serveStdio(spec);
      process.stdin.once("end", () => void running.close());
    }
  } catch (error) {
    process.stderr.write(`${error instanceof MissingPeerError ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
