// Levelled logging that can never print a secret.

export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything with console-like methods; `console` itself fits. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && value in LEVEL_RANK;
}

/**
 * A logger that drops lines below `level` and replaces every secret with `[redacted]`; each line starts with
 * `[<prefix>]`, by default `[flora]`.
 */
export function createLogger(level: LogLevel, sink: Logger, secrets: readonly string[], prefix = "flora"): Logger {
  const redact = secretRedactor(secrets);
  const write = (method: Exclude<LogLevel, "off">) => (message: string) => {
    if (LEVEL_RANK[method] <= LEVEL_RANK[level]) sink[method](redact(`[${prefix}] ${message}`));
  };
  return { error: write("error"), warn: write("warn"), info: write("info"), debug: write("debug") };
}

/** Replaces each secret with `[redacted]`, also where it appears JSON-escaped or percent-encoded. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secretRedactor(secrets)(text);
}

/**
 * `redactSecrets` for fixed secrets, built once: each form replaced by plain string search, longest first, so a
 * secret of any length works (a regular expression of a megabyte-long token is too large to compile).
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = secretForms(secrets);
  const replace = (text: string) => forms.reduce((out, form) => out.replaceAll(form, "[redacted]"), text);
  return (text) => {
    const redacted = replace(text);
    // JSON may spell a secret in \u escapes that only parsing undoes: such text is redacted in its plain spelling
    if (forms.length === 0 || !redacted.includes("\\u")) return redacted;
    try {
      return replace(JSON.stringify(JSON.parse(redacted)));
    } catch {
      return redacted;
    }
  };
}

/**
 * The forms a secret takes in text a server echoes, longest first: as is, lower-cased, JSON-escaped (also with
 * an escaped `/`), percent-encoded (upper- and lower-case hex) and form-encoded.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    const percent = encodeURIComponent(secret);
    const form = new URLSearchParams({ s: secret }).toString().slice(2);
    // lower-cased too: URL hosts and header names are lower-cased on their way in
    for (const variant of [secret, secret.toLowerCase(), escaped, escaped.replaceAll("/", "\\/"), percent, form]) {
      forms.add(variant);
      forms.add(variant.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

const MAX_REDACT_DEPTH = 32;

/**
 * Redacts every secret, in place, from an error and everything reachable from it: message, stack, fields,
 * headers, bodies, snapshots and the `cause` chain, property names included. What lies deeper than 32 levels
 * is replaced, unread. The one gate every error passes before a caller sees it.
 */
export function redactError<T>(error: T, secrets: readonly string[]): T {
  if (!secrets.some((secret) => secret !== "")) return error;
  return redactErrorWith(error, secretRedactor(secrets));
}

/** `redactError` with a redactor built once (a client's), so no error rebuilds its regular expression. */
export function redactErrorWith<T>(error: T, redact: (text: string) => string): T {
  const seen = new WeakSet<object>();
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return redact(value);
    if (typeof value !== "object" || value === null || seen.has(value)) return value;
    if (depth > MAX_REDACT_DEPTH) return "[nested too deep]";
    seen.add(value);
    const record = value as Record<string, unknown>;
    // message, stack, cause and AggregateError's errors are not enumerable
    const names = new Set(Object.keys(record));
    if (value instanceof Error)
      for (const name of ["message", "stack", "cause", "errors"]) if (name in value) names.add(name);
    for (const name of names) {
      try {
        const scrubbed = scrub(record[name], depth + 1);
        const safeName = redact(name);
        if (safeName !== name) {
          delete record[name];
          record[safeName] = scrubbed;
        } else if (scrubbed !== record[name]) record[name] = scrubbed;
      } catch {
        // a frozen or accessor-only property of a foreign object: nothing of ours to mend
      }
    }
    return value;
  };
  return scrub(error, 0) as T;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
