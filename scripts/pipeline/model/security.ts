// Reads `components.securitySchemes`: where each credential goes (apiKey header/query/cookie, HTTP bearer/basic, …).
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
