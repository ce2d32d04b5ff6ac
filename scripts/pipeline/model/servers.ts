// Reads `servers` lists (the root's, a path item's, an operation's): each URL template with its variables.
import { PipelineError } from "../errors.js";
import { isObject, type Json } from "./refs.js";
import type { ServerModel } from "./types.js";

export function readServers(document: Json): ServerModel[] {
  return readServerList(document.servers ?? [], "#/servers");
}

/** A `servers` list found at `where` (a JSON pointer). */
export function readServerList(list: unknown, where: string): ServerModel[] {
  if (!Array.isArray(list)) throw new PipelineError("`servers` must be a list", { pointer: where });
  return list.map((raw, i) => {
    if (!isObject(raw) || typeof raw.url !== "string")
      throw new PipelineError("a server needs a string `url`", { pointer: `${where}/${i}` });
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

/** The server's URL with every variable at its default. */
export function defaultServerUrl(server: ServerModel): string {
  return server.url.replace(
    /\{([^}]+)\}/g,
    (template, name: string) =>
      (Object.hasOwn(server.variables, name) ? server.variables[name].default : undefined) ?? template,
  );
}
