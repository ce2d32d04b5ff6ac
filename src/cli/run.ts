// The command line of any spec: commander subcommands from CommandSpecs, one call each, exit codes, Ctrl-C.
import type { Command as CommandType, Option as OptionType } from "commander";
import { APIError, SDKError, ValidationError } from "../runtime/errors.js";
import { readTrimmedEnv } from "../env.js";
import { EXIT, UsageError } from "./errors.js";
import { assembleBody, isRepeatable, parseValue, placeholder, readBodyArgument } from "./input.js";
import { loadCommander, MissingLibraryError } from "./libraries.js";
import { printResult, type Printer } from "./output.js";
import { startProgress } from "./progress.js";
import type { CommandContext, CommandLineDefinition, CommandSpec, FlagSpec, ValueSpec } from "./types.js";

type Commander = Awaited<ReturnType<typeof loadCommander>>;

/** Secrets shorter than this are not masked: masking every "a" in the output would hide more than the secret. */
const MIN_MASKED_LENGTH = 4;

/**
 * Runs one command line (`argv` as `process.argv` gives it) and resolves with its exit code: 0 success, 1 an API or
 * transport error (its code and request id on stderr), 2 a usage error, 130 Ctrl-C. Results go to stdout as JSON
 * (`--json`, or stdout not a terminal) or tables; everything else goes to stderr. The API key and the secrets named
 * in `definition` never appear in what is printed.
 */
export async function runCommandLine<Client>(
  definition: CommandLineDefinition<Client>,
  argv: readonly string[] = process.argv,
): Promise<number> {
  const secrets = collectSecrets(definition, argv);
  const mask = (text: string) => secrets.reduce((out, secret) => out.split(secret).join("***"), text);
  const writeErr = (text: string) => void process.stderr.write(mask(text));
  const controller = new AbortController();
  let current: CommandContext<Client> | undefined;
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  let commander: Commander | undefined;
  try {
    commander = await loadCommander();
    const state: BuildState = {
      signal: controller.signal,
      mask,
      writeErr,
      started: (context) => (current = context),
      exitCode: EXIT.ok,
    };
    await buildProgram(commander, definition, state).parseAsync([...argv]);
    return state.exitCode;
  } catch (error) {
    return report(error, { commander, aborted: controller.signal.aborted, writeErr, definition, context: current });
  } finally {
    process.off("SIGINT", onSigint);
  }
}

interface BuildState {
  signal: AbortSignal;
  mask: (text: string) => string;
  writeErr: (text: string) => void;
  started: (context: CommandContext<never>) => void;
  /** Set by a command whose result calls for a non-zero exit code (`CommandSpec.outcome`). */
  exitCode: number;
}

function buildProgram<Client>(
  { Command, Option, InvalidArgumentError }: Commander,
  definition: CommandLineDefinition<Client>,
  state: BuildState,
): CommandType {
  const program = new Command(definition.name);
  if (definition.description) program.description(definition.description);
  if (definition.version) program.version(definition.version);
  program
    .exitOverride()
    .configureOutput({ writeOut: (text) => void process.stdout.write(state.mask(text)), writeErr: state.writeErr })
    .showHelpAfterError("(add --help for usage)")
    .option("--json", "print JSON (the default when stdout is not a terminal)");
  if (definition.apiKeyEnv)
    program.addOption(
      new Option(
        "--api-key <key>",
        `API key (default: the ${definition.apiKeyEnv} environment variable); never printed`,
      ),
    );
  const integer = (what: string) => (text: string) =>
    parseArgument(InvalidArgumentError, text, { type: "integer" }, what);
  program
    .option("--base-url <url>", "API base URL (default: the spec's server, or the client's environment variable)")
    .addOption(new Option("--timeout <ms>", "per-attempt timeout in milliseconds").argParser(integer("--timeout")))
    .addOption(new Option("--max-retries <n>", "retries after the first attempt").argParser(integer("--max-retries")));

  for (const spec of definition.commands) {
    let parent = program;
    for (const word of spec.path.slice(0, -1)) {
      parent =
        parent.commands.find((child) => child.name() === word) ?? parent.command(word).description(`${word} commands`);
    }
    const leaf = parent.command(spec.path[spec.path.length - 1]);
    describe(leaf, spec);
    for (const arg of spec.args) {
      leaf.argument(`<${arg.name}>`, arg.description ?? "", (text: string) =>
        parseArgument(InvalidArgumentError, text, arg.value, arg.name),
      );
    }
    const options = new Map<FlagSpec, OptionType>();
    for (const flag of spec.flags) {
      const option = flagOption({ Option, InvalidArgumentError }, flag);
      leaf.addOption(option);
      if (flag.value.type === "boolean" && flag.in !== "option")
        leaf.addOption(new Option(`--no-${flag.flag}`, `send ${flag.name}: false`));
      options.set(flag, option);
    }
    if (spec.body)
      leaf.option(
        "--body <json|@file|->",
        `the request body${spec.body.kind === "json" ? " as JSON (body-field flags override its fields)" : ""}, inline, from a file, or from stdin (-)${spec.body.description ? `: ${firstParagraph(spec.body.description)}` : ""}`,
      );
    if (spec.idempotency)
      leaf.option("--idempotency-key <key>", "reuse the key of an earlier attempt (default: a new key per command)");
    leaf.action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as CommandType;
      await runLeaf(definition, spec, command, args.slice(0, spec.args.length), options, state);
    });
  }
  return program;
}

