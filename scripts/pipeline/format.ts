// Stage 7: prettier over the emitted wrapper files only (schema.d.ts comes formatted from openapi-typescript).
import { format } from "prettier";

export const PRETTIER_OPTIONS = { parser: "typescript", printWidth: 120 } as const;

export async function formatFiles(files: Map<string, string>): Promise<Map<string, string>> {
  const entries = await Promise.all([...files].map(async ([name, text]) => [name, await format(text, PRETTIER_OPTIONS)] as const));
  return new Map(entries);
}
