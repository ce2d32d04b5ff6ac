// Emits operations.ts: the runtime descriptor of every operation (method, path, parameters, body, response).
import { StructureKind, VariableDeclarationKind, type SourceFileStructure } from "ts-morph";
import type { EncodingDescriptor, OperationDescriptor, ParameterEntry } from "../../../src/runtime/types.js";
import type { ApiModel, OperationModel, ParameterModel } from "../model/index.js";
import { defaultServerUrl } from "../model/servers.js";
import { generatedFile, jsonSource, propertyKey, verbatim, type EmitContext } from "./common.js";

/** The parameter's name alone when it is serialized the default way, else only what differs (one per operation, so kept short). */
function parameterEntry(p: ParameterModel): ParameterEntry {
  // a content parameter has no style: its media type says everything
  if (p.contentType !== undefined) return { name: p.name, contentType: p.contentType };
  const defaultStyle = p.in === "path" || p.in === "header" ? "simple" : "form";
  const entry = {
    name: p.name,
    ...(p.style !== defaultStyle ? { style: p.style } : {}),
    ...(p.explode !== (p.style === "form") ? { explode: p.explode } : {}),
    ...(p.allowReserved ? { allowReserved: true } : {}),
  };
  return Object.keys(entry).length === 1 ? p.name : entry;
}

/** An Encoding Object without what its own style implies; a style key stays, as it switches urlencoded fields from JSON to styles. */
function encodingEntry(encoding: EncodingDescriptor): EncodingDescriptor {
  const { style, explode, ...rest } = encoding;
  if (style === undefined && explode === undefined) return encoding;
  const styled = style ?? "form";
  return explode === undefined || explode === (styled === "form")
    ? { style: styled, ...rest }
    : { ...(styled !== "form" ? { style: styled } : {}), explode, ...rest };
}

/** `root`: the model's `security`; an operation's own is written only when it differs (Flora's never does). */
function descriptor(op: OperationModel, root: string[][] | undefined): Omit<OperationDescriptor, "idempotency"> {
  return {
    id: op.id,
    method: op.method,
    path: op.path,
    ...(op.servers ? { server: defaultServerUrl(op.servers[0]) } : {}),
    ...(op.security && JSON.stringify(op.security) !== JSON.stringify(root) ? { security: op.security } : {}),
    pathParams: op.pathParams.map(parameterEntry),
    queryParams: op.queryParams.map(parameterEntry),
    headerParams: op.headerParams.map(parameterEntry),
    ...(op.cookieParams.length ? { cookieParams: op.cookieParams.map(parameterEntry) } : {}),
    ...(op.requestBody
      ? {
          requestBody: {
            contentType: op.requestBody.contentType,
            required: op.requestBody.required,
            ...(op.requestBody.encoding
              ? {
                  encoding: Object.fromEntries(
                    Object.entries(op.requestBody.encoding).map(([field, e]) => [field, encodingEntry(e)]),
                  ),
                }
              : {}),
          },
        }
      : {}),
    response: op.response,
    ...(op.responseShape ? { responseShape: op.responseShape } : {}),
    ...(op.streaming ? { streaming: true } : {}),
    ...(op.eventStream ? { eventData: op.eventStream.data } : {}),
  };
}

/**
 * Response shapes that two or more operations share (e.g. one resource's create and retrieve), each written once
 * as a const the descriptors refer to: named `responseShape<N>` in order of first use, so the output is stable.
 */
function sharedShapes(model: ApiModel): Map<string, string> {
  const uses = new Map<string, number>();
  for (const op of model.operations) {
    if (!op.responseShape) continue;
    const json = JSON.stringify(op.responseShape);
    uses.set(json, (uses.get(json) ?? 0) + 1);
  }
  const shared = new Map<string, string>();
  for (const [json, count] of uses) if (count > 1) shared.set(json, `responseShape${shared.size}`);
  return shared;
}

export function operationsFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const usesIdempotency = model.operations.some((op) => op.idempotency);
  const shared = sharedShapes(model);
  return generatedFile(ctx, [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: shared.size > 0 ? ["OperationDescriptor", "ValueShape"] : ["OperationDescriptor"],
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
    ...[...shared].map(([json, name]) => ({
      kind: StructureKind.VariableStatement as const,
      docs: [
        `The response shape of ${model.operations
          .filter((op) => op.responseShape && JSON.stringify(op.responseShape) === json)
          .map((op) => op.id)
          .join(", ")}.`,
      ],
      declarationKind: VariableDeclarationKind.Const,
      declarations: [{ name, initializer: `${jsonSource(json)} as const satisfies ValueShape` }],
    })),
    {
      kind: StructureKind.VariableStatement,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Every operation of ${model.title} ${model.version}, as the runtime sends it.`],
      declarations: [
        {
          name: "operationDescriptors",
          initializer: (writer) => {
            writer
              .write("{")
              .newLine()
              .indent(() => {
                for (const op of model.operations) {
                  const fields = descriptor(op, model.security);
                  const shape = fields.responseShape && shared.get(JSON.stringify(fields.responseShape));
                  // a shared shape's place (its key keeps its order) holds a marker, swapped for the const's name
                  const marker = `@shared:${shape}@`;
                  const body = jsonSource(
                    shape
                      ? JSON.stringify({ ...fields, responseShape: marker }).replace(JSON.stringify(marker), shape)
                      : JSON.stringify(fields),
                  );
                  const idem = op.idempotency ? `, idempotency: idempotency.${op.key}` : "";
                  writer.writeLine(`${propertyKey(op.key)}: ${verbatim(body.slice(0, -1))}${idem}},`);
                }
              });
            writer.write("} as const satisfies Record<string, OperationDescriptor>");
          },
        },
      ],
    },
  ]);
}
