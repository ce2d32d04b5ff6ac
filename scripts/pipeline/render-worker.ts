// Worker entry for render.ts: loads ts-morph and prettier once, then emits and formats each model it is sent.
import { parentPort } from "node:worker_threads";
import { emitWrappers, type EmitContext } from "./emit/index.js";
import { formatFiles } from "./format.js";
import type { ApiModel } from "./model/index.js";

export interface RenderRequest {
  id: number;
  model: ApiModel;
  ctx: EmitContext;
}

export type RenderReply =
  | { id: number; files: [string, string][]; emitMs: number; formatMs: number }
  | { id: number; failedStage: "emit" | "format"; error: string };

// Prettier loads its TypeScript parser on first use: pay that while the main thread lints and bundles.
const warm = formatFiles(new Map([["warm.ts", "export const warm = 1;\n"]])).catch(() => undefined);

parentPort?.on("message", async ({ id, model, ctx }: RenderRequest) => {
  await warm;
  let stage: "emit" | "format" = "emit";
  try {
    let started = performance.now();
    const emitted = emitWrappers(model, ctx);
    const emitMs = performance.now() - started;
    stage = "format";
    started = performance.now();
    const formatted = await formatFiles(emitted);
    parentPort?.postMessage({ id, files: [...formatted], emitMs, formatMs: performance.now() - started } satisfies RenderReply);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
    parentPort?.postMessage({ id, failedStage: stage, error: reason.split("\n")[0] } satisfies RenderReply);
  }
});
