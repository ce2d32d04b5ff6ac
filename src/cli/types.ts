// What a generated (or hand-written) command is: plain data plus one call, with no argument-parser types in it, so
// that a generated `cli.ts` type-checks with none of the command line's libraries installed.
import type { RequestOptions } from "../runtime/types.js";

/** A parameter's or body field's value, as the generator read its schema. */
export interface ValueSpec {
  /** The JSON type; "unknown" when the schema gives none or several. */
  readonly type: "string" | "number" | "integer" | "boolean" | "array" | "object" | "unknown";
  /** The allowed values (`--help` lists them; anything else is a usage error). */
  readonly enum?: readonly (string | number | boolean)[];
  /** Arrays: the items' value. An array of scalars is a repeatable flag; any other array is JSON. */
  readonly items?: ValueSpec;
  /** The spec's default, which the server applies: shown in `--help`, never sent. */
  readonly default?: string | number | boolean;
}

/** A positional argument: a path parameter, in the path's order. */
export interface ArgumentSpec {
  /** The parameter's name in the spec (the key in `context.path`). */
  readonly name: string;
  readonly description?: string;
  readonly value: ValueSpec;
}

/** A `--flag`. */
export interface FlagSpec {
  /** The flag without dashes, kebab-case and unique within its command, e.g. `callback-url`. */
  readonly flag: string;
  /** Where the value goes: a request parameter, a top-level body field, or `option` (only the call reads it). */
  readonly in: "query" | "header" | "cookie" | "body" | "option";
  /** The wire name (parameter or body field), the key in `context.query`, `context.body`, … */
  readonly name: string;
  /** Required flags of `query`, `header` and `cookie`; required body fields may come from `--body` instead. */
  readonly required: boolean;
  readonly description?: string;
  readonly value: ValueSpec;
  /** The value's name in usage lines; default from the value, e.g. `integer` or `async|stream`. */
  readonly placeholder?: string;
}

/** One subcommand: an operation of the spec, or a helper of one API. */
export interface CommandSpec<Client> {
  /** The command words, e.g. `["techniques", "runs", "create"]`: the SDK method's path in kebab-case. */
  readonly path: readonly string[];
  readonly summary?: string;
  readonly description?: string;
  /** The operation's method and path, shown in `--help`, e.g. `POST /techniques/{techniqueId}/runs`. */
  readonly route?: string;
  readonly deprecated?: boolean;
  readonly args: readonly ArgumentSpec[];
  readonly flags: readonly FlagSpec[];
  /** The operation takes a body: `--body <json | @file | ->`. `json` bodies merge with the body-field flags. */
  readonly body?: {
    readonly required: boolean;
    readonly kind: "json" | "text" | "binary";
    readonly description?: string;
  };
  /** The operation accepts an idempotency key: `--idempotency-key <key>` reuses one. */
  readonly idempotency?: boolean;
  /** Fills the body from `option` flags before required body fields are checked (e.g. Flora's `--input`). */
  readonly complete?: (
    body: Record<string, unknown> | undefined,
    options: Readonly<Record<string, unknown>>,
  ) => unknown;
  /** Sends the request; its result is printed. */
  readonly call: (context: CommandContext<Client>) => unknown;
  /** After the result is printed: a non-zero exit code and a line for stderr, e.g. for a job that failed. */
  readonly outcome?: (result: unknown) => { exitCode: number; message: string } | undefined;
}

/** Prints a long operation's progress: a bar on a terminal, plain lines otherwise (both on stderr). */
export interface ProgressReporter {
  /** `fraction` from 0 to 1; `label` is shown beside it, e.g. the run's status. */
  update(fraction: number, label: string): void;
  stop(): void;
}

/** What a command's call gets: the parsed arguments, the client, and the per-call request options. */
export interface CommandContext<Client> {
  /** Created on first use, from `--api-key`/`--base-url`/`--timeout`/`--max-retries` or the environment. */
  readonly client: Client;
  readonly path: Readonly<Record<string, unknown>>;
  /** Undefined when no flag of that location was given. */
  readonly query: Record<string, unknown> | undefined;
  readonly header: Record<string, unknown> | undefined;
  readonly cookie: Record<string, unknown> | undefined;
  /** `--body` merged with the body-field flags; undefined when neither was given. */
  readonly body: unknown;
  /** The values of `option` flags, by `FlagSpec.name`. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The signal Ctrl-C aborts, plus `--idempotency-key`, `--timeout` and `--max-retries`. */
  readonly request: RequestOptions & { signal: AbortSignal };
  /** Standard input, read whole. */
  stdin(): Promise<Uint8Array>;
  /** Starts a progress display on stderr. */
  progress(): Promise<ProgressReporter>;
}

/** Options the command line passes to `createClient`; each is present only when its flag was given. */
export interface CommandLineClientOptions {
  apiKey?: string;
  baseUrl?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

/** A whole command-line program. */
export interface CommandLineDefinition<Client> {
  /** The program name shown in usage lines, e.g. `flora`. */
  readonly name: string;
  readonly description?: string;
  readonly version?: string;
  readonly commands: readonly CommandSpec<Client>[];
  readonly createClient: (options: CommandLineClientOptions) => Client;
  /**
   * The environment variable holding the API key, when the API takes one as a token; this adds `--api-key`. Its
   * value and `--api-key`'s are masked in everything the command line prints.
   */
  readonly apiKeyEnv?: string;
  /** Other environment variables whose values must never be printed (e.g. a webhook secret). */
  readonly secretEnv?: readonly string[];
  /** Flags (without dashes) whose values must never be printed, e.g. `secret`. */
  readonly secretFlags?: readonly string[];
  /** A line telling how to resume after Ctrl-C stopped a command whose job had started (the error's `runId`). */
  readonly resumeHint?: (runId: string, context: CommandContext<Client>) => string | undefined;
}
