// Emits idempotency.ts: one descriptor per operation that accepts an idempotency key.
import { StructureKind, VariableDeclarationKind, type SourceFileStructure } from "ts-morph";
import type { ApiModel } from "../model/index.js";
import { generatedFile, literal, propertyKey, type EmitContext } from "./common.js";

export function idempotencyFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const keyed = model.operations.filter((op) => op.idempotency);
  return generatedFile(ctx, [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: ["IdempotencyDescriptor"],
    },
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [
        "Operations that accept an idempotency key: where the key goes and how long the server remembers it. The runtime sends one key per logical call and reuses it on every retry.",
      ],
      declarations: [
        {
          name: "idempotency",
          initializer: (writer) => {
            writer
              .write("{")
              .newLine()
              .indent(() => {
                for (const op of keyed) writer.writeLine(`${propertyKey(op.key)}: ${literal(op.idempotency)},`);
              });
            writer.write("} as const satisfies Record<string, IdempotencyDescriptor>");
          },
        },
      ],
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "IdempotentOperation",
      docs: ["Keys of `operationDescriptors` whose operations accept an idempotency key."],
      type: keyed.length ? "keyof typeof idempotency" : "never",
    },
  ]);
}
