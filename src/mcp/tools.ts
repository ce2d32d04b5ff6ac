// What an MCP tool is to this package: a name, a JSON Schema of its input, and a call that sends one operation
// (or a helper such as Flora's createAndWait) through a ready client. API-neutral: generated tool lists and
// Flora's entry fill these in.
import type { RequestOptions } from "../runtime/index.js";

/** A JSON Schema object (2020-12 keywords) whose root is `type: "object"`, as MCP requires of a tool's input. */
export interface ToolInputSchema {
  readonly type: "object";
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly required?: readonly string[];
  readonly [keyword: string]: unknown;
}

/** MCP tool annotations (hints a client may show or act on; never a security boundary). */
export interface ToolHints {
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/** Where an input property goes on the wire: a parameter's location and its name in the spec. */
export type ToolParameter = readonly ["path" | "query" | "header" | "cookie", string];

/** A tool's validated input, split the way the operation sends it. */
export interface ToolArgs {
  /** Path parameters by wire name; `{}` when there are none. */
  readonly path: Record<string, unknown>;
  /** Query, header and cookie parameters by wire name; undefined when the input gave none of that kind. */
  readonly query?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly cookie?: Record<string, unknown>;
  /** The `body` property of the input, as given. */
  readonly body?: unknown;
  /** The whole input object, as the client sent it (after validation). */
  readonly input: Readonly<Record<string, unknown>>;
}

/** What a tool call can use besides its input. */
export interface ToolContext {
  /** Per-call request options: the MCP request's abort signal, and the input's idempotency key when it gave one. */
  readonly options: RequestOptions;
  /**
   * Reports progress to the MCP client as `notifications/progress`, when the client asked for it (sent a
   * `progressToken`); otherwise does nothing. `progress` must increase from call to call; `total` when known.
   */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

/** One MCP tool. `TClient` is what `call` sends through, e.g. a generated `Resources` or a `Flora`. */
export interface ToolDefinition<TClient> {
  /** Unique, 1 to 128 characters of `A-Z a-z 0-9 _ - .` (MCP's tool name rule). */
  readonly name: string;
  /** A short human title (the operation's summary). */
  readonly title?: string;
  /** What the tool does, from the spec's summary and description. */
  readonly description: string;
  readonly inputSchema: ToolInputSchema;
  readonly annotations?: ToolHints;
  /** Input property → where it goes; properties not listed (besides `body`) are the tool's own options. */
  readonly parameters?: Readonly<Record<string, ToolParameter>>;
  /** The input property that carries an idempotency key for the call, when the operation takes one. */
  readonly idempotencyKeyProperty?: string;
  /** Sends the call; resolves with what becomes the tool's result (a list method's PagePromise gives its first page). */
  call(client: TClient, args: ToolArgs, context: ToolContext): PromiseLike<unknown>;
}

/** Splits a validated input into what `call` sends: parameters by location, and the body. */
export function toolArgs(tool: ToolDefinition<unknown>, input: Readonly<Record<string, unknown>>): ToolArgs {
  const split: Record<"path" | "query" | "header" | "cookie", Record<string, unknown> | undefined> = {
    path: Object.create(null) as Record<string, unknown>,
    query: undefined,
    header: undefined,
    cookie: undefined,
  };
  for (const [property, [location, name]] of Object.entries(tool.parameters ?? {})) {
    if (input[property] === undefined) continue;
    // null-prototype records: a parameter named `__proto__` is an own property, never the prototype
    (split[location] ??= Object.create(null) as Record<string, unknown>)[name] = input[property];
  }
  return {
    path: split.path ?? {},
    ...(split.query ? { query: split.query } : {}),
    ...(split.header ? { header: split.header } : {}),
    ...(split.cookie ? { cookie: split.cookie } : {}),
    ...(input.body !== undefined ? { body: input.body } : {}),
    input,
  };
}