/** `parseValue`, its error rethrown as commander's InvalidArgumentError (usage error, exit 2, message kept). */
function parseArgument(
  InvalidArgumentError: Commander["InvalidArgumentError"],
  text: string,
  spec: ValueSpec,
  what: string,
): unknown {
  try {
    return parseValue(text, spec, what);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function describe(leaf: CommandType, spec: CommandSpec<never>): void {
  if (spec.summary) leaf.summary(firstParagraph(spec.summary));
  const parts = [spec.summary, spec.description, spec.route && `${spec.deprecated ? "Deprecated. " : ""}${spec.route}`];
  leaf.description(unwrap(parts.filter((part): part is string => Boolean(part && part.trim())).join("\n\n")));
}

function flagOption(
  { Option, InvalidArgumentError }: Pick<Commander, "Option" | "InvalidArgumentError">,
  flag: FlagSpec,
) {
  const value = flag.value;
  const notes = [
    value.default !== undefined ? `default ${JSON.stringify(value.default)}, applied by the server` : "",
    isRepeatable(value) ? "repeatable" : "",
    flag.in === "body" && flag.required ? "required unless in --body" : "",
  ].filter(Boolean);
  const description = `${firstParagraph(flag.description ?? flag.name)}${notes.length ? ` (${notes.join("; ")})` : ""}`;
  if (value.type === "boolean") return new Option(`--${flag.flag}`, description);
  const option = new Option(`--${flag.flag} <${flag.placeholder ?? placeholder(value)}>`, description);
  const parse = (text: string, spec: ValueSpec) => parseArgument(InvalidArgumentError, text, spec, `--${flag.flag}`);
  if (isRepeatable(value))
    option.argParser((text: string, previous: unknown) => [
      ...((previous as unknown[] | undefined) ?? []),
      parse(text, value.items as ValueSpec),
    ]);
  else if (value.type === "string" && value.enum?.length) option.choices(value.enum.map(String));
  else option.argParser((text: string) => parse(text, value));
  if (flag.required && flag.in !== "body") option.makeOptionMandatory();
  return option;
}

async function runLeaf<Client>(
  definition: CommandLineDefinition<Client>,
  spec: CommandSpec<Client>,
  command: CommandType,
  positional: unknown[],
  options: Map<FlagSpec, OptionType>,
  state: BuildState,
): Promise<void> {
  const globals = command.optsWithGlobals<Record<string, unknown>>();
  const own = command.opts<Record<string, unknown>>();
  // Without a prototype: a flag for a property named `__proto__` is a value like any other, not the object's prototype.
  const group = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;
  const groups: Record<FlagSpec["in"], Record<string, unknown>> = {
    query: group(),
    header: group(),
    cookie: group(),
    body: group(),
    option: group(),
  };
  for (const [flag, option] of options) {
    const value = own[option.attributeName()];
    if (value !== undefined) groups[flag.in][flag.name] = value;
  }
  let input: Uint8Array | undefined;
  const stdin = async () => (input ??= await readStdin());
  const fromArgument =
    spec.body && typeof own.body === "string" ? await readBodyArgument(own.body, spec.body, stdin) : undefined;
  const body = assembleBody(spec, fromArgument, groups.body, groups.option);
  const json = globals.json === true || process.stdout.isTTY !== true;
  let client: Client | undefined;
  const context: CommandContext<Client> = {
    get client() {
      return (client ??= definition.createClient({
        ...(typeof globals.apiKey === "string" ? { apiKey: globals.apiKey } : {}),
        ...(typeof globals.baseUrl === "string" ? { baseUrl: globals.baseUrl } : {}),
        ...(typeof globals.timeout === "number" ? { timeoutMs: globals.timeout } : {}),
        ...(typeof globals.maxRetries === "number" ? { maxRetries: globals.maxRetries } : {}),
      }));
    },
    path: Object.fromEntries(spec.args.map((arg, i) => [arg.name, positional[i]])),
    query: nonEmpty(groups.query),
    header: nonEmpty(groups.header),
    cookie: nonEmpty(groups.cookie),
    body,
    options: groups.option,
    request: {
      signal: state.signal,
      ...(typeof own.idempotencyKey === "string" ? { idempotencyKey: own.idempotencyKey } : {}),
      ...(globals.timeout !== undefined ? { timeoutMs: globals.timeout as number } : {}),
      ...(globals.maxRetries !== undefined ? { maxRetries: globals.maxRetries as number } : {}),
    },
    stdin,
    progress: () => startProgress(process.stderr, state.writeErr),
  };
  state.started(context as CommandContext<never>);
  const result = await spec.call(context);
  const printer: Printer = {
    json,
    write: (text) => void process.stdout.write(state.mask(text)),
    writeBytes: (bytes) =>
      new Promise<void>((resolve, reject) =>
        process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())),
      ),
  };
  await printResult(result, printer);
  const outcome = spec.outcome?.(result);
  if (outcome) {
    state.writeErr(`${outcome.message}\n`);
    state.exitCode = outcome.exitCode;
  }
}

