// Names a $ref chain that leads back to itself, which Redocly's resolver only reports as "Self-referencing circular pointer".
import {
  escapePointerFragment,
  getLineColLocation,
  unescapePointerFragment,
  type Document,
} from "@redocly/openapi-core";
import { PipelineError } from "./errors.js";
import { displayPath, type LoadedSpec } from "./load.js";

/** Redocly's message for a $ref chain that never reaches a definition. */
export const CIRCULAR_POINTER = "Self-referencing circular pointer";

interface RefNode {
  document: Document;
  segments: string[];
  ref: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const keyOf = (node: RefNode) =>
  `${node.document.source.absoluteRef}#/${node.segments.map((s) => escapePointerFragment(s)).join("/")}`;

/**
 * Rethrows Redocly's circular-pointer error as a PipelineError at the file:line:col of the $ref that closes the
 * cycle, naming the chain; any other error is returned as it was.
 */
export async function explainCircularRef(spec: LoadedSpec, error: unknown): Promise<unknown> {
  if (!(error instanceof Error) || error.message !== CIRCULAR_POINTER) return error;
  return (
    (await findRefCycle(spec)) ??
    new PipelineError(`circular $ref: a chain of $refs leads back to itself (${CIRCULAR_POINTER})`, {
      file: displayPath(spec.file),
    })
  );
}

/** Follows every $ref object in the loaded files, root first, and describes the first chain that revisits a $ref. */
export async function findRefCycle(spec: LoadedSpec): Promise<PipelineError | undefined> {
  const documents = [spec.document];
  for (const loaded of spec.resolver.cache.values()) {
    const document = await loaded.catch(() => undefined);
    if (document && !(document instanceof Error) && !documents.includes(document as Document))
      documents.push(document as Document);
  }
  for (const document of documents) {
    for (const start of refNodesIn(document)) {
      const chain = [start];
      for (let at = start; ;) {
        const next = await refTarget(spec, at);
        if (!next) break;
        const seen = chain.findIndex((node) => keyOf(node) === keyOf(next));
        if (seen !== -1) return cycleError(at, [...chain.slice(seen), next]);
        chain.push(next);
        at = next;
      }
    }
  }
  return undefined;
}

/** Every object with a string `$ref` in a parsed file, in document order (an explicit stack: specs nest deep). */
function refNodesIn(document: Document): RefNode[] {
  const found: RefNode[] = [];
  const stack: { value: unknown; segments: string[] }[] = [{ value: document.parsed, segments: [] }];
  while (stack.length) {
    const { value, segments } = stack.pop() as { value: unknown; segments: string[] };
    if (isObject(value) && typeof value.$ref === "string") found.push({ document, segments, ref: value.$ref });
    if (typeof value !== "object" || value === null) continue;
    const entries = Object.entries(value as object);
    for (const [key, child] of entries.reverse()) stack.push({ value: child, segments: [...segments, key] });
  }
  return found;
}

/** The $ref object a $ref points at, or undefined when it points at a definition, nowhere, or by anchor. */
async function refTarget(spec: LoadedSpec, node: RefNode): Promise<RefNode | undefined> {
  const hash = node.ref.indexOf("#");
  const uri = hash === -1 ? node.ref : node.ref.slice(0, hash);
  const fragment = hash === -1 ? "" : node.ref.slice(hash + 1);
  if (fragment && !fragment.startsWith("/")) return undefined;
  const loaded = uri
    ? await spec.resolver.resolveDocument(node.document.source.absoluteRef, uri).catch(() => undefined)
    : node.document;
  if (!loaded || loaded instanceof Error) return undefined;
  const document = loaded as Document;
  const segments = fragment.split("/").slice(1).map(unescapePointerFragment);
  let value: unknown = document.parsed;
  for (const segment of segments) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return isObject(value) && typeof value.$ref === "string" ? { document, segments, ref: value.$ref } : undefined;
}

function cycleError(closing: RefNode, cycle: RefNode[]): PipelineError {
  const file = closing.document.source.absoluteRef;
  const pointer = `#/${closing.segments.map((s) => escapePointerFragment(s)).join("/")}`;
  const { start } = getLineColLocation({ source: closing.document.source, pointer: `${pointer}/$ref` });
  // Targets in the closing $ref's own file read as plain pointers; others carry their file.
  const label = (node: RefNode) =>
    `${node.document.source.absoluteRef === file ? "" : displayPath(node.document.source.absoluteRef)}${keyOf(node).slice(node.document.source.absoluteRef.length)}`;
  return new PipelineError(
    `circular $ref: ${cycle.map(label).join(" → ")} (each $ref names the next; none reaches a definition)`,
    { file: displayPath(file), line: start.line, col: start.col },
  );
}
