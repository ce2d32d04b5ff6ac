// The spec the API reference renders: openapi/flora.yaml bundled into one document, with a TypeScript and a curl
// sample on every operation (./code-samples.ts). The source file is only read.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenAPIDocument } from "../pipeline/bundle.js";
import { bundleSpec } from "../pipeline/bundle.js";
import { loadSpec } from "../pipeline/load.js";
import { buildModel, type ApiModel } from "../pipeline/model/index.js";
import { DEFAULT_SPEC, REPO_ROOT } from "../pipeline/run.js";
import { addCodeSamples, type CodeSampleOptions } from "./code-samples.js";

export interface ReferenceSpec {
  /** The bundled spec with `x-codeSamples` on every operation. */
  document: OpenAPIDocument;
  /** The model the samples were written from. */
  model: ApiModel;
  /** Every sample's language, in order, for Redoc's `codeSamples.languages`. */
  languages: { lang: string; label: string }[];
}

/** Flora's samples call the Flora client, which reads `FLORA_API_KEY` itself (curl reads the same variable: `x-sdk-env-prefix: FLORA`). */
export function floraSampleOptions(): CodeSampleOptions {
  const { name } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { name: string };
  return {
    client: {
      imports: `import { Flora } from ${JSON.stringify(name)};`,
      setup: "const flora = new Flora();",
      variable: "flora",
    },
  };
}

export async function buildReferenceSpec(spec = join(REPO_ROOT, DEFAULT_SPEC)): Promise<ReferenceSpec> {
  const document = await bundleSpec(await loadSpec(spec));
  const model = buildModel(document);
  const samples = await addCodeSamples(document, model, floraSampleOptions());
  return { document: samples.document, model, languages: samples.languages };
}
