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
 * it must change, a redacted copy stands for it, and so for a frozen SDKError and for a Map, Set or Headers (whose
 * entries live in internal slots; a header whose name held a secret is named `x-redacted` in the copy). Everything
 * else (SDK errors, other errors, class instances, whose copies could lose internal slots or private fields) is
 * mended in place, as far as it lets itself be: a frozen one keeps what it holds. References through a cycle to an
 * object copied later are pointed at its copy. What lies deeper than 32 levels is replaced, unread. The one gate
 * every error passes before a caller sees it; it never throws.
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
  /** What stands for `value` now: its redacted copy, if one was made. */
  const standIn = (value: unknown): unknown =>
    (typeof value === "object" && value !== null && done.get(value)) || value;
  /** A Map, Set or Headers with these entries: a header name that held a secret is no longer a valid name. */
  const collection = (like: object, entries: unknown[][]): object => {
    copied = true;
    if (like instanceof Map) return new Map(entries as Array<[unknown, unknown]>);
    if (like instanceof Set) return new Set(entries.map(([item]) => item));
    const headers = new Headers();
    for (const [name, value] of entries as string[][])
      headers.append(/^[!#$%&'*+\-.^_`|~\w]+$/.test(name) ? name : "x-redacted", value);
    return headers;
  };
  /** `target` itself, or (plain data, a frozen SDKError) a writable copy standing for `value` from now on. */
  const writable = (value: object, target: object): Record<string | symbol, unknown> => {
    if (target !== value || !copiedWhenChanged(value)) return target as Record<string | symbol, unknown>;
    const copy = Array.isArray(value) ? Object.assign([], value) : Object.create(Object.getPrototypeOf(value));
    if (!Array.isArray(value)) for (const own of Reflect.ownKeys(value)) copyProperty(value, copy, own);
    done.set(value, copy);
    copied = true;
    return copy;
  };
  /**
   * Sets a property of `from` mended in place, or of its copy `target` (as an own data property of the same
   * enumerability); one an assignment cannot set (an accessor without a setter: a DOMException's message) is shadowed.
   */
  const put = (target: Record<string | symbol, unknown>, name: string | symbol, value: unknown, from: object) => {
    if (target === from)
      try {
        target[name] = value;
      } catch {
        // shadowed below
      }
    if (!Object.is(target[name], value))
      Object.defineProperty(target, name, {
        value,
        writable: true,
        enumerable: Object.getOwnPropertyDescriptor(from, name)?.enumerable ?? false,
        configurable: true,
      });
  };
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
      if (scrubbed.some((entry, i) => entry[0] !== entries[i][0] || entry[1] !== entries[i][1])) {
        const copy = collection(value, scrubbed);
        done.set(value, copy);
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
        if (Object.is(scrubbed, current) && safeName === name) continue;
        target = writable(value, target);
        if (safeName !== name) delete target[name];
        put(target, safeName, scrubbed, record);
      } catch {
        // a frozen or accessor-only property of an object mended in place: nothing to mend
      }
    }
    return target;
  };
  const result = scrub(error, 0);
  // A reference to an object that was copied only after the reference was scrubbed (a cycle through it) still
  // points at the original: every object reached is made to point at what stands for it, own keys of every kind and
  // a Map's or Set's entries alike, by a copy where the object is plain data or a collection, until nothing changes.
  while (copied) {
    copied = false;
    for (const [value, target] of done) {
      if (target instanceof Map || target instanceof Set) {
        const entries = [...target.entries()];
        const pointed = entries.map((entry) => entry.map(standIn));
        if (pointed.every((entry, i) => entry[0] === entries[i][0] && entry[1] === entries[i][1])) continue;
        if (target === value) {
          // the caller's own collection is never written to: a copy stands for it
          done.set(value, collection(target, pointed));
          continue;
        }
        // a copy this redaction made, which others already point at: re-pointed in place
        target.clear();
        for (const [key, item] of pointed)
          if (target instanceof Map) target.set(key, item);
          else target.add(key);
        continue;
      }
      let out = target as Record<string | symbol, unknown>;
      for (const name of Reflect.ownKeys(target)) {
        try {
          const current = out[name];
          const pointed = standIn(current);
          if (Object.is(pointed, current)) continue;
          out = writable(value, out);
          put(out, name, pointed, target);
        } catch {
          // as above
        }
      }
    }
  }
  return standIn(result) as T;
}

/** Plain data, and an SDKError that is frozen: safe to copy (no internal slots, no private fields), and copied. */
function copiedWhenChanged(value: object): boolean {
  if (value instanceof SDKError) return Object.isFrozen(value);
  return Array.isArray(value) ? Object.getPrototypeOf(value) === Array.prototype : isPlainObject(value);
}

/** Copies one own property, as a writable one (a frozen object's copy can still be mended). */
function copyProperty(from: object, to: object, key: string | symbol): void {
  try {
    const descriptor = Object.getOwnPropertyDescriptor(from, key);
    if (descriptor)
      Object.defineProperty(to, key, {
        ...descriptor,
        ...("value" in descriptor ? { writable: true } : {}),
        configurable: true,
      });
  } catch {
    // one that cannot be read (a stack whose error's name cannot be printed) is left out of the copy
  }
}

export const silentLogger = Object.fromEntries(METHODS.map((method) => [method, () => undefined])) as unknown as Logger;
