// Stage 4: compile the bundled document to TypeScript types with openapi-typescript's transform.
import type {
  astToString as AstToString,
  transformSchemaObject as TransformSchemaObject,
  transformOperationObject as TransformOperationObject,
  OpenAPI3,
  resolveRef as ResolveRef,
  scanDiscriminators as ScanDiscriminators,
  transformSchema as TransformSchema,
} from "openapi-typescript";
import { createRequire } from "node:module";
import { PipelineError } from "./errors.js";
import type { OpenAPIDocument } from "./bundle.js";
import { ITEM_SCHEMAS_TYPE, itemSchemasSchema } from "./item-types.js";
import { isFixedMethod, pathItemOperations } from "./model/methods.js";
import { asObject, isObject, type Json } from "./model/refs.js";
import { normalizeForTypes } from "./normalize.js";

type TransformContext = Parameters<typeof TransformSchema>[1];

// openapiTS() would lint and bundle the document again with its own Redocly core 1.x (about a third of its time on
// large specs, plus loading that second Redocly). The document is already bundled and linted, so this calls the
// transform it wraps, from the modules that do not import Redocly, with openapiTS's default options.
interface OpenapiTsModules {
  transformSchema: typeof TransformSchema;
  transformSchemaObject: typeof TransformSchemaObject;
  transformOperationObject: typeof TransformOperationObject;
  scanDiscriminators: typeof ScanDiscriminators;
  resolveRef: typeof ResolveRef;
  astToString: typeof AstToString;
}

let modules: OpenapiTsModules | undefined;

// The CommonJS builds, through require: importing TypeScript's 9 MB CommonJS file from ESM makes Node scan it
// for named exports first, which costs more than half a second on every run.
const requireFromHere = createRequire(import.meta.url);

function openapiTsModules(): OpenapiTsModules {
  // Deep paths have no type declarations of their own; their exports are typed from the package entry above.
  const load = (path: string) => requireFromHere(`openapi-typescript/dist/${path}`) as Record<string, unknown>;
  if (!modules) {
    const [transform, utils, ts] = [load("transform/index.cjs"), load("lib/utils.cjs"), load("lib/ts.cjs")];
    const schemaObject = load("transform/schema-object.cjs");
    const operationObject = load("transform/operation-object.cjs");
    modules = {
      transformSchema: (transform.default ?? transform) as typeof TransformSchema,
      transformSchemaObject: schemaObject.default as typeof TransformSchemaObject,
      transformOperationObject: operationObject.default as typeof TransformOperationObject,
      scanDiscriminators: utils.scanDiscriminators as typeof ScanDiscriminators,
      resolveRef: utils.resolveRef as typeof ResolveRef,
      astToString: ts.astToString as typeof AstToString,
    };
  }
  return modules;
}

const ADDITIONAL_OPERATIONS_DOC =
  "/** OpenAPI 3.2 operations `paths` leaves out (`query` and `additionalOperations`): by path, then method as sent. */\n";

/**
 * `export type additionalOperations`, typed by openapi-typescript's own operation transform (its `paths` knows only
 * the eight fixed methods); "" when the document has none.
 */
function additionalOperationTypes(
  document: Json,
  ctx: TransformContext,
  transformOperationObject: typeof TransformOperationObject,
  astToString: typeof AstToString,
): string {
  const paths: string[] = [];
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = path.startsWith("x-") ? undefined : asObject(document, rawItem);
    const members: string[] = [];
    for (const [method, raw] of item ? pathItemOperations(item) : []) {
      const operation = asObject(document, raw);
      if (isFixedMethod(method) || !item || !operation) continue;
      // Path-item parameters first, overridden by the operation's own with the same name and location (as `paths` does).
      const byKey = new Map<string, unknown>();
      for (const p of [item.parameters, operation.parameters].flatMap((l) => (Array.isArray(l) ? l : []))) {
        const resolved = asObject(document, p);
        byKey.set(`${String(resolved?.in)}-${String(resolved?.name)}`, p);
      }
      const where = `#/paths/${path.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}`;
      const elements = transformOperationObject({ ...operation, parameters: [...byKey.values()] } as never, {
        path: where,
        ctx,
      });
      members.push(`${JSON.stringify(method)}: {\n${indent(astToString(elements).trim())}\n};`);
    }
    if (members.length > 0) paths.push(`${JSON.stringify(path)}: {\n${indent(members.join("\n"))}\n};`);
  }
  if (paths.length === 0) return "";
  return `${ADDITIONAL_OPERATIONS_DOC}export type additionalOperations = {\n${indent(paths.join("\n"))}\n};\n`;
}

function indent(text: string): string {
  return text.replace(/^(?=.)/gm, "    ");
}

const ITEM_SCHEMAS_DOC =
  "/** Each OpenAPI 3.2 `itemSchema` (`item`) and, for an event stream, its parsed `data`: by path, method, status, media type. */\n";

export const SCHEMA_HEADER =
  "// Generated by scripts/generate.ts (openapi-typescript) from the OpenAPI description. Do not edit.\n";

/**
 * Returns the text of schema.d.ts: `paths`, `components`, `operations` and `webhooks`.
 * openapi-typescript reads (and patches discriminator enums into) the normalized copy of the document that
 * normalizeForTypes returns, so the caller's document stays as bundled.
 */
export async function generateTypes(document: OpenAPIDocument): Promise<string> {
  const {
    transformSchema,
    transformSchemaObject,
    transformOperationObject,
    scanDiscriminators,
    resolveRef,
    astToString,
  } = openapiTsModules();
  const schema = normalizeForTypes(document) as unknown as OpenAPI3;
  const ctx: TransformContext = {
    additionalProperties: false,
    alphabetize: false,
    arrayLength: false,
    // a property with a default may be left out of a request; responses lose only precision, never a valid value
    defaultNonNullable: false,
    discriminators: { objects: {}, refsHandled: [] },
    emptyObjectsUnknown: false,
    enum: false,
    enumValues: false,
    conditionalEnums: false,
    dedupeEnums: false,
    excludeDeprecated: false,
    exportType: false,
    immutable: false,
    rootTypes: false,
    rootTypesNoSchemaPrefix: false,
    rootTypesKeepCasing: false,
    injectFooter: [],
    pathParamsAsTypes: false,
    postTransform: undefined,
    propertiesRequiredByDefault: false,
    // Read only by openapiTS's own lint/bundle step, which is skipped here (openapi-typescript 7.13).
    redoc: undefined as unknown as TransformContext["redoc"],
    silent: true,
    inject: undefined,
    transform: undefined,
    transformProperty: undefined,
    makePathsEnum: false,
    generatePathParams: false,
    readWriteMarkers: false,
    resolve: ($ref) => resolveRef(schema, $ref, { silent: true }),
  };
  try {
    ctx.discriminators = scanDiscriminators(schema, { silent: true });
    let types = SCHEMA_HEADER + astToString(transformSchema(schema, ctx));
    types += additionalOperationTypes(schema as unknown as Json, ctx, transformOperationObject, astToString);
    // OpenAPI 3.2 item schemas, typed by the same transform through one synthetic schema that mirrors `paths`.
    const items = itemSchemasSchema(document);
    if (!items) return types;
    const itemTypes = astToString(transformSchemaObject(items as never, { path: `#/${ITEM_SCHEMAS_TYPE}`, ctx }));
    return `${types}${ITEM_SCHEMAS_DOC}export type ${ITEM_SCHEMAS_TYPE} = ${itemTypes.trim()};\n`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PipelineError(`openapi-typescript could not compile the spec: ${reason.split("\n")[0]}`);
  }
}
