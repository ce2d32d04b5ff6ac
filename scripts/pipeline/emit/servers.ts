// Emits servers.ts: the spec's server URL templates and a function that fills in their variables.
import { StructureKind, VariableDeclarationKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { generatedFile, type EmitContext } from "./common.js";

const SERVER_URL_BODY = `const server = servers[index];
if (!server) throw new RangeError(\`no server at index \${index}: the spec lists \${servers.length}\`);
return server.url.replace(/\\{([^}]+)\\}/g, (template, name: string) => {
  const variable = server.variables[name];
  if (!variable) return template;
  const value = variables[name] ?? variable.default;
  if (variable.enum && !variable.enum.includes(value)) throw new RangeError(\`server variable \${name} must be one of \${variable.enum.join(", ")}, not \${JSON.stringify(value)}\`);
  return value;
});`;

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
      declarations: [
        { name: "servers", type: "readonly ServerDescriptor[]", initializer: JSON.stringify(model.servers) },
      ],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "serverUrl",
      docs: [
        "The base URL of `servers[index]` with its variables filled in: the given value, else the spec's default. Throws a RangeError for a value outside the variable's enum.",
      ],
      parameters: [
        { name: "index", initializer: "0" },
        { name: "variables", type: "Readonly<Record<string, string>>", initializer: "{}" },
      ],
      returnType: "string",
      statements: SERVER_URL_BODY,
    },
  ]);
}
