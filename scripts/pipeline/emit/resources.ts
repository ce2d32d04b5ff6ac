// Emits resources.ts: typed wrappers grouped by resource (`techniques.runs.create`) and the types they use.
import { StructureKind, type CodeBlockWriter, type SourceFileStructure, type StatementStructures } from "ts-morph";
import type { ApiModel, EventStreamModel, OperationModel, PaginationModel } from "../model/index.js";
import { isFixedMethod } from "../model/methods.js";
import { docLines, docText, generatedFile, index, literal, member, propertyKey, type EmitContext } from "./common.js";

interface ResourceNode {
  children: Map<string, ResourceNode>;
  operations: OperationModel[];
}

function resourceTree(operations: OperationModel[]): ResourceNode {
  const root: ResourceNode = { children: new Map(), operations: [] };
  for (const op of operations) {
    let node = root;
    for (const segment of op.resourcePath) {
      if (!node.children.has(segment)) node.children.set(segment, { children: new Map(), operations: [] });
      node = node.children.get(segment) as ResourceNode;
    }
    node.operations.push(op);
  }
  return root;
}

const opType = (op: OperationModel) => `${op.typeStem}Operation`;

function bodyType(op: OperationModel): string | undefined {
  if (!op.requestBody) return undefined;
  const { contentType } = op.requestBody;
  if (/^application\/octet-stream|^(image|audio|video)\//i.test(contentType)) return "BinaryBody";
  const declared = `NonNullable<${opType(op)}["requestBody"]>["content"]${index(contentType)}`;
  if (!/^multipart\//i.test(contentType)) return declared;
  const files = op.requestBody.fileFields?.map((name) => JSON.stringify(name)).join(" | ");
  return `MultipartBody<${declared}, ${files || "never"}>`;
}

function responseType(op: OperationModel): string {
  if (op.response === "empty") return "void";
  if (op.response === "event-stream") return "Response";
  if (op.response === "binary") return "Blob";
  if (op.response === "text") return "string";
  const parts = op.successResponses
    .filter((r) => r.mediaType)
    .map((r) => `${opType(op)}["responses"]${index(r.status)}["content"]${index(r.mediaType as string)}`);
  return [...new Set(parts)].join(" | ") || "unknown";
}

function paramsType(op: OperationModel): { type: string; required: boolean } | undefined {
  const members: string[] = [];
  let required = false;
  for (const [where, list] of [
    ["query", op.queryParams],
    ["header", op.headerParams],
    ["cookie", op.cookieParams],
  ] as const) {
    if (list.length === 0) continue;
    const need = list.some((p) => p.required);
    required ||= need;
    let type = `NonNullable<${opType(op)}["parameters"]["${where}"]>`;
    if (where === "header" && op.idempotency) type = `Omit<${type}, ${JSON.stringify(op.idempotency.header)}>`;
    members.push(`${where}${need ? "" : "?"}: ${type}`);
  }
  return members.length ? { type: `{ ${members.join("; ")} }`, required } : undefined;
}

/** Whether type text indexes into the type `name` (`name[…]`, not `OtherName[…]`): each use of an alias does. */
function indexesInto(name: string, text: string): boolean {
  return new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}\\[`).test(text);
}

const typeText = (statement: StatementStructures) =>
  "type" in statement && typeof statement.type === "string" ? statement.type : "";

function typeStatements(model: ApiModel): StatementStructures[] {
  const out: StatementStructures[] = [];
  for (const op of model.operations) {
    const own = operationTypeStatements(op);
    // `<Stem>Operation` only where something indexes into it: an unused alias fails `noUnusedLocals`.
    if ([...own.map(typeText), ...signature(op).args].some((text) => indexesInto(opType(op), text))) {
      // openapi-typescript types only the eight fixed methods; the types stage adds the rest as `additionalOperations`
      const root = isFixedMethod(op.method) ? "paths" : "additionalOperations";
      out.push({
        kind: StructureKind.TypeAlias,
        name: opType(op),
        type: `${root}${index(op.path)}${index(op.method)}`,
      });
    }
    out.push(...own);
  }
  return out;
}

/** The exported types of one operation: `<Stem>Body`, `<Stem>Params`, `<Stem>Response`, stream and item types. */
function operationTypeStatements(op: OperationModel): StatementStructures[] {
  const out: StatementStructures[] = [];
  const body = bodyType(op);
  if (body)
    out.push({
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: `${op.typeStem}Body`,
      docs: [`Request body of \`${op.id}\`.`],
      type: body,
    });
  const params = paramsType(op);
  if (params)
    out.push({
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: `${op.typeStem}Params`,
      docs: [`Query, header and cookie parameters of \`${op.id}\`.`],
      type: params.type,
    });
  out.push({
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: `${op.typeStem}Response`,
    docs: [`What \`${op.id}\` resolves with.`],
    type: responseType(op),
  });
  out.push(...streamTypeStatements(op));
  if (op.pagination) out.push(itemTypeStatement(op, op.pagination));
  return out;
}

