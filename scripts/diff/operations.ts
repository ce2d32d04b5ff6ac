// Matches the operations (and webhooks) of two documents and compares each pair: parameters, bodies, responses, security.
import { makeChange, type DiffContext } from "./context.js";
import { compareDocs } from "./docs.js";
import { child, isObject, resolve, ROOT, stableJson, type Json, type Located } from "./pointer.js";
import { compareSchema } from "./schema.js";
import type { Change, Direction } from "./types.js";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export interface OperationRef {
  kind: "paths" | "webhooks";
  /** The path template, or the webhook's name. */
  path: string;
  method: string;
  id: string | undefined;
  pointer: string;
  node: Json;
  /** Parameters declared on the path item, shared by its operations. */
  shared: unknown;
}

export const operationLabel = (op: OperationRef) => op.id ?? `${op.method.toUpperCase()} ${op.path}`;
const where = (op: OperationRef) => `${op.kind === "webhooks" ? "webhook " : ""}${op.method.toUpperCase()} ${op.path}`;

export function listOperations(document: Json): OperationRef[] {
  const out: OperationRef[] = [];
  for (const kind of ["paths", "webhooks"] as const) {
    const items = isObject(document[kind]) ? document[kind] : {};
    for (const [path, raw] of Object.entries(items)) {
      const item = resolve(document, raw, child(ROOT, kind, path));
      if (!item) continue;
      for (const method of METHODS) {
        const op = resolve(document, item.node[method], child(item.pointer, method));
        if (!op) continue;
        const id = typeof op.node.operationId === "string" ? op.node.operationId : undefined;
        out.push({ kind, path, method, id, pointer: op.pointer, node: op.node, shared: item.node.parameters });
      }
    }
  }
  return out;
}

export interface OperationPair {
  base: OperationRef;
  head: OperationRef;
}

/** Pairs operations by operationId first, then by path and method; reports the unmatched as removed or added. */
export function matchOperations(
  base: OperationRef[],
  head: OperationRef[],
): { pairs: OperationPair[]; changes: Change[] } {
  const unmatched = new Set(head);
  const pairs: OperationPair[] = [];
  const changes: Change[] = [];
  const sameSlot = (a: OperationRef, b: OperationRef) =>
    a.kind === b.kind && a.path === b.path && a.method === b.method;
  for (const b of base) {
    const h =
      [...unmatched].find((x) => b.id !== undefined && x.id === b.id && x.kind === b.kind) ??
      [...unmatched].find((x) => sameSlot(b, x));
    if (!h) {
      changes.push(makeChange("operation-removed", b.pointer, `${where(b)} (${operationLabel(b)}) removed`));
      continue;
    }
    unmatched.delete(h);
    pairs.push({ base: b, head: h });
    if (!sameSlot(b, h))
      changes.push(
        makeChange("operation-moved", h.pointer, `${operationLabel(h)} moved from ${where(b)} to ${where(h)}`),
      );
    else if (b.id !== h.id)
      changes.push(
        makeChange(
          "operation-renamed",
          h.pointer,
          `operationId of ${where(h)} changed: ${b.id ?? "none"} → ${h.id ?? "none"}`,
        ),
      );
  }
  for (const h of unmatched)
    changes.push(makeChange("operation-added", h.pointer, `${where(h)} (${operationLabel(h)}) added`));
  return { pairs, changes };
}

/** Every change inside one matched pair of operations. */
export function compareOperation(ctx: DiffContext, { base, head }: OperationPair): Change[] {
  // Webhook payloads flow to the SDK user, like responses; their own answer is not typed by the SDK.
  const direction: Direction = head.kind === "webhooks" ? "response" : "request";
  const out = [...compareDocs(base.node, head.node, head.pointer, ["summary", "description", "externalDocs", "tags"])];
  if (base.node.deprecated !== true && head.node.deprecated === true)
    out.push(
      makeChange("operation-deprecated", child(head.pointer, "deprecated"), `${operationLabel(head)} deprecated`),
    );
  out.push(...compareSecurity(ctx, base, head));
  out.push(...compareParameters(ctx, direction, base, head));
  out.push(...compareRequestBody(ctx, direction, base, head));
  if (head.kind === "paths") out.push(...compareResponses(ctx, base, head));
  return out;
}

