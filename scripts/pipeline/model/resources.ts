// Places each operation in the resource tree (`techniques.runs.create`) and gives it unique names.
import { memberName, NamePool, pascalCase, camelCase, typeName, words } from "./names.js";
import type { OperationModel } from "./types.js";

type ReadOperation = Omit<OperationModel, "key" | "typeStem" | "resourcePath" | "methodName">;

// Leading segments that every path shares and that only version or mount the API (`/v2`, `/api`).
const MOUNT_SEGMENT = /^(v\d+([._-]\d+)*(alpha\d*|beta\d*)?|api|rest)$/i;

function staticSegments(path: string): string[] {
  return path.split("/").filter((s) => s && !/^\{.*\}$/.test(s));
}

function commonMount(paths: string[]): number {
  const split = paths.map((p) => p.split("/").filter(Boolean));
  let depth = 0;
  while (
    split.length > 0 &&
    split.every((s) => s.length > depth + 1 && s[depth] === split[0][depth] && MOUNT_SEGMENT.test(s[depth]))
  )
    depth++;
  return depth;
}

/** Stainless-style verbs: a collection is created and listed, an item retrieved, updated and deleted. */
function conventionalVerb(op: ReadOperation): string | undefined {
  const last = op.path.split("/").filter(Boolean).pop() ?? "";
  const onItem = /^\{.*\}$/.test(last);
  if (op.method === "post" && !onItem) return "create";
  if (op.method === "get") return onItem ? "retrieve" : "list";
  if ((op.method === "put" || op.method === "patch") && onItem) return "update";
  if (op.method === "delete" && onItem) return "delete";
  return undefined;
}

function fallbackVerb(op: ReadOperation): string {
  return memberName(
    op.idFromSpec ? op.id : `${op.method} ${staticSegments(op.path).slice(-1)[0] ?? "root"}`,
    op.method,
  );
}

function extension(op: ReadOperation, raw: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = raw?.[key];
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

/**
 * Settles every operation's resource path, method name, descriptor key and type stem.
 * `x-sdk-resource` (dotted) and `x-sdk-method` on an operation override the derivation.
 */
export function placeOperations(
  ops: ReadOperation[],
  rawOperations: (Record<string, unknown> | undefined)[],
): OperationModel[] {
  const mount = commonMount(ops.map((o) => o.path));
  const placed = ops.map((op, i) => {
    const custom = extension(op, rawOperations[i], "x-sdk-resource");
    const resourcePath = (custom ? custom.split(".") : staticSegments(op.path).slice(mount)).map((s) =>
      memberName(s, "root"),
    );
    const methodName = extension(op, rawOperations[i], "x-sdk-method") ?? conventionalVerb(op) ?? fallbackVerb(op);
    return { op, resourcePath, methodName: memberName(methodName) };
  });

  // A name two operations want in the same resource goes to neither: both fall back to their operationId.
  const slot = (p: { resourcePath: string[]; methodName: string }) => [...p.resourcePath, p.methodName].join(".");
  const counts = new Map<string, number>();
  for (const p of placed) counts.set(slot(p), (counts.get(slot(p)) ?? 0) + 1);
  for (const p of placed) if ((counts.get(slot(p)) ?? 0) > 1) p.methodName = fallbackVerb(p.op);

  // Methods never shadow a sub-resource, and still-colliding names get 2, 3… in spec order.
  const children = new Map<string, Set<string>>();
  for (const p of placed) {
    for (let d = 0; d < p.resourcePath.length; d++) {
      const parent = p.resourcePath.slice(0, d).join(".");
      if (!children.has(parent)) children.set(parent, new Set());
      (children.get(parent) as Set<string>).add(p.resourcePath[d]);
    }
  }
  const pools = new Map<string, NamePool>();
  for (const p of placed) {
    const parent = p.resourcePath.join(".");
    if (!pools.has(parent)) pools.set(parent, new NamePool(children.get(parent) ?? []));
    p.methodName = (pools.get(parent) as NamePool).claim(p.methodName);
  }
  // Streaming methods are named last, so adding an itemSchema never renames an existing method.
  const streamNames = placed.map((p) =>
    p.op.eventStream
      ? (pools.get(p.resourcePath.join(".")) as NamePool).claim(memberName(`${p.methodName} stream`))
      : undefined,
  );

  const keys = new NamePool();
  // `Binary` and `Multipart` would make `BinaryBody` and `MultipartBody`, emitted beside the per-operation types.
  const stems = new NamePool(["Binary", "Multipart"]);
  return placed.map(({ op, resourcePath, methodName }, i) => {
    const base = op.idFromSpec ? op.id : `${op.method} ${words(op.path).join(" ")}`;
    const key = keys.claim(camelCase(base) ? memberName(base) : `${op.method}Root`);
    const typeStem = stems.claim(typeName(pascalCase(key) || key));
    const eventStream = op.eventStream && { ...op.eventStream, methodName: streamNames[i] as string };
    return { ...op, resourcePath, methodName, key, typeStem, ...(eventStream ? { eventStream } : {}) };
  });
}
