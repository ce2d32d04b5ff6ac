// Emits operations.ts: the runtime descriptor of every operation (method, path, parameters, body, response).
import { StructureKind, VariableDeclarationKind, type SourceFileStructure } from "ts-morph";
import type { OperationDescriptor } from "../../../src/runtime/types.js";
import type { ApiModel, OperationModel } from "../model/index.js";
import { generatedFile, propertyKey, type EmitContext } from "./common.js";

function descriptor(op: OperationModel): Omit<OperationDescriptor, "idempotency"> {
  return {
    id: op.id,
    method: op.method,
    path: op.path,
    pathParams: op.pathParams.map((p) => p.name),
    queryParams: op.queryParams.map((p) => p.name),
    headerParams: op.headerParams.map((p) => p.name),
    ...(op.requestBody
      ? { requestBody: { contentType: op.requestBody.contentType, required: op.requestBody.required } }
      : {}),
    response: op.response,
    ...(op.responseShape ? { responseShape: op.responseShape } : {}),
    ...(op.streaming ? { streaming: true } : {}),
    ...(op.eventStream ? { eventData: op.eventStream.data } : {}),
  };
}

export function operationsFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const usesIdempotency = model.operations.some((op) => op.idempotency);
  return generatedFile(ctx, [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: ["OperationDescriptor"],
    },
    ...(usesIdempotency
      ? [
          {
            kind: StructureKind.ImportDeclaration as const,
            moduleSpecifier: "./idempotency.js",
            namedImports: ["idempotency"],
          },
        ]
      : []),
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Every operation of ${model.title} ${model.version}, as the runtime sends it.`.replace(/\*\//g, "*\\/")],
      declarations: [
        {
          name: "operationDescriptors",
          initializer: (writer) => {
            writer
              .write("{")
              .newLine()
              .indent(() => {
                for (const op of model.operations) {
                  const body = JSON.stringify(descriptor(op));
                  const idem = op.idempotency ? `, idempotency: idempotency.${op.key}` : "";
                  writer.writeLine(`${propertyKey(op.key)}: ${body.slice(0, -1)}${idem}},`);
                }
              });
            writer.write("} as const satisfies Record<string, OperationDescriptor>");
          },
        },
      ],
    },
  ]);
}
