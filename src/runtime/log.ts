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
 * at the end each U+E000 (also one the server sent) becomes `[redacted]`. A secret of 4 to 1,000 characters is also
 * found spelled with JSON escapes, any character of it as `\uXXXX` or a short escape, behind any number of
 * backslashes (JSON quoted in JSON, or cut short so it no longer parses); text without such a spelling is returned
 * as it was.
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
  const escaped = secrets.filter((secret) => secret.length >= 4 && secret.length <= 1_000).map(escapedSpellings);
  return (text) => {
    // most text holds no form and no escape: returned after plain searches, unchanged
    if (!text.includes("\\") && !text.includes("\ue000") && !forms.some((form) => text.includes(form))) return text;
    let marked = mark(text);
    // a spelling with escapes is marked where it stands; the rest of the text is left as it was
    if (marked.includes("\\"))
      for (const spelling of escaped)
        marked = marked.replace(spelling, (found) => (found.includes("\\") ? "\ue000" : found));
    return marked.replaceAll("\ue000", "[redacted]");
  };
}

/** The letter of JSON's short escape for each character that has one (`\n` for a line feed). */
const SHORT_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  "\b": "b",
  "\f": "f",
  "\n": "n",
  "\r": "r",
  "\t": "t",
};

/** `text` as a regular expression that matches it literally. */
const literally = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

/**
 * Every spelling of `secret` in which any UTF-16 unit may be written as itself, as `\uXXXX` (either case of hex) or
 * as its short JSON escape, each escape behind one or more backslashes (JSON inside JSON doubles them).
 */
