// compareDocuments: every change between two bundled OpenAPI documents, classified and in a stable order.
import type { OpenAPIDocument } from "../pipeline/bundle.js";
import { buildModel } from "../pipeline/model/index.js";
import { createContext, makeChange } from "./context.js";
import { compareDocs } from "./docs.js";
import { compareOperation, listOperations, matchOperations, operationLabel, type OperationPair } from "./operations.js";
import { child, isObject, ROOT, stableJson, type Json } from "./pointer.js";
import type { Change, Severity } from "./types.js";
import { unclassifiedChanges } from "./unclassified.js";

const SEVERITY_ORDER: Record<Severity, number> = { breaking: 0, warning: 1, "non-breaking": 2 };

export function compareDocuments(base: Json, head: Json): Change[] {
  const ctx = createContext(base, head);
  const { pairs, changes } = matchOperations(listOperations(base), listOperations(head));
  for (const change of changes) change.operations.push(...operationsOf(change, base, head));
  const found = [...changes];
  for (const pair of pairs) {
    for (const change of compareOperation(ctx, pair)) {
      change.operations.push(operationLabel(pair.head));
      found.push(change);
    }
  }
  found.push(...compareSdkMethods(base, head, pairs));
  found.push(...compareComponentSchemas(base, head));
  found.push(...compareSecuritySchemes(base, head));
  found.push(...compareTopLevelDocs(base, head));
  found.push(...compareOpenapiVersion(base, head));
  const unique = deduplicate(found);
  // A moved operation is explained at its old place too.
  const movedFrom = pairs.filter((p) => p.base.pointer !== p.head.pointer).map((p) => p.base.pointer);
  return sortChanges([...unique, ...unclassifiedChanges(base, head, unique, movedFrom)]);
}

function operationsOf(change: Change, base: Json, head: Json): string[] {
  const op = [...listOperations(head), ...listOperations(base)].find((o) => o.pointer === change.pointer);
  return op ? [operationLabel(op)] : [];
}

/** The same finding reached from several operations (or twice from one) is reported once, naming them all. */
function deduplicate(changes: Change[]): Change[] {
  const byKey = new Map<string, Change>();
  for (const change of changes) {
    const key = `${change.rule}\u0000${change.pointer}\u0000${change.message}`;
    const kept = byKey.get(key);
    if (!kept) byKey.set(key, { ...change, operations: [...new Set(change.operations)] });
    else kept.operations = [...new Set([...kept.operations, ...change.operations])];
  }
  for (const change of byKey.values()) change.operations.sort();
  return [...byKey.values()];
}

export function sortChanges(changes: Change[]): Change[] {
  return [...changes].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.pointer.localeCompare(b.pointer) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

/** The generated method path (`techniques.runs.create`) of each API operation, keyed by method and path. */
function sdkMethods(document: Json): Map<string, string> | undefined {
  try {
    const model = buildModel(document as OpenAPIDocument);
    return new Map(
      model.operations.map((op) => [`${op.method} ${op.path}`, [...op.resourcePath, op.methodName].join(".")]),
    );
  } catch {
    return undefined; // a document the generator refuses has no SDK methods to compare; the other rules still apply
  }
}

function compareSdkMethods(base: Json, head: Json, pairs: OperationPair[]): Change[] {
  const before = sdkMethods(base);
  const after = sdkMethods(head);
  if (!before || !after) return [];
  return pairs.flatMap(({ base: b, head: h }) => {
    const was = before.get(`${b.method} ${b.path}`);
    const now = after.get(`${h.method} ${h.path}`);
    if (!was || !now || was === now) return [];
    const change = makeChange("sdk-method-renamed", h.pointer, `SDK method \`${was}\` is now \`${now}\``);
    change.operations.push(operationLabel(h));
    return [change];
  });
}

function section(document: Json, key: string): Json {
  const components = isObject(document.components) ? document.components : {};
  return isObject(components[key]) ? components[key] : {};
}

function compareComponentSchemas(base: Json, head: Json): Change[] {
  const before = section(base, "schemas");
  const after = section(head, "schemas");
  const removed = Object.keys(before).filter((name) => !(name in after));
  const added = Object.keys(after).filter((name) => !(name in before));
  return [
    ...removed.map((name) =>
      makeChange(
        "schema-removed",
        child(ROOT, "components", "schemas", name),
        `schema \`${name}\` removed (its model type goes too)`,
      ),
    ),
    ...added.map((name) =>
      makeChange("schema-added", child(ROOT, "components", "schemas", name), `schema \`${name}\` added`),
    ),
  ];
}

function withoutDescription(value: unknown): string {
  return stableJson(isObject(value) ? { ...value, description: undefined } : value);
}

function compareSecuritySchemes(base: Json, head: Json): Change[] {
  const before = section(base, "securitySchemes");
  const after = section(head, "securitySchemes");
  return Object.keys(before).flatMap((name) => {
    const at = child(ROOT, "components", "securitySchemes", name);
    if (!(name in after)) return [makeChange("security-scheme-changed", at, `security scheme \`${name}\` removed`)];
    if (withoutDescription(before[name]) !== withoutDescription(after[name]))
      return [makeChange("security-scheme-changed", at, `security scheme \`${name}\` changed`)];
    return isObject(before[name]) && isObject(after[name])
      ? compareDocs(before[name], after[name], at, ["description"])
      : [];
  });
}

function compareTopLevelDocs(base: Json, head: Json): Change[] {
  const info = (doc: Json) => (isObject(doc.info) ? { ...doc.info, version: undefined } : {});
  const out = compareDocs(
    { info: info(base), tags: base.tags, externalDocs: base.externalDocs },
    { info: info(head), tags: head.tags, externalDocs: head.externalDocs },
    ROOT,
    ["info", "tags", "externalDocs"],
  );
  return out.map((change) => ({ ...change, message: `top-level ${change.message}` }));
}

/** 3.1 → 3.2 changes how the document is written, not the API; what the new version lets it say is compared where it is said. */
function compareOpenapiVersion(base: Json, head: Json): Change[] {
  if (base.openapi === head.openapi) return [];
  const text = `OpenAPI version ${String(base.openapi)} → ${String(head.openapi)}`;
  return [makeChange("openapi-version-changed", child(ROOT, "openapi"), text)];
}
