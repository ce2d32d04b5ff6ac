// Emits client.ts: `createClient(options?)`, the ready client of any spec, with credentials typed from its security
// schemes, defaults from its servers and environment variables, and its error body typed from its error schema.
import { StructureKind, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { ApiModel, ErrorBodyModel, SecuritySchemeModel } from "../model/index.js";
import { ERROR_CLASSES } from "../model/errors.js";
import { defaultServerUrl } from "../model/servers.js";
import { docLines, generatedFile, index, literal, propertyKey, type EmitContext } from "./common.js";

/** The credential a scheme takes, or undefined for one a client cannot send (mutualTLS). */
function credentialType(scheme: SecuritySchemeModel): { type: string; doc: string } | undefined {
  if (scheme.type === "mutualTLS") return undefined;
  if (scheme.type === "http" && scheme.scheme === "basic")
    return { type: "BasicCredential", doc: "HTTP basic: sent as `Authorization: Basic base64(username:password)`." };
  const where =
    scheme.type === "apiKey"
      ? `API key: sent in the ${scheme.in ?? "header"} \`${scheme.parameterName ?? ""}\`.`
      : scheme.type === "http" && scheme.scheme && scheme.scheme !== "bearer"
        ? `HTTP ${scheme.scheme}: sent as \`Authorization: ${scheme.scheme} <token>\`.`
        : `${scheme.type === "http" ? "HTTP bearer" : scheme.type === "oauth2" ? "OAuth2" : scheme.type === "openIdConnect" ? "OpenID Connect" : scheme.type} token: sent as \`Authorization: Bearer <token>\`.`;
  return {
    type: "string | TokenProvider",
    doc: `${where} A function is asked for the token before every attempt, and its tokens are redacted from errors and logs.`,
  };
}

function envDoc(env: ApiModel["client"]["schemeEnv"][string] | undefined): string {
  if (env === undefined) return "";
  return typeof env === "string"
    ? `Default: the \`${env}\` environment variable.`
    : `Default: the \`${env.username}\` and \`${env.password}\` environment variables.`;
}

function errorBodyType(model: ApiModel): string {
  const bodies = model.client.errors.bodies;
  const type = (body: ErrorBodyModel) =>
    "schema" in body
      ? `components["schemas"]${index(body.schema)}`
      : "response" in body
        ? `components["responses"]${index(body.response)}["content"]${index(body.mediaType)}`
        : `paths${index(body.path)}${index(body.method)}["responses"]${index(body.status)}["content"]${index(body.mediaType)}`;
  return bodies.length ? bodies.map(type).join(" | ") : "unknown";
}

export function clientFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const { envPrefix, schemeEnv, errors } = model.client;
  const sendable = model.securitySchemes.flatMap((scheme) => {
    const credential = credentialType(scheme);
    return credential ? [{ scheme, credential }] : [];
  });
  const runtimeTypes = ["BaseClientOptions", "TypedAPIError"];
  if (sendable.some((s) => s.credential.type === "BasicCredential")) runtimeTypes.push("BasicCredential");
  if (sendable.some((s) => s.credential.type !== "BasicCredential")) runtimeTypes.push("TokenProvider");
  const hasServers = model.servers.length > 0;
  // the keys `serverUrls` takes: each operation's own server as its descriptor names it
  const operationServers = [
    ...new Set(model.operations.flatMap((op) => (op.servers ? [defaultServerUrl(op.servers[0])] : []))),
  ].sort();
  const envCredentials = Object.fromEntries(sendable.map(({ scheme }) => [scheme.name, schemeEnv[scheme.name]]));
  const spec = [
    `name: ${JSON.stringify(model.client.name)}`,
    "schemes: securitySchemes",
    `env: ${literal({ baseUrl: `${envPrefix}_BASE_URL`, logLevel: `${envPrefix}_LOG`, credentials: envCredentials })}`,
    ...(hasServers ? ["defaultBaseUrl: () => serverUrl(0, options.serverVariables)"] : []),
    ...(errors.envelope ? [`errorEnvelope: ${literal(errors.envelope)}`] : []),
    ...(model.security ? [`security: ${literal(model.security)}`] : []),
  ];
  const statements: StatementStructures[] = [
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: ["APIError", "createClientRuntime", ...runtimeTypes.map((name) => ({ name, isTypeOnly: true }))],
    },
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: "./resources.js",
      namedImports: ["createResources", { name: "Resources", isTypeOnly: true }],
    },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: "./security.js", namedImports: ["securitySchemes"] },
    ...(hasServers
      ? [
          {
            kind: StructureKind.ImportDeclaration as const,
            moduleSpecifier: "./servers.js",
            namedImports: ["serverUrl", { name: "ServerVariables", isTypeOnly: true }],
          },
        ]
      : []),
    ...(errors.bodies.length
      ? [
          {
            kind: StructureKind.ImportDeclaration as const,
            isTypeOnly: true,
            moduleSpecifier: "./schema.js",
            namedImports: [
              ...(errors.bodies.some((body) => !("path" in body)) ? ["components"] : []),
              ...(errors.bodies.some((body) => "path" in body) ? ["paths"] : []),
            ],
          },
        ]
      : []),
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: ctx.runtimeImport, namedExports: ERROR_CLASSES },
    sendable.length
      ? {
          kind: StructureKind.Interface,
          isExported: true,
          name: "Credentials",
          docs: [
            "Credentials by the spec's security scheme names (`components.securitySchemes`). Each request sends those of the first of its operation's security requirements that they satisfy, to the API's origin only; an explicit one wins over its environment variable.",
          ],
          properties: sendable.map(({ scheme, credential }) => ({
            name: propertyKey(scheme.name),
            isReadonly: true,
            hasQuestionToken: true,
            type: credential.type,
            docs: [docLines(credential.doc, envDoc(schemeEnv[scheme.name]))],
          })),
        }
      : {
          kind: StructureKind.TypeAlias,
          isExported: true,
          name: "Credentials",
          docs: ["The spec declares no security scheme a client can send, so there are no credentials to give."],
          type: "Readonly<Record<string, never>>",
        },
    {
      kind: StructureKind.Interface,
      isExported: true,
      name: "ClientOptions",
      extends: ["BaseClientOptions"],
      docs: [
        docLines(
          `Options of \`createClient\`. Environment variables (read only where \`process.env\` exists): \`${envPrefix}_BASE_URL\`, \`${envPrefix}_LOG\`, and one per credential; explicit options win.`,
        ),
      ],
      properties: [
        {
          name: "baseUrl",
          hasQuestionToken: true,
          type: "string",
          docs: [
            hasServers
              ? `Default: the \`${envPrefix}_BASE_URL\` environment variable, else the spec's first server (\`${model.servers[0].url}\`) with \`serverVariables\` filled in. \`http://\` only for loopback unless \`allowInsecureHttp\`.`
              : `Default: the \`${envPrefix}_BASE_URL\` environment variable; the spec lists no servers, so one of them is required.`,
          ],
        },
        { name: "credentials", hasQuestionToken: true, type: "Credentials" },
        ...(operationServers.length
          ? [
              {
                name: "serverUrls",
                hasQuestionToken: true,
                type: `Readonly<Partial<Record<${operationServers.map((url) => JSON.stringify(url)).join(" | ")}, string>>>`,
                docs: [
                  "Where the operations with their own `servers` go instead, keyed by the spec's server URL. Such a server on another origin receives the credentials only while `baseUrl` is the spec's own, or when `credentialOrigins` lists it; a URL given here receives them, like `baseUrl`.",
                ],
              },
            ]
          : []),
        ...(hasServers
          ? [
              {
                name: "serverVariables",
                hasQuestionToken: true,
                type: "ServerVariables[0]",
                docs: [
                  "Variables of the spec's first server, when `baseUrl` is not given; each defaults to the spec's.",
                ],
              },
            ]
          : []),
      ],
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "ErrorBody",
      docs: [
        errors.bodies.length
          ? "The JSON body of this API's error responses (4XX, 5XX, default), as the spec declares it."
          : "The spec declares no error body schema.",
      ],
      type: errorBodyType(model),
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "ErrorCode",
      docs: ["The values an error's `code` takes, when the spec lists them; otherwise any string."],
      type: errors.codes ? errors.codes.map((code) => JSON.stringify(code)).join(" | ") : "string",
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "ClientAPIError",
      docs: ["An APIError (any HTTP status error) of this API, its `body` and `code` typed from the spec."],
      type: "TypedAPIError<ErrorBody, ErrorCode>",
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "isAPIError",
      docs: ["True for an HTTP status error (`APIError` or a subclass), narrowing `body` and `code` to this API's."],
      parameters: [{ name: "error", type: "unknown" }],
      returnType: "error is ClientAPIError",
      statements: "return error instanceof APIError;",
    },
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "createClient",
      docs: [
        docLines(
          `A ready client for ${model.title}${model.version ? ` ${model.version}` : ""}: every operation, grouped by resource as \`createResources\` groups them.`,
          "Defaults: `maxRetries` 2, `timeoutMs` 60_000 per attempt, idempotency keys where the spec accepts them, credentials and base URL from the environment when not given. Throws a ValidationError for a bad option.",
        ),
      ],
      parameters: [{ name: "options", type: "ClientOptions", initializer: "{}" }],
      returnType: "Resources",
      statements: (writer) => {
        writer.write("return createResources(").newLine();
        writer.indent(() => {
          writer.write("createClientRuntime(options, {").newLine();
          writer.indent(() => {
            for (const line of spec) writer.writeLine(`${line},`);
          });
          writer.write("}),").newLine();
        });
        writer.write(");");
      },
    },
  ];
  return generatedFile(ctx, statements);
}
