// The secrets an MCP server holds, so that no tool result ever carries one.
import { readEnv } from "../runtime/index.js";

/**
 * The credential values a generated server uses: each string credential given explicitly (a basic credential's
 * password too), then each credential environment variable's value. Token providers' tokens are not known here;
 * the runtime redacts those from its errors itself.
 */
export function credentialSecrets(credentials: object | undefined, variables: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of Object.values(credentials ?? {}) as unknown[]) {
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object" && typeof (value as { password?: unknown }).password === "string")
      out.push((value as { password: string }).password);
  }
  for (const name of variables) {
    const value = readEnv(name);
    if (value !== undefined) out.push(value);
  }
  return out;
}
