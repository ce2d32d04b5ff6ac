// Emits mcp.ts: one MCP tool per operation (input JSON Schema from its parameters and body, description from the
// spec), calling the ready client's method, and `main()`, which serves them over stdio or Streamable HTTP.
// The barrel does not export it, so the SDK entry never loads the MCP SDK.
import {
  StructureKind,
  VariableDeclarationKind,
  type SourceFileStructure,
  type StatementStructures,
  type WriterFunction,
} from "ts-morph";
import type { ApiModel, OperationModel, ParameterModel } from "../model/index.js";
import { words } from "../model/names.js";
import { generatedFile, literal, member, propertyKey, verbatim, type EmitContext } from "./common.js";

/** MCP's tool name rule: 1 to 128 of A-Z a-z 0-9 _ - . */
const MAX_TOOL_NAME = 128;
/** Property names LLM tool APIs accept (the strictest common rule), so every client can call every tool. */
const PROPERTY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const READ_ONLY_METHODS = new Set(["get", "head", "options", "trace", "query"]);

/** The MCP runtime's import, beside the runtime's: `../src/runtime/index.js` → `../src/mcp/index.js`, `flora-sdk/runtime` → `flora-sdk/mcp`. */
export function mcpImport(runtimeImport: string): string {
  if (/(^|\/)runtime\/index\.js$/.test(runtimeImport))
    return runtimeImport.replace(/runtime\/index\.js$/, "mcp/index.js");
  if (/(^|\/)runtime$/.test(runtimeImport)) return runtimeImport.replace(/runtime$/, "mcp");
  return runtimeImport.replace(/runtime(?!.*runtime)/, "mcp");
}

/** snake_case of a camelCase identifier: `museumHours` → `museum_hours`, `getHTTPStatus` → `get_http_status`. */
export function snakeCase(identifier: string): string {
  return words(identifier).join("_").toLowerCase();
}

