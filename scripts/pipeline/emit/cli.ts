// Emits cli.ts: one command-line subcommand per operation, at its SDK method's path in kebab-case, with flags from
// its query, header and cookie parameters and its body's top-level fields; `main(argv)` runs them (src/cli).
import { StructureKind, VariableDeclarationKind, type SourceFileStructure, type WriterFunction } from "ts-morph";
import type { ApiModel, OperationModel, ValueModel } from "../model/index.js";
import { words } from "../model/names.js";
import { generatedFile, literal, member, propertyKey, verbatim, type EmitContext } from "./common.js";

/** Flags every command has (src/cli/run.ts) or may have, which a parameter or field must not take. */
const RESERVED_FLAGS = [
  "help",
  "version",
  "json",
  "api-key",
  "base-url",
  "timeout",
  "max-retries",
  "body",
  "idempotency-key",
];

/** `fooBar`, `foo_bar`, `X-Foo` → `foo-bar`, `x-foo`. */
export function kebabCase(name: string): string {
  return words(name).join("-").toLowerCase() || "value";
}

/** The command line's runtime entry beside the runtime the other files import: `…/src/cli/index.js` or `flora-sdk/cli`. */
export function cliImport(runtimeImport: string): string {
  if (/\/runtime\/index\.js$/.test(runtimeImport))
    return runtimeImport.replace(/\/runtime\/index\.js$/, "/cli/index.js");
  if (/\/runtime$/.test(runtimeImport)) return runtimeImport.replace(/\/runtime$/, "/cli");
  return "flora-sdk/cli";
}

/** Unique names within one scope: the first keeps its name, a later one gets a prefix, then a number. */
class Claims {
  #taken: Set<string>;
  constructor(reserved: string[]) {
    this.#taken = new Set(reserved);
  }
  claim(name: string, prefix?: string): string {
    const free = (n: string) => !this.#taken.has(n) && !n.startsWith("no-") && !this.#taken.has(`no-${n}`);
    let picked = [name, prefix ? `${prefix}-${name}` : name].find(free);
    for (let i = 2; picked === undefined; i++) if (free(`${name}-${i}`)) picked = `${name}-${i}`;
    this.#taken.add(picked);
    return picked;
  }
}

/** The command words of each operation: resource path and method name in kebab-case, unique among siblings. */
function commandPaths(model: ApiModel): Map<OperationModel, string[]> {
  const words = new Map<string, Map<string, string>>();
  const claims = new Map<string, Claims>();
  const wordAt = (parent: string, original: string) => {
    let scope = words.get(parent);
    if (!scope) words.set(parent, (scope = new Map()));
    let word = scope.get(original);
    if (word === undefined) {
      let pool = claims.get(parent);
      if (!pool) claims.set(parent, (pool = new Claims(["help"])));
      word = pool.claim(kebabCase(original));
      scope.set(original, word);
    }
    return word;
  };
  const out = new Map<OperationModel, string[]>();
  for (const op of model.operations) {
    const path: string[] = [];
    for (const segment of [...op.resourcePath, op.methodName]) path.push(wordAt(path.join(" "), segment));
    out.set(op, path);
  }
  return out;
}

/** A ValueSpec literal: the model's value without what the command line does not read. */
function valueLiteral(value: ValueModel | undefined): string {
  const strip = ({ nullable: _nullable, items, ...rest }: ValueModel): object =>
    items ? { ...rest, items: strip(items) } : rest;
  return literal(value ? strip(value) : { type: "unknown" });
}

function bodyKind(contentType: string): "json" | "text" | "binary" {
  if (/json|^multipart\/|^application\/x-www-form-urlencoded/i.test(contentType)) return "json";
  if (/^text\/|xml/i.test(contentType)) return "text";
  return "binary";
}

function helpText(...parts: (string | undefined)[]): string | undefined {
  const text = parts
    .filter((p): p is string => typeof p === "string" && p.trim() !== "")
    .map((p) => p.trim())
    .join("\n\n");
  return text || undefined;
}