function escapedSpellings(secret: string): RegExp {
  let pattern = "";
  for (let i = 0; i < secret.length; i++) {
    const unit = secret[i];
    const hex = secret
      .charCodeAt(i)
      .toString(16)
      .padStart(4, "0")
      .replace(/[a-f]/g, (digit) => `[${digit}${digit.toUpperCase()}]`);
    const short = SHORT_ESCAPES[unit];
    pattern += `(?:${literally(unit)}|\\\\+u${hex}${short ? `|\\\\+${literally(short)}` : ""})`;
  }
  return new RegExp(pattern, "g");
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
/** Objects one redaction reads at most (a 5 MB JSON error body holds ~240,000). */
const MAX_REDACT_OBJECTS = 2_000_000;

/**
 * Redacts every secret from an error and everything reachable from it: message, stack, fields, headers, bodies,
 * snapshots and the `cause` chain, property names included. Plain data (objects whose prototype is Object's or
 * null, plain arrays: the caller's own, such as settings an error carries) is never written to: where something in
 * it must change, a redacted copy stands for it, and so for a frozen SDKError and for a Map, Set or Headers (whose
 * entries live in internal slots; a header whose name held a secret is named `x-redacted` in the copy). Everything
 * else (SDK errors, other errors, class instances, whose copies could lose internal slots or private fields) is
 * mended in place, as far as it lets itself be: a frozen one keeps what it holds. References through a cycle to an
 * object copied later are pointed at its copy. What lies deeper than 32 levels, past the 2,000,000th object, or
 * cannot be read (a revoked proxy) is replaced, unread; bytes, a URL or URLSearchParams holding a secret are replaced
 * (a URL by its redacted form). The one gate every error passes before a caller sees it; it never throws.
 */
export function redactError<T>(error: T, secrets: readonly string[]): T {
  if (!secrets.some((secret) => secret !== "")) return error;
  return redactErrorWith(error, secretRedactor(secrets));
}

/** What stands for an object that cannot be read (a revoked proxy, a trap that throws): nothing of it is kept. */
const UNREADABLE = "[unreadable]";

/** `redactError` with a redactor built once (a client's), so no error rebuilds its regular expression. */
export function redactErrorWith<T>(error: T, redact: (text: string) => string): T {
  // each object met, with what stands for it: itself, its redacted copy, or a string
  const done = new Map<object, unknown>();
  // property names repeat (every item of an array of records has the same): each is redacted once
  const names = new Map<string, string>();
  let copied = false;
  /** What stands for `value` now: its redacted copy, if one was made. */
  const standIn = (value: unknown): unknown =>
    typeof value === "object" && value !== null && done.has(value) ? done.get(value) : value;
  /**
   * A copy of `value` (plain data, a frozen SDKError, a Map, Set or Headers) that stands for it from now on, with its
   * own properties and `entries` (a collection's); a header whose name held a secret is named `x-redacted` in it.
   */
  const copyOf = (value: object, entries?: unknown[][]): Record<string | symbol, unknown> => {
    const kind = entries && collectionOf(value);
    let copy: object;
    if (kind === Map) copy = new Map(entries as Array<[unknown, unknown]>);
    else if (kind === Set) copy = new Set(entries!.map(([item]) => item));
    else if (kind) {
      const headers = new Headers();
      for (const [name, item] of entries as string[][])
        headers.append(/^[!#$%&'*+\-.^_`|~\w]+$/.test(name) ? name : "x-redacted", item);
      copy = headers;
    } else {
      copy = Array.isArray(value) ? [] : Object.create(Object.getPrototypeOf(value));
      // holes and all: a copied array's length is the original's
      if (Array.isArray(value)) (copy as unknown[]).length = value.length;
    }
    for (const own of Reflect.ownKeys(value))
      if (own !== "length" || !Array.isArray(value)) copyProperty(value, copy, own);
    done.set(value, copy);
    copied = true;
    return copy as Record<string | symbol, unknown>;
  };
  /** `target` to write to: itself when mended in place, else (the original of plain data or a collection) a copy. */
  const writable = (value: object, target: object): Record<string | symbol, unknown> => {
    if (target !== value) return target as Record<string | symbol, unknown>;
    const entries = entriesOf(value);
    return entries || copiedWhenChanged(value)
      ? copyOf(
          value,
          entries?.map((entry) => entry.map(standIn)),
        )
      : (target as Record<string | symbol, unknown>);
  };
  /**
   * Sets `name` (the redacted spelling of `from`'s `key`) on `target`, `from` itself (mended in place) or its copy, as
   * an own data property as enumerable as `key` was; one an assignment cannot set (an accessor without a setter: a
   * DOMException's message) is shadowed.
   */
  const put = (
    target: Record<string | symbol, unknown>,
    name: string | symbol,
    value: unknown,
    from: object,
    key: string | symbol,
  ) => {
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
        enumerable: Object.getOwnPropertyDescriptor(from, key)?.enumerable ?? false,
        configurable: true,
      });
  };
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === "string") return redact(value);
    if (typeof value !== "object" || value === null) return value;
    if (done.has(value)) return done.get(value);
    if (depth > MAX_REDACT_DEPTH) return "[nested too deep]";
    // getters that make fresh objects could make the graph endless: past the budget, objects are replaced unread
    if (done.size >= MAX_REDACT_OBJECTS) return "[too large]";
    done.set(value, value);
    try {
      // bytes and URLs keep their text in internal slots: one that holds a secret is replaced
      const text = textOf(value);
      if (text !== undefined) {
        const redacted = redact(text);
        if (redacted === text) return value;
        const replaced = replaceText(value, redacted);
        done.set(value, replaced);
        copied = true;
        return replaced;
      }
      // a Map, Set or Headers keeps its entries in internal slots: one with a secret is replaced by a redacted copy
      const entries = entriesOf(value);
      let target = value as Record<string | symbol, unknown>;
      if (entries) {
        const scrubbed = entries.map((entry) => entry.map((part) => scrub(part, depth + 1)));
        if (scrubbed.some((entry, i) => entry[0] !== entries[i][0] || entry[1] !== entries[i][1]))
          target = copyOf(value, scrubbed);
      }
      // every own key (Symbol-keyed and non-enumerable ones too), and an error's message, stack, cause and errors,
      // which may be inherited accessors (an error from another realm is one too)
      const keys = new Set(Reflect.ownKeys(value));
      const array = Array.isArray(value);
      if (
        value instanceof Error ||
        (!array &&
          Object.getPrototypeOf(value) !== Object.prototype &&
          Object.prototype.toString.call(value) === "[object Error]")
      )
        for (const name of ["message", "stack", "cause", "errors"]) if (name in value) keys.add(name);
      for (const key of keys) {
        try {
          const current = (value as Record<string | symbol, unknown>)[key];
          const scrubbed = scrub(current, depth + 1);
          let name = key;
          // an array's index is never renamed, whatever its digits
          if (typeof key === "string" && !(array && /^\d+$/.test(key)))
            names.set(key, (name = names.get(key) ?? redact(key)));
          if (Object.is(scrubbed, current) && name === key) continue;
          target = writable(value, target);
          if (name !== key) delete target[key];
          put(target, name, scrubbed, value, key);
        } catch {
          // a frozen or accessor-only property of an object mended in place: nothing to mend
        }
      }
      return target;
    } catch {
      // unreadable (a revoked proxy, a trap that throws): nothing of it is kept
      done.set(value, UNREADABLE);
      copied = true;
      return UNREADABLE;
    }
  };
  const result = scrub(error, 0);
  // A reference to an object that was copied only after the reference was scrubbed (a cycle through it) still
  // points at the original: every object reached is made to point at what stands for it, by its own keys of every
  // kind and a collection's entries, through a copy where it is plain data or a collection, until nothing changes.
  while (copied) {
    copied = false;
    for (const [value, target] of done) {
      if (typeof target !== "object" || target === null) continue;
      try {
        const entries = entriesOf(target);
        const pointed = entries?.map((entry) => entry.map(standIn));
        if (entries && pointed!.some((entry, i) => entry[0] !== entries[i][0] || entry[1] !== entries[i][1])) {
          if (target === value) copyOf(value, pointed);
          else {
            // a copy this redaction made, which others already point at: re-pointed in place
            const collection = target as Map<unknown, unknown> | Set<unknown>;
            collection.clear();
            for (const [key, item] of pointed!)
              if (collection instanceof Map) collection.set(key, item);
              else collection.add(key);
          }
        }
        let out = standIn(value) as Record<string | symbol, unknown>;
        for (const key of Reflect.ownKeys(out)) {
          try {
            const current = out[key];
            const now = standIn(current);
            if (Object.is(now, current)) continue;
            out = writable(value, out);
            put(out, key, now, out === value ? value : out, key);
          } catch {
            // as above
          }
        }
      } catch {
        // as above
      }
    }
  }
  const redacted = standIn(result);
  // an error that cannot be read at all is replaced by one that says so
  return (redacted === UNREADABLE && result !== error ? new SDKError("[unreadable error]") : redacted) as T;
}

