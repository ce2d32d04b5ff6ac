// Levelled logging that can never print a secret.
import { invalid, isPlainObject } from "./check.js";
import { SDKError } from "./errors.js";

export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything with console-like methods; `console` itself fits. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** The levels from quietest to loudest; a level's index is its rank. */
const LEVELS: readonly LogLevel[] = ["off", "error", "warn", "info", "debug"];
/** A Logger's methods, one per level but "off". */
const METHODS = LEVELS.slice(1) as readonly Exclude<LogLevel, "off">[];

export function isLogLevel(value: unknown): value is LogLevel {
  return LEVELS.includes(value as LogLevel);
}

/**
 * A logger that drops lines below `level` and replaces every secret with `[redacted]`; each line starts with
 * `[<prefix>]`, by default `[flora]`. A `level` that is no LogLevel, or a `sink` without the four methods, is a
 * ValidationError.
 */
export function createLogger(level: LogLevel, sink: Logger, secrets: readonly string[], prefix = "flora"): Logger {
  if (!isLogLevel(level)) throw invalid("logLevel", `must be one of ${LEVELS.join(", ")}; got ${String(level)}.`);
  if (!METHODS.every((method) => typeof (sink as unknown as Record<string, unknown> | null)?.[method] === "function"))
    throw invalid("logger", "must have error, warn, info and debug methods (console fits).");
  const redact = secretRedactor(secrets);
  const rank = LEVELS.indexOf(level);
  return Object.fromEntries(
    METHODS.map((method, index) => [
      method,
      (message: string) => {
        if (index < rank) sink[method](redact(`[${prefix}] ${message}`));
      },
    ]),
  ) as unknown as Logger;
}

/** Replaces each secret with `[redacted]`, also where it appears JSON-escaped or percent-encoded. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secretRedactor(secrets)(text);
}

/**
 * `redactSecrets` for fixed secrets, built once. A form of 1 to 3 characters (a short secret's) is redacted only
 * where it stands whole, not next to an ASCII letter, digit or `_`, so a one-letter key does not eat every "t"
 * of a message; a longer one wherever it appears, case-sensitively. Each form (longest first) is found by plain string search, so a
 * secret of any length works (a regular expression of a megabyte-long token is too large to compile), and
 * replaced by U+E000, a character no form holds, so no later form matches across or inside a replacement;
 * at the end each U+E000 (also one the server sent) becomes `[redacted]`.
 */
export function secretRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = secretForms(secrets).sort((a, b) => b.length - a.length);
  const mark = (text: string) =>
    forms.reduce(
      (out, form) =>
        out.replaceAll(form, (_, at: number) =>
          form.length < 4 && /\w/.test(out.charAt(at - 1) + out.charAt(at + form.length)) ? form : "\ue000",
        ),
      text,
    );
  return (text) => {
    // most text holds no form and no escape: returned after plain searches, unchanged
    if (!text.includes("\\u") && !text.includes("\ue000") && !forms.some((form) => text.includes(form))) return text;
    let marked = mark(text);
    // JSON may spell a secret in \u escapes that only parsing undoes: such text is redacted in its plain spelling
    if (marked.includes("\\u"))
      try {
        marked = mark(JSON.stringify(JSON.parse(marked)));
      } catch {
        // not JSON
      }
    return marked.replaceAll("\ue000", "[redacted]");
  };
}

/**
 * The forms a secret takes in text a server echoes, each with whether it counts only whole (a short secret's):
 * as is, JSON-escaped (also with an escaped `/`), percent-encoded (upper- and lower-case hex) and form-encoded,
 * all case-sensitive; a secret of 4 or more characters also lower-cased, as in a URL's host.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms: string[] = [];
  for (const secret of secrets) {
    if (!secret) continue;
    const escaped = JSON.stringify(secret).slice(1, -1);
    const percent = encodeURIComponent(secret);
    const form = new URLSearchParams({ s: secret }).toString().slice(2);
    for (const variant of [
      secret,
      escaped,
      escaped.replaceAll("/", "\\/"),
      percent,
      form,
      secret.length < 4 ? "" : secret.toLowerCase(),
    ])
      for (const spelling of [variant, variant.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())])
        if (spelling) forms.push(spelling);
  }
  return forms;
}

const MAX_REDACT_DEPTH = 32;

/**
 * Redacts every secret from an error and everything reachable from it: message, stack, fields, headers, bodies,
 * snapshots and the `cause` chain, property names included. Plain data (objects whose prototype is Object's or
 * null, plain arrays: the caller's own, such as settings an error carries) is never written to: where something in
 * it must change, a redacted copy stands for it, and so for a frozen SDKError. Everything else (SDK errors, other
 * errors, class instances, whose copies could lose internal slots or private fields) is mended in place, as far
 * as it lets itself be. What lies deeper than 32 levels is replaced, unread. The one gate every error passes before
 * a caller sees it.
 */
