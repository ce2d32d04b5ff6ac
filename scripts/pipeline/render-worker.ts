// Worker for stages 6 and 7: loads ts-morph and prettier once, then emits and formats each model it is sent; for a
// small API it also compiles the types (stage 5), on the TypeScript it has loaded for ts-morph (see run.ts).
import type { OpenAPIDocument } from "./bundle.js";
import { emitWrappers, type EmitContext } from "./emit/index.js";
import { PipelineError } from "./errors.js";
import { formatFiles } from "./format.js";
import type { ApiModel } from "./model/index.js";
import { serveTasks } from "./workers.js";

/** Each file's last emitted text and what prettier made of it: `[name, emitted, formatted]`. */
export type FormatMemo = [string, string, string][];

export interface RenderRequest {
  model: ApiModel;
  ctx: EmitContext;
  /** When given, a file emitted exactly as in the memo is not formatted again, and `memo` comes back. */
  formatMemo?: FormatMemo;
}

export interface Rendered {
  files: [string, string][];
  emitMs: number;
  formatMs: number;
  /** How many files prettier saw this time (fewer than `files` when the memo had the rest). */
  formatted: number;
  /** The memo for the next request, when this one sent one. */
  memo?: FormatMemo;
}

export interface TypesRequest {
  document: OpenAPIDocument;
}

/** schema.d.ts's text. */
export interface Typed {
  types: string;
}

// Prettier loads its TypeScript parser on first use: pay that while the main thread lints and bundles.
const warm = formatFiles(new Map([["warm.ts", "export const warm = 1;\n"]])).catch(() => undefined);

async function inStage<T>(stage: string, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const reason =
      error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
    throw new PipelineError(`${stage} stage failed: ${reason}`);
  }
}

async function render({ model, ctx, formatMemo }: RenderRequest): Promise<Rendered> {
  await warm;
  let started = performance.now();
  const emitted = await inStage("emit", () => emitWrappers(model, ctx));
  const emitMs = performance.now() - started;
  started = performance.now();
  const known = new Map(formatMemo?.map(([name, from, to]) => [name, { from, to }]));
  const changed = new Map([...emitted].filter(([name, text]) => known.get(name)?.from !== text));
  const fresh = await inStage("format", () => formatFiles(changed));
  const rendered = [...emitted].map(([name, text]) => ({
    name,
    text,
    out: fresh.get(name) ?? known.get(name)?.to ?? text,
  }));
  const formatMs = performance.now() - started;
  // The functions emit and format compiled are now in TypeScript's and prettier's code cache: written on the first
  // run of a build (scripts/code-cache.mjs, installed when scripts/toolchain.mjs started this worker), else a no-op.
  (globalThis as { [key: symbol]: { flush(): void } | undefined })[Symbol.for("flora-sdk.code-cache")]?.flush();
  return {
    files: rendered.map(({ name, out }) => [name, out]),
    emitMs,
    formatMs,
    formatted: changed.size,
    memo: formatMemo && rendered.map(({ name, text, out }) => [name, text, out]),
  };
}

serveTasks<RenderRequest | TypesRequest, Rendered | Typed>(async (request) => {
  if (!("document" in request)) return render(request);
  // Loaded on the first such request: openapi-typescript, and TypeScript where ts-morph has not loaded it already.
  const { generateTypes } = await import("./types.js");
  return { types: await generateTypes(request.document) };
});
