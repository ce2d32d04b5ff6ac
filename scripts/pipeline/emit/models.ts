// Emits models.ts: a named type alias for every component schema.
import { StructureKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { docLines, generatedFile, index, type EmitContext } from "./common.js";

export function modelsFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  return generatedFile(ctx, [
    ...(model.schemas.length
      ? [
          {
            kind: StructureKind.ImportDeclaration as const,
            isTypeOnly: true,
            moduleSpecifier: "./schema.js",
            namedImports: ["components"],
          },
        ]
      : []),
    ...model.schemas.map((schema) => ({
      kind: StructureKind.TypeAlias as const,
      isExported: true,
      name: schema.identifier,
      docs: schema.description ? [docLines(schema.description)] : [],
      type: `components["schemas"]${index(schema.name)}`,
    })),
  ]);
}