/** Prints what went wrong and picks the exit code. */
function report<Client>(
  error: unknown,
  {
    commander,
    aborted,
    writeErr,
    definition,
    context,
  }: {
    commander: Commander | undefined;
    aborted: boolean;
    writeErr: (text: string) => void;
    definition: CommandLineDefinition<Client>;
    context: CommandContext<Client> | undefined;
  },
): number {
  if (commander && error instanceof commander.CommanderError) {
    // commander printed its message already; --help and --version end with exit code 0
    return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? EXIT.ok : EXIT.usage;
  }
  const sdk = error instanceof SDKError ? error : undefined;
  if (aborted) {
    writeErr("Aborted.\n");
    if (sdk?.runId) {
      const hint = context && definition.resumeHint?.(sdk.runId, context);
      writeErr(`Run ${sdk.runId} was started and goes on on the server.${hint ? ` ${hint}` : ""}\n`);
    } else if (sdk?.idempotencyKey)
      writeErr(`The request may have reached the server: send it again with --idempotency-key ${sdk.idempotencyKey}\n`);
    return EXIT.interrupted;
  }
  if (error instanceof MissingLibraryError) {
    writeErr(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof UsageError || error instanceof ValidationError) {
    writeErr(`error: ${error.message}\n(add --help for usage)\n`);
    return EXIT.usage;
  }
  if (error instanceof APIError) {
    writeErr(`error: ${error.message}\n`);
    writeErr(`  status: ${error.status}\n`);
    if (error.code) writeErr(`  code: ${error.code}\n`);
    if (error.requestId) writeErr(`  request id: ${error.requestId}\n`);
    for (const field of error.fields ?? []) writeErr(`  ${field.field}: ${field.message}\n`);
  } else writeErr(`error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  if (sdk?.runId) writeErr(`  run id: ${sdk.runId}\n`);
  if (sdk?.idempotencyKey) writeErr(`  idempotency key: ${sdk.idempotencyKey}\n`);
  return EXIT.apiError;
}

/** The API key (from its variable or `--api-key`) and any other secret flag or variable, to mask in all output. */
function collectSecrets(
  definition: Pick<CommandLineDefinition<unknown>, "apiKeyEnv" | "secretEnv" | "secretFlags">,
  argv: readonly string[],
): string[] {
  // trimmed, as Flora reads its key; a client that sends the value untrimmed still has this part masked
  const env = [definition.apiKeyEnv, ...(definition.secretEnv ?? [])].flatMap((name) => {
    const value = name && readTrimmedEnv(name);
    return value ? [value] : [];
  });
  const flags = [...(definition.apiKeyEnv ? ["api-key"] : []), ...(definition.secretFlags ?? [])];
  const given = argv.flatMap((arg, i) =>
    flags.flatMap((flag) =>
      arg === `--${flag}` && argv[i + 1] !== undefined
        ? [argv[i + 1]]
        : arg.startsWith(`--${flag}=`)
          ? [arg.slice(flag.length + 3)]
          : [],
    ),
  );
  return [...new Set([...env, ...given].map((secret) => secret.trim()))]
    .filter((secret) => secret.length >= MIN_MASKED_LENGTH)
    .sort((a, b) => b.length - a.length);
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function nonEmpty(values: Record<string, unknown>): Record<string, unknown> | undefined {
  return Object.keys(values).length ? values : undefined;
}

/** Spec prose is wrapped by hand; commander wraps help to the terminal, so single line breaks become spaces. */
function unwrap(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/([^\n])\n(?=[^\n])/g, "$1 ");
}

function firstParagraph(text: string): string {
  return unwrap(text.trim().split(/\r?\n\s*\n/)[0]);
}
