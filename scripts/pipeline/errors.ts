// Problems with the user's input (spec, arguments, stale output): printed without a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface SpecLocation {
  /** Filled in by the pipeline when a stage only knows the JSON pointer. */
  file?: string;
  line?: number;
  col?: number;
  pointer?: string;
}

/** A problem the maintainer must fix in the spec or the command line; exit code 1 unless `exitCode` says otherwise. */
export class PipelineError extends Error {
  /** Every file the failed run had loaded (the spec and its $ref targets, broken ones included), when known. */
  sources?: string[];

  constructor(
    message: string,
    readonly location?: SpecLocation,
    readonly exitCode: 1 | 2 = 1,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "PipelineError";
  }

  /** `file:line:col message`, then one line per detail. */
  format(): string {
    const where = this.location ? `${formatLocation(this.location)} ` : "";
    return [`${where}${this.message}`, ...this.details.map((d) => `  ${d}`)].join("\n");
  }
}

export function formatLocation(loc: SpecLocation): string {
  let out = loc.file ?? "";
  if (loc.line !== undefined) out += `:${loc.line}:${loc.col ?? 1}`;
  if (loc.pointer) out += out ? ` (${loc.pointer})` : loc.pointer;
  return out;
}

/** A command-line mistake: exit code 2. */
export function usageError(message: string): PipelineError {
  return new PipelineError(message, undefined, 2);
}

/** Runs a command's main and exits with its code; a PipelineError prints as one clear message, never a stack. */
export function runCommand(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof PipelineError) {
        console.error(`error: ${error.format()}`);
        process.exit(error.exitCode);
      }
      console.error(error);
      process.exit(1);
    },
  );
}

type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;
type ParsedValues<O extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>
>["values"];

/**
 * Strict option parsing for a command: an unknown or malformed option is a usage error that shows `usage`.
 * A `help` option also answers to `-h`.
 */
export function parseCommandOptions<const O extends OptionSpecs>(
  argv: string[],
  options: O,
  usage: string,
): ParsedValues<O> {
  const withShortHelp: OptionSpecs = options.help ? { ...options, help: { ...options.help, short: "h" } } : options;
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: withShortHelp })
      .values as ParsedValues<O>;
  } catch (error) {
    throw usageError(`${(error as Error).message}\n\n${usage}`);
  }
}