/** `<Stem>Item`: one element of the items array of the response schema the pagination was read from. */
function itemTypeStatement(op: OperationModel, pagination: PaginationModel): StatementStructures {
  let type = `${opType(op)}["responses"]${index(pagination.status)}["content"]${index(pagination.mediaType)}`;
  for (const key of pagination.items) type = `NonNullable<${type}>${index(key)}`;
  return {
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: `${op.typeStem}Item`,
    docs: [`One item of the pages \`${op.id}\` walks.`],
    type: `NonNullable<${type}>[number]`,
  };
}

/** The runtime's PaginationDescriptor as a literal, without the model-only fields. */
function paginationLiteral({
  status: _status,
  mediaType: _mediaType,
  limitParam: _limitParam,
  ...descriptor
}: PaginationModel): string {
  return literal(descriptor);
}

/** `<Stem>StreamData` and `<Stem>StreamEvent`, from the itemSchema types the types stage writes beside `paths`. */
function streamTypeStatements(op: OperationModel): StatementStructures[] {
  const stream = op.eventStream;
  if (!stream) return [];
  const item = `itemSchemas${index(op.path)}${index(op.method)}${index(stream.status)}${index(stream.mediaType)}`;
  const id = op.id;
  return [
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: `${op.typeStem}StreamData`,
      docs: [
        `The \`data\` of each event \`${id}\` streams${stream.data === "json" ? ", parsed from JSON" : typeof stream.data === "object" ? ", parsed from JSON for the event names whose data is JSON" : ""}.`,
      ],
      type: `${item}["data"]`,
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: `${op.typeStem}StreamEvent`,
      docs: [
        stream.union
          ? `One event \`${id}\` streams: one of its \`itemSchema\`'s event shapes, each with its own \`data\` (checking \`event\` narrows it).`
          : `One event \`${id}\` streams, as its \`itemSchema\` describes it, with \`data\` as \`${op.typeStem}StreamData\`.`,
      ],
      // a oneOf of event shapes is typed as their union, which `Omit` would collapse
      type: stream.union ? `${item}["event"]` : `Omit<${item}["item"], "data"> & { data: ${op.typeStem}StreamData }`,
    },
  ];
}

function writeDoc(writer: CodeBlockWriter, op: OperationModel, lead?: string): void {
  const tags = [
    ...op.pathParams.map(
      (p) => `@param ${p.identifier} - ${docLines(p.description) || `Path parameter \`${p.name}\`.`}`,
    ),
    ...(op.requestBody ? [`@param body - ${docLines(op.requestBody.description) || "Request body."}`] : []),
    ...(paramsType(op)
      ? [
          [
            "@param params - Query, header and cookie parameters:",
            ...[...op.queryParams, ...op.headerParams, ...op.cookieParams].map(
              (p) => `- \`${p.name}\`${p.description ? `: ${docLines(p.description)}` : ""}`,
            ),
          ].join("\n"),
        ]
      : []),
    `@param options - Per-call options: ${op.idempotency ? "idempotency key, " : ""}signal, timeout, retries, headers.`,
    ...(op.deprecated ? ["@deprecated"] : []),
    `@see ${op.method.toUpperCase()} ${op.path}`,
  ];
  const text = [docLines(lead, op.summary, op.description), tags.join("\n")].filter(Boolean).join("\n\n");
  writer.writeLine("/**");
  for (const line of docText(text).split("\n")) writer.writeLine(line ? ` * ${line}` : " *");
  writer.writeLine(" */");
}

