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
  return result.bundle.parsed as OpenAPIDocument;
}
