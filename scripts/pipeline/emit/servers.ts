// Emits servers.ts: the spec's server URL templates and a function that fills in their variables.
import { StructureKind, VariableDeclarationKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { generatedFile, literal, propertyKey, type EmitContext } from "./common.js";

const SERVER_URL_BODY = `const server = servers[index];
if (!server) throw new RangeError(\`no server at index \${index}: the spec lists \${servers.length}\`);
const given: Readonly<Record<string, string | undefined>> = variables ?? {};
return server.url.replace(/\\{([^}]+)\\}/g, (template, name: string) => {
  // own keys only: \`{constructor}\` names no Object.prototype member
  const variable = Object.hasOwn(server.variables, name) ? server.variables[name] : undefined;
  if (!variable) return template;
  const value = (Object.hasOwn(given, name) ? given[name] : undefined) ?? variable.default;
  if (variable.enum && !variable.enum.includes(value)) throw new RangeError(\`server variable \${name} must be one of \${variable.enum.join(", ")}, not \${JSON.stringify(value)}\`);
  return value;
});`;

/** Each server's variables as optional properties: an enum's values, or any string. */
function variablesType(model: ApiModel): string {
  if (model.servers.length === 0) return "{ readonly [index: number]: Readonly<Record<string, string>> }";
  const entry = (server: ApiModel["servers"][number]) =>
    Object.entries(server.variables)
      .map(
        ([name, v]) =>
          `readonly ${propertyKey(name)}?: ${v.enum ? v.enum.map((e) => JSON.stringify(e)).join(" | ") : "string"}`,
      )
      .join("; ");
  // no variables: an empty object literal type would accept any keys
  const type = (server: ApiModel["servers"][number]) =>
    Object.keys(server.variables).length ? `{ ${entry(server)} }` : "Readonly<Record<string, never>>";
  return `{ ${model.servers.map((server, i) => `readonly ${i}: ${type(server)}`).join("; ")} }`;
}

export function serversFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  return generatedFile(ctx, [
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "ServerDescriptor",
      docs: ["A server URL template from the spec and the variables it takes."],
      properties: [
        { name: "url", isReadonly: true, type: "string" },
        { name: "description", isReadonly: true, hasQuestionToken: true, type: "string" },
        {
          name: "variables",
          isReadonly: true,
          type: "Readonly<Record<string, { readonly default: string; readonly enum?: readonly string[] }>>",
        },
      ],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["The servers the spec lists, in its order."],
      declarations: [{ name: "servers", type: "readonly ServerDescriptor[]", initializer: literal(model.servers) }],
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "ServerVariables",
      docs: ["The variables each server takes, by its index in `servers`: an enum's values, or any string."],
      type: variablesType(model),
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "serverUrl",
      docs: [
        "The base URL of `servers[index]` with its variables filled in: the given value, else the spec's default. Throws a RangeError for a value outside the variable's enum.",
      ],
      typeParameters: [{ name: "I", constraint: "keyof ServerVariables & number" }],
      parameters: [
        { name: "index", type: "I", initializer: "0 as I" },
        // optional rather than `= {}`: a variable named `constructor` makes `{}` (whose constructor is Object's) no ServerVariables
        { name: "variables", type: "ServerVariables[I]", hasQuestionToken: true },
      ],
      returnType: "string",
      statements: SERVER_URL_BODY,
    },
  ]);
}
