// Stages 6 and 7 (emit, format) in a worker thread: loading ts-morph's bundled TypeScript and prettier takes
// longer than linting and typing a small spec, so the worker starts with the run and loads them meanwhile.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { EmitContext } from "./emit/index.js";
import { PipelineError } from "./errors.js";
import type { ApiModel } from "./model/index.js";
import type { RenderReply, RenderRequest } from "./render-worker.js";

export interface Rendered {
  files: Map<string, string>;
  emitMs: number;
  formatMs: number;
}

interface Renderer {
  worker: Worker;
  pending: Map<number, { resolve(reply: RenderReply): void; reject(error: Error): void }>;
  nextId: number;
}

let renderer: Renderer | undefined;

// The worker runs TypeScript sources like the main thread does, whatever started this process (tsx CLI,
// node --import tsx, vitest): a small bootstrap registers tsx's loader, then imports the worker module.
const TSX_API = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/esm/api/index.mjs")).href;
const WORKER_MODULE = new URL("./render-worker.ts", import.meta.url).href;
const BOOTSTRAP = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(WORKER_MODULE)}); });`;

function failAll(state: Renderer, error: Error): void {
  for (const waiter of state.pending.values()) waiter.reject(error);
  state.pending.clear();
  if (renderer === state) renderer = undefined;
}

/** Starts the worker (once per process) so it loads ts-morph and prettier while the earlier stages run. */
export function startRenderer(): void {
  if (renderer) return;
  const worker = new Worker(BOOTSTRAP, { eval: true, execArgv: [] });
  const state: Renderer = { worker, pending: new Map(), nextId: 0 };
  worker.on("message", (reply: RenderReply) => {
    state.pending.get(reply.id)?.resolve(reply);
    state.pending.delete(reply.id);
    if (state.pending.size === 0) worker.unref();
  });
  worker.on("error", (error) => failAll(state, error));
  worker.on("exit", (code) => failAll(state, new Error(`render worker exited with code ${code}`)));
  // An idle worker must not keep the process alive.
  worker.unref();
  renderer = state;
}

/** Emits the wrapper files from the model and formats them, in the worker. */
export async function renderWrappers(model: ApiModel, ctx: EmitContext): Promise<Rendered> {
  startRenderer();
  const state = renderer as Renderer;
  const id = state.nextId++;
  const reply = await new Promise<RenderReply>((resolve, reject) => {
    state.pending.set(id, { resolve, reject });
    state.worker.ref();
    state.worker.postMessage({ id, model, ctx } satisfies RenderRequest);
  }).catch((error: Error) => {
    throw new PipelineError(`emit stage failed: ${error.message.split("\n")[0]}`);
  });
  if ("failedStage" in reply) throw new PipelineError(`${reply.failedStage} stage failed: ${reply.error}`);
  return { files: new Map(reply.files), emitMs: reply.emitMs, formatMs: reply.formatMs };
}
