// Stage 7: prettier over the emitted wrapper files only (schema.d.ts comes formatted from openapi-typescript).
import { createRequire } from "node:module";
import type { Options } from "prettier";

/**
 * `embeddedLanguageFormatting: "off"`: code in tagged templates (gql`…`, css`…`) and in templates marked by a
 * language comment is left as written, as prettier's standalone build below does anyway without those languages'
 * plugins, so the output is the same as full prettier's with these options.
 */
export const PRETTIER_OPTIONS = {
  parser: "typescript",
  printWidth: 120,
  embeddedLanguageFormatting: "off",
} as const satisfies Options;

// ts-morph already writes consistently indented code; prettier only rewraps long lines, and on a large API
// (DigitalOcean's 600 kB of wrappers) it would cost more than the rest of the pipeline. Larger files stay as emitted.
export const FORMAT_LIMIT_BYTES = 64 * 1024;

/**
 * prettier's core with only the two plugins TypeScript needs (its parser, and the printer of estree), as CommonJS:
 * the same format() and, with PRETTIER_OPTIONS, the same output as `import("prettier")`, which loads every
 * language's plugin (without that option it would format embedded GraphQL, CSS and Markdown); and the files
 * scripts/code-cache.mjs compiles from a V8 code cache in the precompiled toolchain.
 */
function loadPrettier() {
  const load = createRequire(import.meta.url);
  const prettier = load("prettier/standalone") as typeof import("prettier/standalone");
  const plugins = [
    load("prettier/plugins/typescript") as typeof import("prettier/plugins/typescript"),
    load("prettier/plugins/estree") as typeof import("prettier/plugins/estree"),
  ];
  return (text: string) => prettier.format(text, { ...PRETTIER_OPTIONS, plugins });
}

export async function formatFiles(files: Map<string, string>): Promise<Map<string, string>> {
  const small = [...files].filter(([, text]) => text.length <= FORMAT_LIMIT_BYTES);
  // prettier takes ~0.1 s to load: skip it when nothing needs it.
  const format = small.length ? loadPrettier() : undefined;
  const entries = await Promise.all(
    [...files].map(
      async ([name, text]) => [name, format && text.length <= FORMAT_LIMIT_BYTES ? await format(text) : text] as const,
    ),
  );
  return new Map(entries);
}
