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
 * at the end each U+E000 (also one the server sent) becomes `[redacted]`. A secret of 4 or more characters is also
 * found spelled with JSON escapes, any character of it as `\uXXXX` or a short escape, behind any number of
 * backslashes (JSON quoted in JSON, or cut short so it no longer parses), and with any ASCII character of it
 * percent-encoded in either case of hex (any encoder's choice of characters), in time linear in the text; text
 * without such a spelling is returned as it was.
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
  const escaped = secrets.filter((secret) => secret.length >= 4);
  return (text) => {
    // most text holds no form and no escape: returned after plain searches, unchanged
    if (
      !text.includes("\\") &&
      !text.includes("%") &&
      !text.includes("\ue000") &&
      !forms.some((form) => text.includes(form))
    )
      return text;
    let marked = mark(text);
    // a spelling with escapes is marked where it stands; the rest of the text is left as it was
    if (escaped.length > 0 && (marked.includes("\\") || marked.includes("%"))) marked = markEscaped(marked, escaped);
    return marked.replaceAll("\ue000", "[redacted]");
  };
}

/** What each short JSON escape's letter stands for (`n`: a line feed). */
const SHORT_ESCAPES: Record<string, string> = { '"': '"', "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

/**
 * `text` as JSON escapes spell it, behind any number of backslashes (JSON inside JSON doubles them): `\uXXXX` and a
 * short escape are one character each, a run of backslashes before anything else is one backslash, and `%XX` of an
 * ASCII character is that character. `pieces` maps it
 * back: per piece, its offset in `decoded`, its offset in `text`, its length in `text`, and whether it is plain text
 * (as long in both) or one escape (one character of `decoded`).
 */
function decodeEscapes(text: string): { decoded: string; pieces: Array<[number, number, number, boolean]> } {
  const parts: string[] = [];
  const pieces: Array<[number, number, number, boolean]> = [];
  let length = 0;
  const piece = (decoded: string, at: number, spelled: number, plain: boolean) => {
    pieces.push([length, at, spelled, plain]);
    parts.push(decoded);
    length += decoded.length;
  };
  // where the next backslash and the next % are (-1: none left), each searched again only once passed
  let slashAt = -2;
  let percentAt = -2;
  for (let at = 0; at < text.length;) {
    if (slashAt !== -1 && slashAt < at) slashAt = text.indexOf("\\", at);
    if (percentAt !== -1 && percentAt < at) percentAt = text.indexOf("%", at);
    const special = slashAt === -1 ? percentAt : percentAt === -1 ? slashAt : Math.min(slashAt, percentAt);
    const plainEnd = special === -1 ? text.length : special;
    if (plainEnd > at) piece(text.slice(at, plainEnd), at, plainEnd - at, true);
    if (special === -1) break;
    if (special === percentAt) {
      // an ASCII character percent-encoded, in either case of hex, by any encoder (`%2B`, `%2f`)
      const code = /^[\da-fA-F]{2}$/.test(text.slice(special + 1, special + 3))
        ? parseInt(text.slice(special + 1, special + 3), 16)
        : 128;
      if (code < 128) piece(String.fromCharCode(code), special, 3, false);
      else piece("%", special, 1, true);
      at = special + (code < 128 ? 3 : 1);
      continue;
    }
    const slash = special;
    let next = slash;
    while (text[next] === "\\") next++;
    const hex = text.slice(next + 1, next + 5);
    if (text[next] === "u" && /^[\da-fA-F]{4}$/.test(hex)) {
      piece(String.fromCharCode(parseInt(hex, 16)), slash, next + 5 - slash, false);
      at = next + 5;
    } else if (next < text.length && Object.hasOwn(SHORT_ESCAPES, text[next])) {
      piece(SHORT_ESCAPES[text[next]], slash, next + 1 - slash, false);
      at = next + 1;
    } else {
      piece("\\", slash, next - slash, false);
      at = next;
    }
  }
  return { decoded: parts.join(""), pieces };
}

/**
 * `text` with every spelling of a secret that uses JSON or percent escapes replaced by U+E000, in time linear in the text (one
 * walk to decode, plain searches, a lookup per find); text without one is returned as it was.
 */
function markEscaped(text: string, secrets: readonly string[]): string {
  const { decoded, pieces } = decodeEscapes(text);
  /** Where decoded character `at` is spelled in `text`: [start, end). */
  const spelling = (at: number): [number, number] => {
    let low = 0;
    let high = pieces.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (pieces[middle][0] <= at) low = middle;
      else high = middle - 1;
    }
    const [from, start, spelled, plain] = pieces[low];
    return plain ? [start + at - from, start + at - from + 1] : [start, start + spelled];
  };
  const spans: Array<[number, number]> = [];
  for (const secret of secrets)
    for (let at = decoded.indexOf(secret); at !== -1; at = decoded.indexOf(secret, at + 1))
      spans.push([spelling(at)[0], spelling(at + secret.length - 1)[1]]);
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = "";
  let done = 0;
  for (const [start, end] of spans) {
    if (end <= done) continue;
    out += `${text.slice(done, Math.max(start, done))}\ue000`;
    done = end;
  }
  return out + text.slice(done);
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
    let percent = "";
    try {
      percent = encodeURIComponent(secret);
    } catch {
      // a lone surrogate: no URL can carry it as it is
    }
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

const MAX_REDACT_DEPTH = 256;
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
 * object copied later are pointed at its copy. What lies deeper than 256 levels, past the 2,000,000th object, or
 * cannot be read (a revoked proxy) is replaced, unread; bytes, a URL or URLSearchParams holding a secret are replaced
 * (a URL by its redacted form; a view of more than 65,536 elements has its bytes read, not its own properties). The
 * one gate every error passes before a caller sees it; it never throws.
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
      // bytes and URLs keep their text in internal slots: one that holds a secret is replaced (else its own
      // properties are read below, as any object's)
      // read once: the slots, the collections and the error check below each go by it
      const tag = tagOf(value);
      const slot = slotText(value, tag);
      const redactedSlot = slot && redact(slot[0]);
      if (slot && redactedSlot !== slot[0]) {
        const replaced = slot[1](redactedSlot!);
        done.set(value, replaced);
        copied = true;
        return replaced;
      }
      // a Map, Set or Headers keeps its entries in internal slots: one with a secret is replaced by a redacted copy
      const entries = entriesOf(value, tag);
      let target = value as Record<string | symbol, unknown>;
      if (entries) {
        const scrubbed = entries.map((entry) => entry.map((part) => scrub(part, depth + 1)));
        if (scrubbed.some((entry, i) => entry[0] !== entries[i][0] || entry[1] !== entries[i][1]))
          target = copyOf(value, scrubbed);
      }
      // every own key (Symbol-keyed and non-enumerable ones too), and an error's message, stack, cause and errors,
      // which may be inherited accessors (an error from another realm is one too)
      const array = Array.isArray(value);
      // a view's elements are its bytes, read above: of its own keys only the others are read, and only for a view
      // of at most 65,536 elements (listing a larger one's keys lists every element)
      const view = ArrayBuffer.isView(value);
      const keys = new Set(
        !view
          ? Reflect.ownKeys(value)
          : (value as { length?: number }).length! > 65_536
            ? []
            : Reflect.ownKeys(value).filter((key) => typeof key !== "string" || !/^\d+$/.test(key)),
      );
      if (
        value instanceof Error ||
        (!array && Object.getPrototypeOf(value) !== Object.prototype && tag === "[object Error]")
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
            put(out, key, now, out, key);
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
function entriesOf(value: object, tag = tagOf(value)): unknown[][] | undefined {
  const kind = collectionOf(value, tag);
  if (!kind) return undefined;
  try {
    return [...(kind.prototype.entries as (this: object) => Iterable<unknown[]>).call(value)];
  } catch {
    // a look-alike (a Symbol.toStringTag of its own) is an ordinary object
    return undefined;
  }
}

/** `value`'s tag, e.g. `[object Map]` (its own Symbol.toStringTag can forge it: brand checks follow). */
const tagOf = (value: object): string => Object.prototype.toString.call(value);

/** The constructor whose instances `value`'s tag names: Map, Set or Headers. */
function collectionOf(value: object, tag = tagOf(value)): typeof Map | typeof Set | typeof Headers | undefined {
  return tag === "[object Map]"
    ? Map
    : tag === "[object Set]"
      ? Set
      : tag === "[object Headers]" && typeof Headers !== "undefined"
        ? Headers
        : undefined;
}

/** A getter of a built-in's prototype, which throws for anything but that built-in (a brand check). */
const slotGetter = (proto: object, name: string) => Object.getOwnPropertyDescriptor(proto, name)?.get;
const URL_HREF = slotGetter(URL.prototype, "href");
const BUFFER_LENGTH = slotGetter(ArrayBuffer.prototype, "byteLength");
/** What stands for bytes that held a secret: their redacted text is no longer them. */
const marker = () => "[redacted binary]";

/**
 * The text a built-in keeps in internal slots, by brand (a Symbol.toStringTag alone is not enough): a URL's href, a
 * URLSearchParams' string, an ArrayBuffer's or a view's bytes as UTF-8, with how to stand for a redacted one (a URL
 * of the redacted text, or a marker for bytes); else undefined.
 */
function slotText(
  value: object,
  tag = tagOf(value),
): [text: string, replace: (redacted: string) => unknown] | undefined {
  try {
    if (tag === "[object URL]") {
      const href = Reflect.apply(URL_HREF!, value, []) as string;
      return [href, (redacted) => (URL.canParse?.(redacted) ? new URL(redacted) : redacted)];
    }
    if (tag === "[object URLSearchParams]")
      return [URLSearchParams.prototype.toString.call(value), (redacted) => new URLSearchParams(redacted)];
    if (ArrayBuffer.isView(value))
      return [new TextDecoder().decode(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)), marker];
    if (tag === "[object ArrayBuffer]" && Reflect.apply(BUFFER_LENGTH!, value, []) !== undefined)
      return [new TextDecoder().decode(new Uint8Array(value as ArrayBuffer)), marker];
  } catch {
    // a look-alike: an ordinary object
  }
  return undefined;
}

/** Plain data (of any realm), and an SDKError that is frozen: safe to copy (no internal slots, no private fields). */
function copiedWhenChanged(value: object): boolean {
  if (value instanceof SDKError) return Object.isFrozen(value);
  const proto = Object.getPrototypeOf(value);
  // any realm's Array.prototype is an array; a subclass's prototype is not
  if (Array.isArray(value)) return Array.isArray(proto);
  // any realm's Object.prototype has no prototype; a Symbol.toStringTag does not make plain data a class instance
  return proto === null || Object.getPrototypeOf(proto) === null;
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
