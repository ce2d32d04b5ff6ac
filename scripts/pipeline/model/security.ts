// Reads `components.securitySchemes`: where each credential goes (apiKey header/query/cookie, HTTP bearer/basic, …).
import { isLoopbackHost } from "../../../src/runtime/client.js";
import { PipelineError } from "../errors.js";
import { asObject, isObject, pointer, type Json } from "./refs.js";
import type { SecuritySchemeModel } from "./types.js";

export function readSecuritySchemes(document: Json): SecuritySchemeModel[] {
  const components = isObject(document.components) ? document.components : {};
  const schemes = components.securitySchemes ?? {};
  if (!isObject(schemes))
    throw new PipelineError("`components.securitySchemes` must be a mapping", {
      pointer: "#/components/securitySchemes",
    });
  return Object.entries(schemes).map(([name, raw]) => {
    const scheme = asObject(document, raw);
    if (!scheme || typeof scheme.type !== "string")
      throw new PipelineError("a security scheme needs a string `type`", {
        pointer: pointer("components", "securitySchemes", name),
      });
    const placement = scheme.in === "header" || scheme.in === "query" || scheme.in === "cookie" ? scheme.in : undefined;
    return {
      name,
      type: scheme.type,
      ...(placement ? { in: placement } : {}),
      ...(typeof scheme.name === "string" ? { parameterName: scheme.name } : {}),
      ...(typeof scheme.scheme === "string" ? { scheme: scheme.scheme.toLowerCase() } : {}),
    };
  });
}

/**
 * A `security` list (the root's or an operation's) as the scheme names of each alternative, scopes left out:
 * `[{ A: [], B: [] }, {}]` → `[["A", "B"], []]`. Undefined when `value` is undefined (not declared).
 */
export function readSecurityRequirements(value: unknown, where: string): string[][] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value))
    throw new PipelineError("`security` must be a list of security requirement objects", { pointer: where });
  return value.map((requirement, i) => {
    if (!isObject(requirement))
      throw new PipelineError("a security requirement must be a mapping of scheme names to scopes", {
        pointer: `${where}/${i}`,
      });
    return Object.keys(requirement);
  });
}

/**
 * Sets each operation's `security` to what it needs: its own `security`, else the root's, else none (`[]`) when
 * anything in the spec declares security. Returns the requirement most operations share (the root's on a tie), which
 * generated descriptors leave out; undefined when the spec declares no security anywhere (the generated client then
 * sends every configured credential with every request).
 */
export function applySecurity(
  document: Json,
  operations: { path: string; method: string; security?: string[][] }[],
  rawOperations: (Json | undefined)[],
): string[][] | undefined {
  const root = readSecurityRequirements(document.security, "#/security");
  const own = operations.map((op, i) =>
    readSecurityRequirements(rawOperations[i]?.security, pointer("paths", op.path, op.method, "security")),
  );
  if (root === undefined && own.every((security) => security === undefined)) return undefined;
  const uses = new Map<string, { security: string[][]; count: number }>();
  if (root) uses.set(JSON.stringify(root), { security: root, count: 0 });
  operations.forEach((op, i) => {
    op.security = own[i] ?? root ?? [];
    const key = JSON.stringify(op.security);
    const seen = uses.get(key) ?? { security: op.security, count: 0 };
    seen.count++;
    uses.set(key, seen);
  });
  return [...uses.values()].reduce((best, each) => (each.count > best.count ? each : best)).security;
}

/**
 * One warning per server URL the generated client refuses by default: plain `http://` to a host other than
 * loopback (the root's first server, and each operation's own), e.g. Swagger's petstore.
 */
export function insecureServerWarnings(servers: { url: string; where: string }[]): string[] {
  const seen = new Set<string>();
  const warnings: string[] = [];
  for (const { url, where } of servers) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      continue; // relative: resolved against the client's base URL
    }
    if (parsed.protocol !== "http:" || isLoopbackHost(parsed.hostname) || seen.has(url)) continue;
    seen.add(url);
    warnings.push(
      `${where}: ${url} is plain http://; the generated client refuses it unless the caller passes createClient({ allowInsecureHttp: true }) or an https:// baseUrl`,
    );
  }
  return warnings;
}
