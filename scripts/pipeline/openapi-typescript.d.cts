// Types of openapi-typescript.cjs, from the package entry's declarations.
import type {
  astToString,
  resolveRef,
  scanDiscriminators,
  transformOperationObject,
  transformSchema,
  transformSchemaObject,
} from "openapi-typescript";

declare const modules: {
  transformSchema: typeof transformSchema;
  transformSchemaObject: typeof transformSchemaObject;
  transformOperationObject: typeof transformOperationObject;
  scanDiscriminators: typeof scanDiscriminators;
  resolveRef: typeof resolveRef;
  astToString: typeof astToString;
};
export = modules;