/** `name: identifier` in the path object; a `__proto__` key is computed, or it would set the object's prototype. */
function pathEntry(p: OperationModel["pathParams"][number]): string {
  if (p.name === "__proto__") return `["__proto__"]: ${p.identifier}`;
  return p.identifier === p.name ? p.name : `${propertyKey(p.name)}: ${p.identifier}`;
}

/** The wrapper's parameter list and the arguments it hands the runtime. */
function signature(op: OperationModel): { args: string[]; call: string[] } {
  const params = paramsType(op);
  const args: string[] = op.pathParams.map(
    (p) => `${p.identifier}: ${p.specTyped ? `${opType(op)}["parameters"]["path"]${index(p.name)}` : "string"}`,
  );
  const later = Boolean(params?.required);
  if (op.requestBody)
    args.push(
      op.requestBody.required || later
        ? `body: ${op.typeStem}Body${op.requestBody.required ? "" : " | undefined"}`
        : `body?: ${op.typeStem}Body`,
    );
  if (params) args.push(params.required ? `params: ${op.typeStem}Params` : `params?: ${op.typeStem}Params`);
  args.push("options?: RequestOptions");

  // `...params` rather than `query: params?.query`: a property set to undefined is not an absent one under
  // `exactOptionalPropertyTypes`, and the runtime's OperationArgs declares them absent-or-object. It goes first, so
  // a key the type does not allow (from untyped callers) cannot replace `path` or `body`.
  const call = [
    ...(params ? ["...params"] : []),
    ...(op.pathParams.length ? [`path: { ${op.pathParams.map(pathEntry).join(", ")} }`] : []),
    ...(op.requestBody ? ["body"] : []),
  ];
  return { args, call };
}

function writeMethod(writer: CodeBlockWriter, op: OperationModel): void {
  const { args, call } = signature(op);
  const descriptor = `operationDescriptors${member(op.key)}`;
  if (op.pagination) {
    const { style, param, limitParam } = op.pagination;
    const size = limitParam ? `; \`${limitParam}\` sets the page size` : "";
    const lead = `Awaiting the result gives the first page; \`for await\` over it walks every item of every page (\`${style}\` pagination on \`${param}\`${size}), and \`.pages()\` yields whole pages, each requested only when needed.`;
    writeDoc(writer, op, lead);
    writer.writeLine(
      `${propertyKey(op.methodName)}(${args.join(", ")}): PagePromise<${op.typeStem}Response, ${op.typeStem}Item> {`,
    );
    writer.indent(() =>
      writer.writeLine(
        `return invoker.paginate(${descriptor}, { ${call.join(", ")} }, options, ${paginationLiteral(op.pagination as PaginationModel)});`,
      ),
    );
    writer.writeLine("},");
    return;
  }
  writeDoc(writer, op);
  writer.writeLine(`${propertyKey(op.methodName)}(${args.join(", ")}): Promise<${op.typeStem}Response> {`);
  writer.indent(() => writer.writeLine(`return invoker.invoke(${descriptor}, { ${call.join(", ")} }, options);`));
  writer.writeLine("},");
  if (op.eventStream) writeStreamMethod(writer, op, op.eventStream, { args, call });
}

/** The streaming twin of an operation with an itemSchema event stream: the same arguments, typed events out. */
function writeStreamMethod(
  writer: CodeBlockWriter,
  op: OperationModel,
  stream: EventStreamModel,
  { args, call }: { args: string[]; call: string[] },
): void {
  const lead = `Sends \`${op.id}\` and yields each event of its \`${stream.mediaType}\` answer as \`${op.typeStem}StreamEvent\`, typed from the spec's \`itemSchema\`. An answer that is not an event stream throws a MalformedResponseError; breaking out of the loop cancels the stream.`;
  writeDoc(writer, op, lead);
  writer.writeLine(
    `${propertyKey(stream.methodName)}(${args.join(", ")}): AsyncGenerator<${op.typeStem}StreamEvent, void, undefined> {`,
  );
  writer.indent(() =>
    writer.writeLine(
      `return invoker.stream<${op.typeStem}StreamEvent>(operationDescriptors${member(op.key)}, { ${call.join(", ")} }, options);`,
    ),
  );
  writer.writeLine("},");
}

