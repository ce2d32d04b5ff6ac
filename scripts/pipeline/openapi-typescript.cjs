// openapi-typescript's transform, from the CommonJS modules that do not import Redocly (see types.ts). CommonJS so
// that esbuild bundles these modules into the precompiled toolchain (scripts/toolchain.mjs), where `typescript` is
// the compiler ts-morph bundles: one TypeScript per process instead of two.
"use strict";
const transform = require("openapi-typescript/dist/transform/index.cjs");
const schemaObject = require("openapi-typescript/dist/transform/schema-object.cjs");
const operationObject = require("openapi-typescript/dist/transform/operation-object.cjs");
const utils = require("openapi-typescript/dist/lib/utils.cjs");
const ts = require("openapi-typescript/dist/lib/ts.cjs");

module.exports = {
  transformSchema: transform.default ?? transform,
  transformSchemaObject: schemaObject.default,
  transformOperationObject: operationObject.default,
  scanDiscriminators: utils.scanDiscriminators,
  resolveRef: utils.resolveRef,
  astToString: ts.astToString,
};