/** One `CommandSpec` literal. */
function commandLiteral(op: OperationModel, path: string[]): WriterFunction {
  return (writer) => {
    const flags = new Claims(RESERVED_FLAGS);
    const entry = (fields: Record<string, string | undefined>) =>
      `{ ${Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}: ${v}`)
        .join(", ")} }`;
    writer.write("{").newLine();
    writer.indent(() => {
      writer.writeLine(`path: ${JSON.stringify(path)},`);
      if (op.summary) writer.writeLine(`summary: ${JSON.stringify(op.summary.trim())},`);
      const description = helpText(op.description);
      if (description) writer.writeLine(`description: ${verbatim(JSON.stringify(description))},`);
      writer.writeLine(`route: ${JSON.stringify(`${op.method.toUpperCase()} ${op.path}`)},`);
      if (op.deprecated) writer.writeLine("deprecated: true,");
      writer.writeLine(
        `args: [${op.pathParams
          .map((p) =>
            entry({
              name: JSON.stringify(p.name),
              description: p.description ? JSON.stringify(p.description.trim()) : undefined,
              value: valueLiteral(p.value),
            }),
          )
          .join(", ")}],`,
      );
      const list: string[] = [];
      for (const p of [...op.queryParams, ...op.headerParams, ...op.cookieParams]) {
        list.push(
          entry({
            flag: JSON.stringify(flags.claim(kebabCase(p.name), p.in)),
            in: JSON.stringify(p.in),
            name: JSON.stringify(p.name),
            required: String(p.required),
            description: p.description ? JSON.stringify(p.description.trim()) : undefined,
            value: valueLiteral(p.value),
          }),
        );
      }
      const kind = op.requestBody ? bodyKind(op.requestBody.contentType) : undefined;
      for (const field of kind === "json" ? (op.requestBody?.fields ?? []) : []) {
        // the idempotency key's body twin is set by the SDK (and `--idempotency-key`)
        if (field.name === op.idempotency?.bodyField) continue;
        list.push(
          entry({
            flag: JSON.stringify(flags.claim(kebabCase(field.name), "body")),
            in: '"body"',
            name: JSON.stringify(field.name),
            required: String(field.required),
            description: field.description ? JSON.stringify(field.description.trim()) : undefined,
            value: valueLiteral(field.value),
          }),
        );
      }
      writer.writeLine(`flags: ${verbatim(`[${list.join(", ")}]`)},`);
      if (op.requestBody)
        writer.writeLine(
          `body: ${entry({
            required: String(op.requestBody.required),
            kind: JSON.stringify(kind),
            description: op.requestBody.description ? JSON.stringify(op.requestBody.description.trim()) : undefined,
          })},`,
        );
      if (op.idempotency) writer.writeLine("idempotency: true,");
      writer.writeLine(`call: (context) => ${callExpression(op)},`);
    });
    writer.write("}");
  };
}

/** `context.client.techniques.runs.create(techniqueId, body, params, options)`, in the wrapper's argument order. */
function callExpression(op: OperationModel): string {
  const method = [...op.resourcePath, op.methodName].map(member).join("");
  // the command line parsed each value by its spec; the SDK method and the server check the rest
  const args = op.pathParams.map((p) => `context.path${member(p.name)} as never`);
  if (op.requestBody) args.push("context.body as never");
  const params = (
    [
      ["query", op.queryParams],
      ["header", op.headerParams],
      ["cookie", op.cookieParams],
    ] as const
  ).filter(([, list]) => list.length > 0);
  if (params.length) args.push(`{ ${params.map(([where]) => `${where}: context.${where}`).join(", ")} } as never`);
  args.push("context.request");
  return `context.client${method}(${args.join(", ")})`;
}

export function cliFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const paths = commandPaths(model);
  const { name } = model.client;
  const token = model.securitySchemes.find(
    (scheme) =>
      scheme.type !== "mutualTLS" &&
      !(scheme.type === "http" && scheme.scheme === "basic") &&
      typeof model.client.schemeEnv[scheme.name] === "string",
  );
  return generatedFile(ctx, [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: cliImport(ctx.runtimeImport),
      namedImports: ["runCommandLine", { name: "CommandSpec", isTypeOnly: true }],
    },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: "./client.js", namedImports: ["createClient"] },
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
        `One command per operation of ${model.title}: its SDK method's path in kebab-case, path parameters as arguments, query, header and cookie parameters and top-level body fields as flags.`,
      ],
      declarations: [
        {
          name: "commands",
          type: "CommandSpec<Resources>[]",
          initializer: (writer) => {
            writer.write("[").newLine();
            writer.indent(() => {
              for (const op of model.operations) {
                commandLiteral(op, paths.get(op) as string[])(writer);
                writer.write(",").newLine();
              }
            });
            writer.write("]");
          },
        },
      ],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "main",
      docs: [
        `Runs the ${name} command line with \`argv\` as \`process.argv\` gives it (its default) and resolves with the exit code: 0 success, 1 API error, 2 usage, 130 Ctrl-C. Credentials and base URL come from \`createClient\`'s environment variables${token ? `, or \`--api-key\` (\`${model.client.schemeEnv[token.name] as string}\`)` : ""} and \`--base-url\`.`,
      ],
      parameters: [{ name: "argv", type: "readonly string[]", hasQuestionToken: true }],
      returnType: "Promise<number>",
      statements: (writer) => {
        writer.write("return runCommandLine(").newLine();
        writer.indent(() => {
          writer.write("{").newLine();
          writer.indent(() => {
            writer.writeLine(`name: ${JSON.stringify(name)},`);
            writer.writeLine(
              `description: ${JSON.stringify(`${model.title}${model.version ? ` ${model.version}` : ""}`)},`,
            );
            writer.writeLine("commands,");
            if (token) {
              writer.writeLine(`apiKeyEnv: ${JSON.stringify(model.client.schemeEnv[token.name])},`);
              writer.writeLine(
                `createClient: ({ apiKey, ...options }) => createClient(apiKey === undefined ? options : { ...options, credentials: { ${propertyKey(token.name)}: apiKey } }),`,
              );
            } else writer.writeLine("createClient,");
          });
          writer.write("},").newLine();
          writer.writeLine("argv,");
        });
        writer.write(");");
      },
    },
  ]);
}
