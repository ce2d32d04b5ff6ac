// Emit and format run in a worker thread started with the run: loading ts-morph's bundled TypeScript and prettier
// then overlaps load, lint and bundle, and emitting overlaps the types stage on the main thread.
import { createRequire } from "node:module";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parentPort, Worker } from "node:worker_threads";
import { PipelineError } from "./errors.js";

type Reply<Res> = { id: number; value: Res } | { id: number; error: string };

export interface WorkerTask<Req, Res> {
  /** Starts the worker (once per process); it loads its libraries while the caller goes on. */
  start(): void;
  /** Sends one request; a failure comes back as a one-line PipelineError. */
  run(request: Req): Promise<Res>;
}

// Precompiled by scripts/toolchain.mjs, this module is part of a bundle, and each worker module is the CommonJS bundle
// beside it (render-worker.ts → render-worker.cjs), run by plain Node.
const PRECOMPILED = !import.meta.url.endsWith(".ts");

// From sources, workers run TypeScript like the main thread, whatever started this process (tsx CLI, node --import
// tsx, vitest): a small bootstrap registers tsx's loader, then imports the worker module.
const tsxApi = () =>
  pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist/esm/api/index.mjs"))
    .href;

function startWorker(module: URL): Worker {
  if (PRECOMPILED) {
    const file = basename(fileURLToPath(module)).replace(/\.ts$/, ".cjs");
    // Run by scripts/toolchain.mjs, the worker starts through it: with the code cache, and maybe already loading.
    const toolchain = (globalThis as { [key: symbol]: { startWorker?: (file: string) => Worker } | undefined })[
      Symbol.for("flora-sdk.toolchain")
    ];
    return toolchain?.startWorker?.(file) ?? new Worker(new URL(file, import.meta.url), { execArgv: [] });
  }
  const bootstrap = `import(${JSON.stringify(tsxApi())}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: [] });
}

/**
 * A module of the precompiled toolchain (`.cache/toolchain-…/`) that is gone, as a PipelineError naming that folder
 * (never the spec) and saying to restart; undefined for any other error. A build in use is never pruned
 * (scripts/toolchain.mjs), so this happens only when someone removes `.cache/` while a command (a watcher) runs: its
 * stages load their chunks on first use.
 */
export function toolchainFault(error: unknown): PipelineError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const match = /Cannot find module '(?:file:\/\/)?([^']*?[\\/]\.cache[\\/]toolchain-[^'\\/]+)[\\/]([^']+)'/.exec(
    message,
  );
  if (!match) return undefined;
  const folder = relative(process.cwd(), match[1]);
  return new PipelineError(
    `the precompiled toolchain lost ${match[2]} while this command ran (was .cache/ removed?): restart the command ` +
      "(a watcher too); it rebuilds .cache/ on start",
    { file: folder && !folder.startsWith("..") ? folder : match[1] },
  );
}

/** `label` names the work in messages when the worker itself fails, e.g. "emit stage". */
export function workerTask<Req, Res>(module: URL, label: string): WorkerTask<Req, Res> {
  let state:
    | {
        worker: Worker;
        pending: Map<number, { resolve(reply: Reply<Res>): void; reject(error: Error): void }>;
        nextId: number;
      }
    | undefined;

  function start(): void {
    if (state) return;
    const worker = startWorker(module);
    const current = {
      worker,
      pending: new Map<number, { resolve(reply: Reply<Res>): void; reject(error: Error): void }>(),
      nextId: 0,
    };
    const failAll = (error: Error) => {
      for (const waiter of current.pending.values()) waiter.reject(error);
      current.pending.clear();
      if (state === current) state = undefined;
    };
    worker.on("message", (reply: Reply<Res>) => {
      current.pending.get(reply.id)?.resolve(reply);
      current.pending.delete(reply.id);
      if (current.pending.size === 0) worker.unref();
    });
    worker.on("error", failAll);
    worker.on("exit", (code) => failAll(new Error(`worker exited with code ${code}`)));
    // An idle worker must not keep the process alive.
    worker.unref();
    state = current;
  }

  async function run(request: Req): Promise<Res> {
    start();
    const current = state as NonNullable<typeof state>;
    const id = current.nextId++;
    const reply = await new Promise<Reply<Res>>((resolve, reject) => {
      current.pending.set(id, { resolve, reject });
      current.worker.ref();
      current.worker.postMessage({ id, request });
    }).catch((error: Error) => {
      throw toolchainFault(error) ?? new PipelineError(`${label} failed: ${error.message.split("\n")[0]}`);
    });
    if ("error" in reply) throw toolchainFault(reply.error) ?? new PipelineError(reply.error);
    return reply.value;
  }

  return { start, run };
}

/** In a worker module: answers each request with `handle`; a thrown error travels back as its first line. */
export function serveTasks<Req, Res>(handle: (request: Req) => Promise<Res>): void {
  parentPort?.on("message", async ({ id, request }: { id: number; request: Req }) => {
    try {
      parentPort?.postMessage({ id, value: await handle(request) } satisfies Reply<Res>);
    } catch (error) {
      const reason =
        error instanceof PipelineError
          ? error.message
          : error instanceof Error
            ? `${error.name}: ${error.message}`
            : String(error);
      parentPort?.postMessage({ id, error: reason.split("\n")[0] } satisfies Reply<Res>);
    }
  });
}
