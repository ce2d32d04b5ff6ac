// The environment variables a generated client reads: a prefix named after the API, one variable per credential.
import { PipelineError } from "../errors.js";
import { words } from "./names.js";
import { dict, isObject, type Json } from "./refs.js";
import type { SecuritySchemeModel } from "./types.js";

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * `info.x-sdk-env-prefix` when set, else a short name from the title in upper snake case: the title up to a
 * subtitle separator (` - `, ` – `, ` — `, `:`, `|`, `(`), then the words before its first standalone "API" word
 * when any precede it, else its first three words (a trailing "API" dropped): "Redocly Museum API" →
 * `REDOCLY_MUSEUM`, "OpenAI API" → `OPENAI`, "Spotify Web API with fixes and improvements from sonallux" →
 * `SPOTIFY_WEB`, "Swagger Petstore - OpenAPI 3.0" → `SWAGGER_PETSTORE`. A prefix that would start with a digit
 * gets `API_` before it; a title with no letters or digits gives `API`.
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
  const wordsOf = (text: string) =>
    text
      .normalize("NFKD")
      .toUpperCase()
      .split(/[^A-Z0-9]+/)
      .filter(Boolean);
  // a subtitle after a separator names a version or a variant, not the API
  const head = wordsOf(title.split(/\s[-–—|]\s|[:|(]/)[0]);
  const all = head.length > 0 ? head : wordsOf(title);
  const api = all.indexOf("API");
  let words = api > 0 ? all.slice(0, api) : all;
  while (words.length > 1 && words[words.length - 1] === "API") words = words.slice(0, -1);
  const prefix = words.slice(0, 3).join("_");
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
  const names = dict<SchemeEnv>();
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
  return words(name).join("_").toUpperCase() || "SCHEME";
}
