// Stage 7: prettier over the emitted wrapper files only (schema.d.ts comes formatted from openapi-typescript).
import type { Options } from "prettier";

export const PRETTIER_OPTIONS = { parser: "typescript", printWidth: 120 } as const satisfies Options;

// ts-morph already writes consistently indented code; prettier only rewraps long lines, and on a large API
// (DigitalOcean's 600 kB of wrappers) it would cost more than the rest of the pipeline. Larger files stay as emitted.
export const FORMAT_LIMIT_BYTES = 64 * 1024;

export async function formatFiles(files: Map<string, string>): Promise<Map<string, string>> {
  const small = [...files].filter(([, text]) => text.length <= FORMAT_LIMIT_BYTES);
  // prettier takes ~0.2 s to load: skip the import when nothing needs it.
  const { format } = small.length ? await import("prettier") : { format: undefined };
  const entries = await Promise.all(
    [...files].map(
      async ([name, text]) =>
        [name, format && text.length <= FORMAT_LIMIT_BYTES ? await format(text, PRETTIER_OPTIONS) : text] as const,
    ),
  );
  return new Map(entries);
}
