// Emits security.ts: the spec's security schemes and the request headers that carry a credential for each.
import { StructureKind, VariableDeclarationKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { generatedFile, literal, propertyKey, type EmitContext } from "./common.js";

// Query-string keys are not covered: the runtime has no per-client query parameters. `headers` is a record, so its
// keys are written `headers["authorization"]` (`noPropertyAccessFromIndexSignature` in a caller's tsconfig).
const AUTH_HEADERS_BODY = `const headers: Record<string, string> = {};
const cookies: string[] = [];
const schemes: Readonly<Record<string, SecuritySchemeDescriptor>> = securitySchemes;
for (const [name, value] of Object.entries(credentials) as [string, string | undefined][]) {
  const scheme = schemes[name];
  if (value === undefined || !scheme) continue;
  if (scheme.type === "apiKey" && scheme.in === "header" && scheme.name) headers[scheme.name] = value;
  else if (scheme.type === "apiKey" && scheme.in === "cookie" && scheme.name) cookies.push(\`\${scheme.name}=\${encodeURIComponent(value)}\`);
  else if (scheme.type === "http" && scheme.scheme === "bearer") headers["authorization"] = \`Bearer \${value}\`;
  else if (scheme.type === "http" && scheme.scheme === "basic") headers["authorization"] = \`Basic \${btoa(value)}\`;
}
if (cookies.length > 0) headers["cookie"] = cookies.join("; ");
return headers;`;

export function securityFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  return generatedFile(ctx, [
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "SecuritySchemeDescriptor",
      docs: [
        "Where a credential goes: `type` as in the spec; for apiKey, `in` and the header, query or cookie `name`; for http, the lowercase `scheme`.",
      ],
      properties: [
        { name: "type", isReadonly: true, type: "string" },
        { name: "in", isReadonly: true, hasQuestionToken: true, type: '"header" | "query" | "cookie"' },
        { name: "name", isReadonly: true, hasQuestionToken: true, type: "string" },
        { name: "scheme", isReadonly: true, hasQuestionToken: true, type: "string" },
      ],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: ["The spec's security schemes by name."],
      declarations: [
        {
          name: "securitySchemes",
          initializer: (writer) => {
            writer
              .write("{")
              .newLine()
              .indent(() => {
                for (const s of model.securitySchemes) {
                  const descriptor = {
                    type: s.type,
                    ...(s.in ? { in: s.in } : {}),
                    ...(s.parameterName ? { name: s.parameterName } : {}),
                    ...(s.scheme ? { scheme: s.scheme } : {}),
                  };
                  writer.writeLine(`${propertyKey(s.name)}: ${literal(descriptor)},`);
                }
              });
            writer.write("} as const satisfies Record<string, SecuritySchemeDescriptor>");
          },
        },
      ],
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "authHeaders",
      docs: [
        "Request headers carrying the given credentials, by scheme name: apiKey in a header or cookie, HTTP bearer or basic (`user:password`). Pass them as the runtime's default headers.",
      ],
      parameters: [{ name: "credentials", type: "Partial<Record<keyof typeof securitySchemes, string>>" }],
      returnType: "Record<string, string>",
      statements: AUTH_HEADERS_BODY,
    },
  ]);
}
