// Turns flag and argument text into the values a request needs, as each value's spec says, and reads `--body`.
import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.js";
import type { CommandSpec, FlagSpec, ValueSpec } from "./types.js";

/** The placeholder in usage lines: `<integer>`, `<async|stream>`, `<json>`. */
export function placeholder(value: ValueSpec): string {
  if (value.enum?.length && value.enum.length <= 6) return value.enum.join("|");
  if (value.type === "array") return value.items && isScalar(value.items) ? placeholder(value.items) : "json";
  if (value.type === "object") return "json";
  if (value.type === "unknown") return "value";
  return value.type;
}

/** Strings, numbers and booleans are written as they are; anything else is JSON. */
export function isScalar(value: ValueSpec): boolean {
  return value.type === "string" || value.type === "number" || value.type === "integer" || value.type === "boolean";
}

/** A repeatable flag: an array of scalars, one item per occurrence. */
export function isRepeatable(value: ValueSpec): boolean {
  return value.type === "array" && value.items !== undefined && isScalar(value.items);
}

/**
 * One flag or argument value: numbers and booleans parsed, enums checked, objects and unknown types read as
 * JSON (unknown falls back to the text). Throws a UsageError naming `what` and the expected form.
 */
export function parseValue(text: string, value: ValueSpec, what: string): unknown {
  let parsed: unknown = text;
  switch (value.type) {
    case "integer":
    case "number": {
      const number = text.trim() === "" ? Number.NaN : Number(text);
      if (!Number.isFinite(number) || (value.type === "integer" && !Number.isInteger(number)))
        throw new UsageError(
          `${what} must be ${value.type === "integer" ? "an integer" : "a number"}, not ${JSON.stringify(text)}`,
        );
      // beyond 2^53 the text would be sent as a different number (99999999999999999999 → 100000000000000000000)
      if (value.type === "integer" && !Number.isSafeInteger(number))
        throw new UsageError(
          `${what} must be an integer from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}, not ${text}`,
        );
      parsed = number;
      break;
    }
    case "boolean":
      if (text !== "true" && text !== "false")
        throw new UsageError(`${what} must be true or false, not ${JSON.stringify(text)}`);
      parsed = text === "true";
      break;
    case "object":
    case "array":
      parsed = parseJson(text, what);
      break;
    case "unknown":
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
      break;
  }
  if (value.enum?.length && !value.enum.includes(parsed as string | number | boolean))
    throw new UsageError(`${what} must be one of ${value.enum.join(", ")}, not ${JSON.stringify(text)}`);
  return parsed;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} must be JSON: ${(error as Error).message}`);
  }
}

/** `--body`: inline JSON (or text), `@file`, or `-` for standard input; read as the body's kind says. */
export async function readBodyArgument(
  argument: string,
  body: NonNullable<CommandSpec<never>["body"]>,
  stdin: () => Promise<Uint8Array>,
): Promise<unknown> {
  let bytes: Uint8Array;
  if (argument === "-") bytes = await stdin();
  else if (argument.startsWith("@")) {
    try {
      bytes = await readFile(argument.slice(1));
    } catch (error) {
      throw new UsageError(`--body ${argument}: ${(error as Error).message}`);
    }
  } else bytes = new TextEncoder().encode(argument);
  if (body.kind === "binary") return new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const text = new TextDecoder().decode(bytes);
  return body.kind === "json"
    ? parseJson(text, `--body ${argument === "-" || argument.startsWith("@") ? argument : ""}`.trim())
    : text;
}

/**
 * The body to send: `--body`, then each body-field flag over it, then the command's `complete`; a JSON body
 * missing a required field is a UsageError naming the flag that sets it.
 */
export function assembleBody(
  spec: CommandSpec<never>,
  fromArgument: unknown,
  fields: Record<string, unknown>,
  options: Record<string, unknown>,
): unknown {
  const given = Object.keys(fields).length > 0;
  // a body with fields (flags for them, or a command that fills it) is an object: [1,2] or null is a usage error
  const objectBody = spec.complete !== undefined || spec.flags.some((flag) => flag.in === "body");
  if ((given || objectBody) && fromArgument !== undefined && !isPlainObject(fromArgument))
    throw new UsageError(
      `--body must be a JSON object${given ? " (body-field flags merge into it)" : ""}, not ${describeJson(fromArgument)}`,
    );
  let body: unknown = given ? { ...(fromArgument as Record<string, unknown> | undefined), ...fields } : fromArgument;
  if (spec.complete) body = spec.complete(body as Record<string, unknown> | undefined, options);
  if (body === undefined) {
    if (spec.body?.required) throw new UsageError(missingBodyMessage(spec));
    return undefined;
  }
  if (spec.body?.kind === "json" && isPlainObject(body)) {
    const missing = spec.flags.filter((flag) => flag.in === "body" && flag.required && !Object.hasOwn(body, flag.name));
    if (missing.length)
      throw new UsageError(
        `missing ${missing.map((flag) => `--${flag.flag}`).join(", ")} (required body field${missing.length > 1 ? "s" : ""} ${missing.map((flag) => flag.name).join(", ")}; or give them in --body)`,
      );
  }
  return body;
}

function missingBodyMessage(spec: CommandSpec<never>): string {
  const required = spec.flags.filter((flag: FlagSpec) => flag.in === "body" && flag.required);
  return required.length
    ? `missing ${required.map((flag) => `--${flag.flag}`).join(", ")} (or the whole body as --body <json|@file|->)`
    : "missing the request body: --body <json|@file|->";
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Blob) return "binary data";
  return `a ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Blob);
}
