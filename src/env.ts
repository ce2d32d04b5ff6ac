/**
 * Reads an environment variable as Flora does: where an environment exists (Node, Deno, Bun; browsers have no
 * `process`), trimmed of surrounding whitespace (a key pasted with a trailing newline still works); undefined
 * when unset or blank. Flora's client, CLI and MCP server all read `FLORA_*` through this, so the key they mask is
 * the key that is sent.
 */
export function readTrimmedEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name]?.trim();
  return value ? value : undefined;
}