/** One security requirement as order-free text: its scheme names with their sorted scopes. */
function requirementText(requirement: unknown): string {
  if (!isObject(requirement)) return stableJson(requirement);
  const scopes = Object.entries(requirement).map(([scheme, list]) => [
    scheme,
    Array.isArray(list) ? [...list].sort() : list,
  ]);
  return stableJson(Object.fromEntries(scopes));
}

/** An operation's effective requirements (its own, else the document's), alternatives sorted; "none" when open. */
function requirements(document: Json, op: OperationRef): string {
  const own = op.node.security;
  const list = Array.isArray(own) ? own : Array.isArray(document.security) ? document.security : [];
  return list.map(requirementText).sort().join(" or ") || "none";
}

function compareSecurity(ctx: DiffContext, base: OperationRef, head: OperationRef): Change[] {
  const before = requirements(ctx.base, base);
  const after = requirements(ctx.head, head);
  if (before === after) return [];
  const at =
    Array.isArray(head.node.security) || Array.isArray(base.node.security)
      ? child(head.pointer, "security")
      : child(ROOT, "security");
  return [makeChange("security-changed", at, `security of ${operationLabel(head)}: ${before} → ${after}`)];
}

/** Path-item parameters overridden by the operation's own, keyed by location and name (header names ignore case). */
function parameters(document: Json, op: OperationRef): Map<string, Located> {
  const out = new Map<string, Located>();
  const itemPointer = op.pointer.slice(0, op.pointer.lastIndexOf("/"));
  const lists: [unknown, string][] = [
    [op.shared, child(itemPointer, "parameters")],
    [op.node.parameters, child(op.pointer, "parameters")],
  ];
  for (const [list, at] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const param = resolve(document, raw, child(at, i));
      if (!param || typeof param.node.name !== "string") return;
      const location = String(param.node.in);
      out.set(`${location} ${location === "header" ? param.node.name.toLowerCase() : param.node.name}`, param);
    });
  }
  return out;
}

function compareParameters(ctx: DiffContext, direction: Direction, base: OperationRef, head: OperationRef): Change[] {
  const before = parameters(ctx.base, base);
  const after = parameters(ctx.head, head);
  const out: Change[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const h = after.get(key);
    const name = `${direction === "response" ? "webhook " : ""}${key.replace(" ", " parameter `")}\` of ${operationLabel(head)}`;
    if (b && !h) out.push(makeChange("parameter-removed", b.pointer, `${name} removed`));
    else if (!b && h) {
      const required = h.node.required === true && direction === "request";
      out.push(
        makeChange(
          required ? "parameter-added-required" : "parameter-added-optional",
          h.pointer,
          `${name} added as ${h.node.required === true ? "required" : "optional"}`,
        ),
      );
    } else if (b && h) {
      out.push(...compareDocs(b.node, h.node, h.pointer, ["description", "example", "examples"]));
      if (direction === "request" && b.node.required !== true && h.node.required === true)
        out.push(makeChange("parameter-made-required", h.pointer, `${name} made required`));
      if (direction === "request" && b.node.required === true && h.node.required !== true)
        out.push(makeChange("parameter-made-optional", h.pointer, `${name} made optional`));
      out.push(
        ...compareSchema(
          ctx,
          direction,
          b.node.schema,
          child(b.pointer, "schema"),
          h.node.schema,
          child(h.pointer, "schema"),
        ),
      );
    }
  }
  return out;
}

