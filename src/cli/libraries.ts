// The command line's libraries are optional peer dependencies of flora-sdk: loaded here, on first use, with a
// one-line error naming the package to install when one is missing.
import type * as Commander from "commander";
import type * as CliProgress from "cli-progress";
import type CliTable from "cli-table3";
import { UsageError } from "./errors.js";

/** Thrown when an optional peer dependency of `flora-sdk/cli` is not installed. */
export class MissingLibraryError extends UsageError {
  override name = "MissingLibraryError";
}

async function load<T>(name: string, loader: () => Promise<T>): Promise<T> {
  try {
    return await loader();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new MissingLibraryError(`the command line needs the package "${name}": npm install ${name}`);
    throw error;
  }
}

/** commander: the argument parser. */
export const loadCommander = (): Promise<typeof Commander> => load("commander", () => import("commander"));

/** cli-progress: the progress bar (CommonJS: its exports may sit on `default`). */
export const loadCliProgress = (): Promise<typeof CliProgress> =>
  load("cli-progress", async () => {
    const module = (await import("cli-progress")) as typeof CliProgress & { default?: typeof CliProgress };
    return module.default ?? module;
  });

/** cli-table3: the tables printed on a terminal. */
export const loadCliTable = (): Promise<typeof CliTable> =>
  load("cli-table3", async () => {
    const module = (await import("cli-table3")) as unknown as { default?: typeof CliTable } & typeof CliTable;
    return module.default ?? module;
  });