function writeNode(writer: CodeBlockWriter, node: ResourceNode): void {
  writer
    .write("{")
    .newLine()
    .indent(() => {
      for (const op of node.operations) writeMethod(writer, op);
      for (const [name, child] of node.children) {
        writer.write(`${propertyKey(name)}: `);
        writeNode(writer, child);
        writer.write(",").newLine();
      }
    });
  writer.write("}");
}

export function resourcesFile(model: ApiModel, ctx: EmitContext): SourceFileStructure {
  const needsBinary = model.operations.some((op) => bodyType(op) === "BinaryBody");
  const needsMultipart = model.operations.some((op) => bodyType(op)?.startsWith("MultipartBody<"));
  const paginates = model.operations.some((op) => op.pagination);
  const calls = model.operations.length > 0;
  const types = typeStatements(model);
  // Only the schema.ts types something here indexes into (an unused import fails `noUnusedLocals`).
  const schemaImports = ["additionalOperations", "itemSchemas", "paths"].filter((name) =>
    types.some((statement) => indexesInto(name, typeText(statement))),
  );
  return generatedFile(ctx, [
    {
      kind: StructureKind.ImportDeclaration,
      isTypeOnly: true,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: ["OperationInvoker", ...(paginates ? ["PagePromise"] : []), ...(calls ? ["RequestOptions"] : [])],
    },
    ...(calls
      ? [
          {
            kind: StructureKind.ImportDeclaration as const,
            moduleSpecifier: "./operations.js",
            namedImports: ["operationDescriptors"],
          },
        ]
      : []),
    ...(schemaImports.length
      ? [
          {
            kind: StructureKind.ImportDeclaration as const,
            isTypeOnly: true,
            moduleSpecifier: "./schema.js",
            namedImports: schemaImports,
          },
        ]
      : []),
    ...(needsBinary
      ? [
          {
            kind: StructureKind.TypeAlias as const,
            isExported: true,
            name: "BinaryBody",
            docs: [
              "A raw request body. A ReadableStream is streamed and sent once: a call with one is never retried (one with a Blob or ArrayBuffer may be).",
            ],
            type: "Blob | ArrayBuffer | Uint8Array | string | ReadableStream<Uint8Array>",
          },
        ]
      : []),
    ...(needsMultipart
      ? [
          {
            kind: StructureKind.TypeAlias as const,
            isExported: true,
            name: "MultipartBody",
            typeParameters: ["T", "Files extends PropertyKey"],
            docs: [
              "A multipart body: each of its `Files` (`format: binary`, which OpenAPI types as a string), or each item of such an array, may also be a Blob.",
            ],
            type: "{ [K in keyof T]: K extends Files ? (T[K] extends readonly (infer I)[] | undefined ? (I | Blob)[] | Extract<T[K], undefined> : T[K] | Blob) : T[K] }",
          },
        ]
      : []),
    ...types,
    {
      kind: StructureKind.Function,
      isExported: true,
      name: "createResources",
      docs: [`The typed operations of ${model.title}, grouped by resource, each sent through \`invoker\`.`],
      // A spec without operations (webhooks only) leaves the invoker unused: `_` keeps `noUnusedParameters` quiet.
      parameters: [{ name: calls ? "invoker" : "_invoker", type: "OperationInvoker" }],
      statements: (writer) => {
        writer.write("return ");
        writeNode(writer, resourceTree(model.operations));
        writer.write(";");
      },
    },
    {
      kind: StructureKind.TypeAlias,
      isExported: true,
      name: "Resources",
      docs: ["Every resource and its typed methods."],
      type: "ReturnType<typeof createResources>",
    },
  ]);
}
