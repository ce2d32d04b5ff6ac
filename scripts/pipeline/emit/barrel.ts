// Emits index.ts: the generated package's one entry.
import { StructureKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { generatedFile, type EmitContext } from "./common.js";

export function indexFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  return generatedFile(ctx, [
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./resources.js" },
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./operations.js" },
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./idempotency.js" },
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./servers.js" },
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./security.js" },
    { kind: StructureKind.ExportDeclaration, moduleSpecifier: "./client.js" },
    ...(model.schemas.length
      ? [{ kind: StructureKind.ExportDeclaration as const, isTypeOnly: true, moduleSpecifier: "./models.js" }]
      : []),
    {
      kind: StructureKind.ExportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: "./schema.js",
      namedExports: ["paths", "components", "webhooks"],
    },
  ]);
}
