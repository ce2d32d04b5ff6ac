// Reads the root `servers` list: each URL template with its variables, so callers can build a base URL.
import { PipelineError } from "../errors.js";
import { isObject, pointer, type Json } from "./refs.js";
import type { ServerModel } from "./types.js";

export function readServers(document: Json): ServerModel[] {
  const list = document.servers ?? [];
  if (!Array.isArray(list)) throw new PipelineError("`servers` must be a list", { pointer: "#/servers" });
  return list.map((raw, i) => {
    if (!isObject(raw) || typeof raw.url !== "string")
      throw new PipelineError("a server needs a string `url`", { pointer: pointer("servers", String(i)) });
    const variables = isObject(raw.variables) ? raw.variables : {};
    return {
      url: raw.url,
      ...(typeof raw.description === "string" ? { description: raw.description } : {}),
      variables: Object.fromEntries(
        Object.entries(variables).map(([name, v]) => {
          const variable = isObject(v) ? v : {};
          const choices = Array.isArray(variable.enum) ? variable.enum.map(String) : undefined;
          return [
            name,
            {
              default: variable.default === undefined ? (choices?.[0] ?? "") : String(variable.default),
              ...(choices ? { enum: choices } : {}),
            },
          ];
        }),
      ),
    };
  });
}
