/**
 * `flora-sdk/cli`: the command line of a generated client, for Flora (the `flora` bin) and any spec (the generated
 * folder's `cli.ts`). Its libraries (commander, cli-progress, cli-table3) are optional peer dependencies, loaded
 * on first use; a missing one is a one-line error naming the package to install.
 * @module flora-sdk/cli
 */
export { runCommandLine } from "./run.js";
export { EXIT, UsageError } from "./errors.js";
export { MissingLibraryError } from "./libraries.js";
export type {
  ArgumentSpec,
  CommandContext,
  CommandLineClientOptions,
  CommandLineDefinition,
  CommandSpec,
  FlagSpec,
  ProgressReporter,
  ValueSpec,
} from "./types.js";