/** A Map's, Set's or Headers' entries (from any realm; a shadowed `entries` method does not count); else undefined. */
function entriesOf(value: object): unknown[][] | undefined {
  const kind = collectionOf(value);
  if (!kind) return undefined;
  try {
    return [...(kind.prototype.entries as (this: object) => Iterable<unknown[]>).call(value)];
  } catch {
    // a look-alike (a Symbol.toStringTag of its own) is an ordinary object
    return undefined;
  }
}

/** The constructor whose instances `value`'s tag names: Map, Set or Headers. */
function collectionOf(value: object): typeof Map | typeof Set | typeof Headers | undefined {
  const tag = Object.prototype.toString.call(value);
  return tag === "[object Map]"
    ? Map
    : tag === "[object Set]"
      ? Set
      : tag === "[object Headers]" && typeof Headers !== "undefined"
        ? Headers
        : undefined;
}

/** The text of bytes (an ArrayBuffer or a view, as UTF-8) or of a URL or URLSearchParams; else undefined. */
function textOf(value: object): string | undefined {
  const tag = Object.prototype.toString.call(value);
  if (tag === "[object URL]" || tag === "[object URLSearchParams]") return String(value);
  const view = ArrayBuffer.isView(value)
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : tag === "[object ArrayBuffer]"
      ? new Uint8Array(value as ArrayBuffer)
      : undefined;
  return view && new TextDecoder().decode(view);
}

/** A URL or URLSearchParams of the redacted text (bytes become a marker: their redacted text is no longer them). */
function replaceText(value: object, redacted: string): unknown {
  const tag = Object.prototype.toString.call(value);
  if (tag === "[object URL]")
    try {
      return new URL(redacted);
    } catch {
      return redacted;
    }
  if (tag === "[object URLSearchParams]") return new URLSearchParams(redacted);
  return "[redacted binary]";
}

/** Plain data (of any realm), and an SDKError that is frozen: safe to copy (no internal slots, no private fields). */
function copiedWhenChanged(value: object): boolean {
  if (value instanceof SDKError) return Object.isFrozen(value);
  const proto = Object.getPrototypeOf(value);
  // any realm's Array.prototype is an array; a subclass's prototype is not
  if (Array.isArray(value)) return Array.isArray(proto);
  return (
    proto === null ||
    (Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === "[object Object]")
  );
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
