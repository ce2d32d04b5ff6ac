// Stage 3: join every $ref'd file into one in-memory document, from the files already loaded.
import { bundleDocument, createConfig, detectSpec, getTypes, type Config } from "@redocly/openapi-core";
import { PipelineError } from "./errors.js";
import { formatProblem } from "./lint.js";
import type { LoadedSpec } from "./load.js";
import { isObject, pointerSegment } from "./model/refs.js";
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
  escapeBundledRefs(spec, document);
  return document;
}

/**
 * Redocly's bundler names a component after the file (or pointer) it came from, and points at it with that name as
 * written, unescaped (`#/components/schemas/${name}`). A JSON pointer in a URI fragment is URI-decoded, then `~1` and
 * `~0` are read (RFC 6901 §6), so a file named `a%20b.yaml` (component `a%20b`) was pointed at as "a b": another
 * file's component, or none; `a~1b.yaml` as "a/b". Each ref and discriminator mapping the bundler wrote to such a
 * name is escaped again (`a%2520b`, `a~01b`). What the bundler wrote is told by the root document as parsed before
 * bundling: a pointer it holds at the same place, with the same text, is the author's and is read as written. Only a
 * spec with a `%`, `~` or `/` in a component's name is parsed again and walked.
 */
function escapeBundledRefs(spec: LoadedSpec, document: OpenAPIDocument): void {
  const components = document.components;
  if (!isObject(components)) return;
  const special = /[%~/]/;
  if (!Object.values(components).some((group) => isObject(group) && Object.keys(group).some((n) => special.test(n))))
    return;
  // the bundler edits the parsed root in place: parse its text again, as the loader did
  const original = spec.resolver.parseDocument(spec.document.source, true).parsed as unknown;
  const authored = new Map<string, string>();
  // each object once, as the walk below does: a YAML alias shares a node, and both walks reach it first by one path
  const recorded = new Set<object>();
  const record = (node: unknown, path: string): void => {
    if (typeof node === "string") {
      if (node.startsWith("#")) authored.set(path, node);
    } else if (typeof node === "object" && node !== null && !recorded.has(node)) {
      recorded.add(node);
      for (const [key, value] of Object.entries(node)) record(value, `${path}/${pointerSegment(key)}`);
    }
  };
  record(original, "#");
  // `#/components/<type>/<name as written>` when the bundler wrote it: the properly escaped pointer to that name
  const escaped = (pointer: string, path: string): string | undefined => {
    const match = /^#\/components\/([^/]+)\/(.+)$/s.exec(pointer);
    if (!match || authored.get(path) === pointer) return undefined;
    const [, type, name] = match;
    const group = components[type];
    // the bundler's, whether it made the component or reused one the root defines (a root entry that $refs a file)
    if (!special.test(name) || !isObject(group) || !Object.hasOwn(group, name)) return undefined;
    return `#/components/${type}/${pointerSegment(name).replace(/%/g, "%25")}`;
  };
  const seen = new Set<object>();
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== "object" || node === null || seen.has(node)) return;
    seen.add(node);
    const object = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(object)) {
      const at = `${path}/${pointerSegment(key)}`;
      if (key === "$ref" && typeof value === "string") object.$ref = escaped(value, at) ?? value;
      else if (key === "discriminator" && isObject(value)) {
        if (typeof value.defaultMapping === "string")
          value.defaultMapping = escaped(value.defaultMapping, `${at}/defaultMapping`) ?? value.defaultMapping;
        const mapping = value.mapping;
        if (isObject(mapping))
          for (const [name, target] of Object.entries(mapping))
            if (typeof target === "string")
              mapping[name] = escaped(target, `${at}/mapping/${pointerSegment(name)}`) ?? target;
      }
      visit(value, at);
    }
  };
  visit(document, "#");
}
