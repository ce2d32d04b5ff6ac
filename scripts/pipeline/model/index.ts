// Stage 5: the typed, spec-agnostic model the emitters read instead of the raw spec.
import type { OpenAPIDocument } from "../bundle.js";
import { PipelineError } from "../errors.js";
import { NamePool, typeName } from "./names.js";
import { pathItemOperation, unsupportedParameters } from "./methods.js";
import { readOperations } from "./operations.js";
import { isObject, type Json } from "./refs.js";
import { placeOperations, type NameOverrideEntry } from "./resources.js";
import { applySecurity, insecureServerWarnings, readSecuritySchemes } from "./security.js";
import { envPrefix, schemeEnvNames } from "./environment.js";
import { ERROR_CLASSES, readErrorModel } from "./errors.js";
import { readInputSchemas } from "./input-schemas.js";
import { defaultServerUrl, readServers } from "./servers.js";
import type { ApiModel, SchemaAlias } from "./types.js";

export type * from "./types.js";

// Suffixes of the per-operation types, so schema aliases can avoid them.
export const OPERATION_TYPE_SUFFIXES = ["Body", "Params", "Response"] as const;
// Suffixes of the types of an operation with an itemSchema event stream.
export const STREAM_TYPE_SUFFIXES = ["StreamEvent", "StreamData"] as const;
// Suffix of the item type of a paginated list operation.
export const PAGINATION_TYPE_SUFFIXES = ["Item"] as const;
// Names the emitters export beside the schema aliases (index.ts re-exports them all from one module).
const FIXED_EXPORTS = [
  "Resources",
  "BinaryBody",
  "MultipartBody",
  "IdempotentOperation",
  "ServerDescriptor",
  "ServerVariables",
  "SecuritySchemeDescriptor",
  "paths",
  "components",
  "operations",
  "webhooks",
  "$defs",
  // client.ts: the factory, its types, and the runtime's error classes it re-exports
  "createClient",
  "ClientOptions",
  "Credentials",
  "ErrorBody",
  "ErrorCode",
  "ClientAPIError",
  "isAPIError",
  ...ERROR_CLASSES,
];

export type { NameOverrideEntry } from "./resources.js";

/** `nameOverrides`: the entries of the spec's name-override file (see scripts/pipeline/name-overrides.ts). */
export function buildModel(document: OpenAPIDocument, options: { nameOverrides?: NameOverrideEntry[] } = {}): ApiModel {
  const doc = document as Json;
  const info = isObject(doc.info) ? doc.info : {};
  const read = readOperations(doc);
  const rawOps = read.map((op) => {
    const item = (doc.paths as Json)[op.path];
    const raw = isObject(item) ? pathItemOperation(item, op.method) : undefined;
    return isObject(raw) ? raw : undefined;
  });
  const operations = placeOperations(read, rawOps, options.nameOverrides).map((op) => ({
    ...op,
    inputSchemas: readInputSchemas(doc, op),
  }));
  // placeOperations keeps the order of `read`, so rawOps[i] is still operations[i]'s.
  const security = applySecurity(doc, operations, rawOps);

  const taken = operations.flatMap((op) =>
    [
      ...OPERATION_TYPE_SUFFIXES,
      ...(op.eventStream ? STREAM_TYPE_SUFFIXES : []),
      ...(op.pagination ? PAGINATION_TYPE_SUFFIXES : []),
    ].map((s) => op.typeStem + s),
  );
  const pool = new NamePool([...FIXED_EXPORTS, ...taken]);
  const components = isObject(doc.components) ? doc.components : {};
  if (components.schemas !== undefined && !isObject(components.schemas)) {
    throw new PipelineError("`components.schemas` must be a mapping", { pointer: "#/components/schemas" });
  }
  const schemas: SchemaAlias[] = Object.entries((components.schemas as Json | undefined) ?? {}).map(
    ([name, schema]) => ({
      name,
      identifier: pool.claim(typeName(name, "Schema")),
      description: isObject(schema) && typeof schema.description === "string" ? schema.description : undefined,
    }),
  );
  const securitySchemes = readSecuritySchemes(doc);
  const prefix = envPrefix(doc);
  const servers = readServers(doc);
  return {
    title: typeof info.title === "string" ? info.title : "API",
    version: typeof info.version === "string" ? info.version : String(info.version ?? ""),
    operations,
    schemas,
    servers,
    securitySchemes,
    ...(security ? { security } : {}),
    client: {
      name: prefix.toLowerCase().replace(/_/g, "-"),
      envPrefix: prefix,
      schemeEnv: schemeEnvNames(prefix, securitySchemes, doc),
      errors: readErrorModel(doc),
    },
    warnings: [
      ...unsupportedParameters(doc),
      ...insecureServerWarnings([
        ...servers.slice(0, 1).map((server) => ({ url: defaultServerUrl(server), where: "servers" })),
        ...operations.flatMap((op) =>
          op.servers ? [{ url: defaultServerUrl(op.servers[0]), where: `${op.method.toUpperCase()} ${op.path}` }] : [],
        ),
      ]),
    ],
  };
}