export function redactError<T>(error: T, secrets: readonly string[]): T {
  if (!secrets.some((secret) => secret !== "")) return error;
  return redactErrorWith(error, secretRedactor(secrets));
}

/** `redactError` with a redactor built once (a client's), so no error rebuilds its regular expression. */
export function redactErrorWith<T>(error: T, redact: (text: string) => string): T {
  // each object met, with what stands for it: itself, or its redacted copy
  const done = new Map<object, object>();
  // property names repeat (every item of an array of records has the same): each is redacted once
  const names = new Map<string, string>();
  let copied = false;
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return redact(value);
    if (typeof value !== "object" || value === null) return value;
    const met = done.get(value);
    if (met) return met;
    if (depth > MAX_REDACT_DEPTH) return "[nested too deep]";
    done.set(value, value);
    // a Map, Set or Headers keeps its entries in internal slots: one with a secret is replaced by a redacted copy
    const entries =
      value instanceof Map || value instanceof Set || value instanceof Headers ? [...value.entries()] : undefined;
    if (entries) {
      const scrubbed = entries.map((entry) => entry.map((part) => scrub(part, depth + 1)));
      const changed = scrubbed.some((entry, i) => entry[0] !== entries[i][0] || entry[1] !== entries[i][1]);
      if (changed) {
        const copy =
          value instanceof Map
            ? new Map(scrubbed as Array<[unknown, unknown]>)
            : value instanceof Set
              ? new Set(scrubbed.map(([item]) => item))
              : new Headers(scrubbed as Array<[string, string]>);
        done.set(value, copy);
        copied = true;
        return copy;
      }
    }
    const record = value as Record<string | symbol, unknown>;
    let target = record;
    // every own key (Symbol-keyed and non-enumerable ones too), and an error's message, stack, cause and errors,
    // which may be inherited accessors (an error from another realm is one too)
    const keys = new Set(Reflect.ownKeys(record));
    if (
      value instanceof Error ||
      (!Array.isArray(value) && !isPlainObject(value) && Object.prototype.toString.call(value) === "[object Error]")
    )
      for (const name of ["message", "stack", "cause", "errors"]) if (name in value) keys.add(name);
    for (const name of keys) {
      try {
        const current = record[name];
        const scrubbed = scrub(current, depth + 1);
        let safeName = name;
        if (typeof name === "string") names.set(name, (safeName = names.get(name) ?? redact(name)));
        if (scrubbed === current && safeName === name) continue;
        if (target === record && copiedWhenChanged(value)) {
          target = Array.isArray(value) ? Object.assign([], value) : Object.create(Object.getPrototypeOf(value));
          if (!Array.isArray(value)) for (const own of Reflect.ownKeys(value)) copyProperty(value, target, own);
          done.set(value, target);
          copied = true;
        }
        if (safeName !== name) delete target[name];
        if (target === record) {
          try {
            target[safeName] = scrubbed;
          } catch {
            // an accessor without a setter (a DOMException's message): shadowed below
          }
        }
        // a copy's property, or one an assignment could not set: an own data property of the same enumerability
        if (target[safeName] !== scrubbed)
          Object.defineProperty(target, safeName, {
            value: scrubbed,
            writable: true,
            enumerable: Object.getOwnPropertyDescriptor(record, name)?.enumerable ?? false,
            configurable: true,
          });
      } catch {
        // a frozen or accessor-only property of an object mended in place: nothing to mend
      }
    }
    return target;
  };
  const result = scrub(error, 0);
  // A reference to an object that was copied only after the reference was scrubbed (a cycle through it) still
  // points at the original: every object reached now points at what stands for it (nothing to do when none was).
  if (copied)
    for (const target of new Set(done.values()))
      for (const name of Object.keys(target)) {
        try {
          const value = (target as Record<string, unknown>)[name];
          const copy = typeof value === "object" && value !== null ? done.get(value) : undefined;
          if (copy !== undefined && copy !== value) (target as Record<string, unknown>)[name] = copy;
        } catch {
          // as above
        }
      }
  return result as T;
}

/** Plain data, and an SDKError that is frozen: safe to copy (no internal slots, no private fields), and copied. */
function copiedWhenChanged(value: object): boolean {
  if (value instanceof SDKError) return Object.isFrozen(value);
  return Array.isArray(value) ? Object.getPrototypeOf(value) === Array.prototype : isPlainObject(value);
}

/** Copies one own property, as a writable one (a frozen object's copy can still be mended). */
function copyProperty(from: object, to: object, key: string | symbol): void {
  const descriptor = Object.getOwnPropertyDescriptor(from, key);
  if (descriptor)
    Object.defineProperty(to, key, {
      ...descriptor,
      ...("value" in descriptor ? { writable: true } : {}),
      configurable: true,
    });
}

export const silentLogger = Object.fromEntries(METHODS.map((method) => [method, () => undefined])) as unknown as Logger;
