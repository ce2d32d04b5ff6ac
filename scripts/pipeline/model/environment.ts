// The environment variables a generated client reads: a prefix named after the API, one variable per credential.
import { PipelineError } from "../errors.js";
import { isObject, type Json } from "./refs.js";
import type { SecuritySchemeModel } from "./types.js";

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * `info.x-sdk-env-prefix` when set, else the title in upper snake case without a trailing "API" word:
 * "Redocly Museum API" → `REDOCLY_MUSEUM`, "OpenAI API" → `OPENAI`. A prefix that would start with a digit gets
 * `API_` before it; a title with no letters or digits gives `API`.
 */
export function envPrefix(document: Json): string {
  const info = isObject(document.info) ? document.info : {};
  const override = info["x-sdk-env-prefix"];
  if (override !== undefined) {
    if (typeof override !== "string" || !ENV_NAME.test(override))
      throw new PipelineError("`x-sdk-env-prefix` must be upper snake case, e.g. MUSEUM", {
        pointer: "#/info/x-sdk-env-prefix",
      });
    return override;
  }
  const title = typeof info.title === "string" ? info.title : "";
  const words = title
    .normalize("NFKD")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  while (words.length > 1 && words[words.length - 1] === "API") words.pop();
  const prefix = words.join("_");
  if (prefix === "") return "API";
  return /^\d/.test(prefix) ? `API_${prefix}` : prefix;
}

/** A scheme's environment variable(s): one per token, two (username, password) for HTTP basic. */
export type SchemeEnv = string | { username: string; password: string };

/**
 * Names each scheme's variable(s) by its kind: `<PREFIX>_API_KEY` (apiKey, HTTP bearer and other token
 * schemes), `<PREFIX>_ACCESS_TOKEN` (OAuth2, OpenID Connect), `<PREFIX>_USERNAME` and `<PREFIX>_PASSWORD` (HTTP
 * basic). The spec's root `security` schemes choose first; a scheme whose name is taken gets its own name instead,
 * e.g. `<PREFIX>_ADMIN_API_KEY_AUTH`. mutualTLS has none.
 */
export function schemeEnvNames(
  prefix: string,
  schemes: SecuritySchemeModel[],
  document: Json,
): Record<string, SchemeEnv> {
  const rootOrder = (Array.isArray(document.security) ? document.security : []).flatMap((requirement) =>
    isObject(requirement) ? Object.keys(requirement) : [],
  );
  const rank = (name: string) => (rootOrder.includes(name) ? rootOrder.indexOf(name) : rootOrder.length);
  const ordered = [...schemes].sort((a, b) => rank(a.name) - rank(b.name));
  const taken = new Set([`${prefix}_BASE_URL`, `${prefix}_LOG`]);
  const names: Record<string, SchemeEnv> = {};
  for (const scheme of ordered) {
    if (scheme.type === "mutualTLS") continue;
    const basic = scheme.type === "http" && scheme.scheme === "basic";
    const kind = basic ? "" : scheme.type === "oauth2" || scheme.type === "openIdConnect" ? "ACCESS_TOKEN" : "API_KEY";
    const own = snake(scheme.name);
    const candidates = basic ? ["", `${own}_`] : [kind, own];
    const stem = candidates.find((c) =>
      basic
        ? !taken.has(`${prefix}_${c}USERNAME`) && !taken.has(`${prefix}_${c}PASSWORD`)
        : !taken.has(`${prefix}_${c}`),
    );
    if (stem === undefined)
      throw new PipelineError(`security schemes: no free environment variable name for ${scheme.name}`, {
        pointer: `#/components/securitySchemes/${scheme.name}`,
      });
    const env = basic
      ? { username: `${prefix}_${stem}USERNAME`, password: `${prefix}_${stem}PASSWORD` }
      : `${prefix}_${stem}`;
    for (const name of typeof env === "string" ? [env] : [env.username, env.password]) taken.add(name);
    names[scheme.name] = env;
  }
  return names;
}

/** `AdminApiKeyAuth` → `ADMIN_API_KEY_AUTH`, `api-key` → `API_KEY`. */
function snake(name: string): string {
  return (
    name
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .filter(Boolean)
      .join("_") || "SCHEME"
  );
}
