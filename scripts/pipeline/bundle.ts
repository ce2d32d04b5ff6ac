// Stage 3: join every $ref'd file into one in-memory document, from the files already loaded.
import { bundleDocument, createConfig, detectSpec, getTypes, type Config } from "@redocly/openapi-core";
import { PipelineError } from "./errors.js";
import { formatProblem } from "./lint.js";
import type { LoadedSpec } from "./load.js";
import { explainCircularRef } from "./ref-cycles.js";

export type OpenAPIDocument = Record<string, unknown> & { openapi: string };

let bundleConfig: Promise<Config> | undefined;

/** Returns the bundled document: local `#/components/...` refs only, no external files. */
export async function bundleSpec(spec: LoadedSpec): Promise<OpenAPIDocument> {
  bundleConfig ??= createConfig({});
  const config = await bundleConfig;
  const version = detectSpec(spec.document.parsed);
  const types = getTypes(version);
  const result = await bundleDocument({
    document: spec.document,
    config,
    types,
    externalRefResolver: spec.resolver,
    dereference: false,
  }).catch(async (error: unknown) => {
    throw await explainCircularRef(spec, error);
  });
  const errors = result.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    const lines = errors.map(formatProblem);
    throw new PipelineError(
      `cannot bundle the spec: ${errors.length} unresolved or broken reference(s)`,
      undefined,
      1,
      lines,
    );
  }
  const document = result.bundle.parsed as OpenAPIDocument;
  escapeBundledRefs(document);
  return document;
}

/**
 * Redocly's bundler names a component after the file it came from and points at it with that name as written:
 * `$ref: a%20b.yaml` (a file literally named so) becomes `#/components/schemas/a%20b`, which a JSON pointer in a URI
 * fragment reads as `a b` (RFC 6901 §6), so every later stage found nothing there. Such a ref gets its `%` escaped
 * (`a%2520b`) when the decoded reading names nothing and the literal one names a component. Only documents with a
 * `%` in a component's name are walked.
 */
function escapeBundledRefs(document: OpenAPIDocument): void {
  const components = document.components;
  if (!isRecord(components)) return;
  if (!Object.values(components).some((map) => isRecord(map) && Object.keys(map).some((name) => name.includes("%"))))
    return;
  const names = (segments: string[]) => {
    let node: unknown = document;
    for (const key of segments) node = isRecord(node) && Object.hasOwn(node, key) ? node[key] : undefined;
    return node !== undefined;
  };
  const unescape = (segment: string) => segment.replace(/~1/g, "/").replace(/~0/g, "~");
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) return node.forEach(visit);
    const ref = (node as Record<string, unknown>).$ref;
    if (typeof ref === "string" && ref.startsWith("#/components/") && ref.includes("%")) {
      const raw = ref.slice(2).split("/");
      let decoded: string[] | undefined;
      try {
        decoded = raw.map((segment) => unescape(decodeURIComponent(segment)));
      } catch {
        // a malformed escape (`100%.yaml`): only the literal reading is left
      }
      if (!(decoded && names(decoded)) && names(raw.map(unescape)))
        (node as Record<string, unknown>).$ref = `#/${raw.map((segment) => segment.replace(/%/g, "%25")).join("/")}`;
    }
    Object.values(node).forEach(visit);
  };
  visit(document);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