function compareRequestBody(ctx: DiffContext, direction: Direction, base: OperationRef, head: OperationRef): Change[] {
  const b = resolve(ctx.base, base.node.requestBody, child(base.pointer, "requestBody"));
  const h = resolve(ctx.head, head.node.requestBody, child(head.pointer, "requestBody"));
  const label = operationLabel(head);
  if (direction === "request") {
    if (b && !h) return [makeChange("request-body-removed", b.pointer, `request body of ${label} removed`)];
    if (!b && h) {
      const required = h.node.required === true;
      return [
        makeChange(
          required ? "request-body-added-required" : "request-body-added-optional",
          h.pointer,
          `request body of ${label} added as ${required ? "required" : "optional"}`,
        ),
      ];
    }
  }
  if (!b || !h) return [];
  const out = compareDocs(b.node, h.node, h.pointer, ["description"]);
  if (direction === "request" && b.node.required !== true && h.node.required === true)
    out.push(makeChange("request-body-made-required", h.pointer, `request body of ${label} made required`));
  if (direction === "request" && b.node.required === true && h.node.required !== true)
    out.push(makeChange("request-body-made-optional", h.pointer, `request body of ${label} made optional`));
  out.push(...compareContent(ctx, direction, b, h, label));
  return out;
}

function compareContent(ctx: DiffContext, direction: Direction, b: Located, h: Located, label: string): Change[] {
  const before = isObject(b.node.content) ? b.node.content : {};
  const after = isObject(h.node.content) ? h.node.content : {};
  const out: Change[] = [];
  for (const type of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const bAt = child(b.pointer, "content", type);
    const hAt = child(h.pointer, "content", type);
    if (!(type in after))
      out.push(
        makeChange(`${direction}-media-type-removed`, bAt, `${direction} media type ${type} of ${label} removed`),
      );
    else if (!(type in before))
      out.push(makeChange(`${direction}-media-type-added`, hAt, `${direction} media type ${type} of ${label} added`));
    else if (isObject(before[type]) && isObject(after[type])) {
      out.push(...compareDocs(before[type], after[type], hAt, ["example", "examples"]));
      for (const key of ["schema", "itemSchema"])
        out.push(
          ...compareSchema(ctx, direction, before[type][key], child(bAt, key), after[type][key], child(hAt, key)),
        );
      out.push(...compareItemSchemaPresence(before[type], bAt, after[type], hAt, `${direction} ${type} of ${label}`));
    }
  }
  return out;
}

/** OpenAPI 3.2: a media type that gains an `itemSchema` gets typed items (a streaming method); losing it takes them away. */
function compareItemSchemaPresence(before: Json, bAt: string, after: Json, hAt: string, what: string): Change[] {
  if (before.itemSchema === undefined && after.itemSchema !== undefined)
    return [makeChange("item-schema-added", child(hAt, "itemSchema"), `itemSchema of ${what} added`)];
  if (before.itemSchema !== undefined && after.itemSchema === undefined)
    return [makeChange("item-schema-removed", child(bAt, "itemSchema"), `itemSchema of ${what} removed`)];
  return [];
}

function compareResponses(ctx: DiffContext, base: OperationRef, head: OperationRef): Change[] {
  const before = isObject(base.node.responses) ? base.node.responses : {};
  const after = isObject(head.node.responses) ? head.node.responses : {};
  const label = operationLabel(head);
  const out: Change[] = [];
  for (const status of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = resolve(ctx.base, before[status], child(base.pointer, "responses", status));
    const h = resolve(ctx.head, after[status], child(head.pointer, "responses", status));
    if (b && !h) out.push(makeChange("response-status-removed", b.pointer, `response ${status} of ${label} removed`));
    else if (!b && h) {
      const success = /^2/.test(status);
      out.push(
        makeChange(
          success ? "response-success-status-added" : "response-status-added",
          h.pointer,
          `response ${status} of ${label} added`,
        ),
      );
    } else if (b && h) {
      out.push(...compareDocs(b.node, h.node, h.pointer, ["description"]));
      out.push(...compareContent(ctx, "response", b, h, label));
    }
  }
  return out;
}