/** Unique tool names from each operation's SDK method path, e.g. `techniques.runs.create` → `techniques_runs_create`. */
export function toolNames(operations: OperationModel[]): string[] {
  const taken = new Set<string>();
  return operations.map((op) => {
    const base = [...op.resourcePath, op.methodName].map(snakeCase).filter(Boolean).join("_") || "call";
    let name = base.slice(0, MAX_TOOL_NAME);
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, MAX_TOOL_NAME - String(n).length - 1)}_${n}`;
    taken.add(name);
    return name;
  });
}

interface ToolPlan {
  name: string;
  op: OperationModel;
  inputSchema: Record<string, unknown>;
  /** Input property → [location, wire name]. */
  parameters: Record<string, [ParameterModel["in"], string]>;
  idempotencyKeyProperty?: string;
}

function description(op: OperationModel): string {
  const parts = [op.summary?.trim(), op.description?.trim()].filter((p): p is string => Boolean(p));
  if (parts.length === 2 && parts[1].startsWith(parts[0])) parts.shift();
  const deprecated = op.deprecated ? "Deprecated. " : "";
  return `${deprecated}${parts.join("\n\n") || op.id}\n\n${op.method.toUpperCase()} ${op.path}`;
}

/** The tool's input: each parameter as a property (its wire name where that is a usable name), the body under `body`. */
function planTool(name: string, op: OperationModel): ToolPlan {
  const schemas = op.inputSchemas ?? { parameters: {} };
  // no prototype: a parameter named `constructor` or `__proto__` is a key like any other
  const properties: Record<string, unknown> = Object.create(null);
  const required: string[] = [];
  const parameters: ToolPlan["parameters"] = Object.create(null);
  const all = [...op.pathParams, ...op.queryParams, ...op.headerParams, ...op.cookieParams];
  const free = (candidate: string) =>
    PROPERTY_NAME.test(candidate) && candidate !== "body" && !(candidate in properties) && !(candidate in parameters);
  for (const p of all) {
    const plain = p.name.replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
    let property = free(p.name) ? p.name : free(plain) ? plain : `${p.in}_${plain}`.slice(0, 64);
    for (let n = 2; !free(property); n++) property = `${p.in}_${plain}`.slice(0, 60) + `_${n}`;
    const schema = (schemas.parameters[`${p.in}:${p.name}`] ?? { type: "string" }) as Record<string, unknown>;
    const where = `${p.in} parameter${property === p.name ? "" : ` \`${p.name}\``}`;
    const text = [(typeof schema.description === "string" ? schema.description : p.description)?.trim(), `(${where})`]
      .filter(Boolean)
      .join(" ");
    properties[property] = { ...schema, description: text };
    parameters[property] = [p.in, p.name];
    if (p.required) required.push(property);
  }
  if (op.requestBody) {
    const body = (schemas.body ?? {}) as Record<string, unknown>;
    const text = (
      op.requestBody.description ?? (typeof body.description === "string" ? body.description : undefined)
    )?.trim();
    properties.body = {
      ...body,
      description: `${text ? `${text} ` : ""}(request body, ${op.requestBody.contentType})`,
    };
    if (op.requestBody.required) required.push("body");
  }
  let idempotencyKeyProperty: string | undefined;
  if (op.idempotency) {
    idempotencyKeyProperty = ["idempotency_key", "idempotencyKey", "_idempotency_key"].find(free);
    if (idempotencyKeyProperty)
      properties[idempotencyKeyProperty] = {
        type: "string",
        minLength: 1,
        description:
          "Reuse the idempotencyKey of an earlier failed call to retry it without a duplicate; one is generated otherwise.",
      };
  }
  const inputSchema: Record<string, unknown> = {
    type: "object",
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
    ...(schemas.defs ? { $defs: schemas.defs } : {}),
  };
  return { name, op, inputSchema, parameters, ...(idempotencyKeyProperty ? { idempotencyKeyProperty } : {}) };
}

function annotations(op: OperationModel): Record<string, boolean> {
  if (READ_ONLY_METHODS.has(op.method)) return { readOnlyHint: true, openWorldHint: true };
  return {
    readOnlyHint: false,
    destructiveHint: op.method === "delete" || op.method === "put",
    idempotentHint: op.method === "delete" || op.method === "put",
    openWorldHint: true,
  };
}

/** `client.a.b.method(path…, body, { query, header, cookie }, options)`, each argument cast: the schema checked it. */
function callExpression(op: OperationModel): string {
  const args = op.pathParams.map((p) => `args.path${member(p.name)} as never`);
  if (op.requestBody) args.push("args.body as never");
  const kinds = (["query", "header", "cookie"] as const).filter((kind) => op[`${kind}Params`].length > 0);
  if (kinds.length) args.push(`{ ${kinds.map((kind) => `${kind}: args.${kind}`).join(", ")} } as never`);
  args.push("options");
  const target = [...op.resourcePath, op.methodName].map(member).join("");
  return `client${target}(${args.join(", ")})`;
}

function toolsWriter(plans: ToolPlan[]): WriterFunction {
  return (writer) => {
    writer.write("[").newLine();
    writer.indent(() => {
      for (const plan of plans) {
        const { op } = plan;
        writer.write("{").newLine();
        writer.indent(() => {
          writer.writeLine(`name: ${JSON.stringify(plan.name)},`);
          if (op.summary) writer.writeLine(`title: ${JSON.stringify(op.summary.trim())},`);
          writer.writeLine(`description: ${verbatim(JSON.stringify(description(op)))},`);
          writer.writeLine(`inputSchema: ${verbatim(literal(plan.inputSchema))},`);
          writer.writeLine(`annotations: ${JSON.stringify(annotations(op))},`);
          const entries = Object.entries(plan.parameters);
          if (entries.length)
            writer.writeLine(
              `parameters: { ${entries.map(([key, value]) => `${propertyKey(key)}: ${JSON.stringify(value)}`).join(", ")} },`,
            );
          if (plan.idempotencyKeyProperty)
            writer.writeLine(`idempotencyKeyProperty: ${JSON.stringify(plan.idempotencyKeyProperty)},`);
          const used =
            op.pathParams.length ||
            op.requestBody ||
            op.queryParams.length ||
            op.headerParams.length ||
            op.cookieParams.length;
          writer.writeLine(`call: (client, ${used ? "args" : "_args"}, { options }) => ${callExpression(op)},`);
        });
        writer.write("},").newLine();
      }
    });
    writer.write("]");
  };
}

/** The environment variables that hold this API's credentials, redacted from every tool result. */
function credentialVariables(model: ApiModel): string[] {
  return Object.values(model.client.schemeEnv).flatMap((env) =>
    typeof env === "string" ? [env] : [env.username, env.password],
  );
}

export function mcpFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const names = toolNames(model.operations);
  const plans = model.operations.map((op, i) => planTool(names[i], op));
  const { envPrefix, name: serverName } = model.client;
  const variables = credentialVariables(model);
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: mcpImport(ctx.runtimeImport),
      namedImports: [
        "credentialSecrets",
        "runMcpServer",
        { name: "McpServerSpec", isTypeOnly: true },
        { name: "ToolDefinition", isTypeOnly: true },
      ],
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "./client.js",
      namedImports: ["createClient", { name: "ClientOptions", isTypeOnly: true }],
    },
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./resources.js",
      namedImports: ["Resources"],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        `One MCP tool per operation of ${model.title}, named after its SDK method (\`a.b.create\` → \`a_b_create\`). Each input schema has the operation's path, query, header and cookie parameters as properties and its request body under \`body\`; a tool calls the ready client's method with them.`,
      ],
      declarations: [{ name: "tools", type: "ToolDefinition<Resources>[]", initializer: toolsWriter(plans) }],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "mcpServerSpec",
      docs: [
        `The MCP server of ${model.title}: \`tools\`, calling through \`createClient(options)\` (by default, credentials and base URL from \`${envPrefix}_*\` environment variables). Credentials are redacted from every result.`,
      ],
      parameters: [{ name: "options", type: "ClientOptions", initializer: "{}" }],
      returnType: "McpServerSpec<Resources>",
      statements: (writer) => {
        writer.write("return {").newLine();
        writer.indent(() => {
          writer.writeLine(`name: ${JSON.stringify(serverName)},`);
          writer.writeLine(`version: ${JSON.stringify(model.version || "0.0.0")},`);
          writer.writeLine("tools,");
          writer.writeLine("client: () => createClient(options),");
          writer.writeLine(`secrets: () => credentialSecrets(options.credentials, ${JSON.stringify(variables)}),`);
        });
        writer.write("};");
      },
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      isAsync: true,
      name: "main",
      docs: [
        `Runs the MCP server with \`argv\` (default: the process's arguments): stdio by default, \`--http [--port N] [--host ADDR]\` for Streamable HTTP. Reads \`${envPrefix}_BASE_URL\` and the credential variables${variables.length ? ` (${variables.map((v) => `\`${v}\``).join(", ")})` : ""}.`,
      ],
      parameters: [{ name: "argv", type: "readonly string[]", hasQuestionToken: true }],
      returnType: "Promise<void>",
      statements: `await runMcpServer(mcpServerSpec(), argv, ${JSON.stringify(`Usage: ${serverName}-mcp [options]`)});`,
    },
  ];
  return generatedFile(ctx, statements);
}
