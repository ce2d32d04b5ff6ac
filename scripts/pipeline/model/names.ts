// Identifier rules: every name the generator emits is valid, unique and derived only from the spec.

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await async of arguments eval undefined NaN Infinity"
  ).split(" "),
);

// Names that would shadow Object.prototype members or globals the generated code relies on.
const PROTOTYPE_MEMBERS = new Set([
  "constructor",
  "__proto__",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__defineSetter__",
  "__lookupGetter__",
  "__lookupSetter__",
]);
/**
 * Members a JS runtime calls on an object without being asked: `await` and Promise resolution call `then` (a
 * client with a `then` method never resolves from an async function, and sends a request instead), and
 * JSON.stringify calls `toJSON`. `catch` and `finally` are only read on a thenable, and Node's util.inspect and
 * the iteration and coercion hooks are symbols, not names, so they stay usable.
 */
const IMPLICIT_MEMBERS = new Set(["then", "toJSON"]);
const UNSAFE_MEMBERS = new Set([...PROTOTYPE_MEMBERS, ...IMPLICIT_MEMBERS]);

/**
 * True for a name no method or resource of a generated client may have: a member a JS runtime calls
 * implicitly (`then`, `toJSON`) or an Object.prototype member (`constructor`, `__proto__`, `prototype`,
 * `toString`, `valueOf`…). Derived names get a trailing `_` instead; x-sdk-method, x-sdk-resource and the
 * name-override file are refused.
 */
export function isUnsafeMember(name: string): boolean {
  return UNSAFE_MEMBERS.has(name);
}
const UNSAFE_TYPES = new Set([
  "Error",
  "Object",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "Function",
  "Promise",
  "Date",
  "RegExp",
  "Map",
  "Set",
  "Record",
  "Partial",
  "Required",
  "Readonly",
  "Pick",
  "Omit",
  "Exclude",
  "Extract",
  "NonNullable",
  "ReturnType",
  "Blob",
  "File",
  "FormData",
  "Response",
  "Request",
  "Headers",
  "URL",
  "ReadableStream",
  "Uint8Array",
  "ArrayBuffer",
  "JSON",
  "Math",
  "BigInt",
  "Awaited",
  "never",
  "unknown",
  "any",
  "string",
  "number",
  "boolean",
  "object",
  "symbol",
  "bigint",
  "void",
  "null",
  "undefined",
]);

/** Splits any text into lowercase-insensitive words: `get-user.byID v2` → [get, user, by, ID, v2]. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

export function camelCase(text: string): string {
  const parts = words(text);
  if (parts.length === 0) return "";
  return parts
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}

export function pascalCase(text: string): string {
  const camel = camelCase(text);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** The longest identifier the generator emits: longer derived names are cut, longer chosen names refused. */
export const MAX_IDENTIFIER = 80;

function finish(name: string, fallback: string): string {
  let out = name || fallback;
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (out.length > MAX_IDENTIFIER) out = out.slice(0, MAX_IDENTIFIER);
  return out;
}

/** A local variable or parameter name: camelCase, never a reserved word. */
export function variableName(text: string, fallback = "value"): string {
  const name = finish(camelCase(text), fallback);
  return RESERVED.has(name) || PROTOTYPE_MEMBERS.has(name) ? `${name}_` : name;
}

/**
 * An object member name (method or resource): reserved words are allowed there; prototype members and names a
 * runtime calls implicitly (`then`, `toJSON`) get a trailing `_`.
 */
export function memberName(text: string, fallback = "call"): string {
  return safeMember(finish(camelCase(text), fallback));
}

/** `name` as it is, or with a trailing `_` when it is an unsafe member (`then` → `then_`). */
export function safeMember(name: string): string {
  return UNSAFE_MEMBERS.has(name) ? `${name}_` : name;
}

/** An exported type name: PascalCase, never a global or built-in type. */
export function typeName(text: string, fallback = "Type"): string {
  const name = finish(pascalCase(text), fallback);
  return UNSAFE_TYPES.has(name) || RESERVED.has(name) ? `${name}Type` : name;
}

/** Hands out names from a pool, adding 2, 3… to later claimants of a taken name. */
export class NamePool {
  private readonly taken = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }
  claim(name: string): string {
    let candidate = name;
    for (let n = 2; this.taken.has(candidate); n++) candidate = `${name}${n}`;
    this.taken.add(candidate);
    return candidate;
  }
  has(name: string): boolean {
    return this.taken.has(name);
  }
}

// An acronym with a plural `s` (`URLs`), an acronym (`SIP` before `Domains`), a word, or digits with a unit (`2fa`).
const NAME_WORD = /[A-Z]{2,}s(?![a-z])|[A-Z]+[0-9]*(?![a-z])|[A-Z]?[a-z]+[0-9]*|[0-9]+[a-z]*/g;

/**
 * Splits a path segment or an operationId into words, keeping acronyms whole:
 * `SIPDomains` → [SIP, Domains], `getURLs` → [get, URLs], `fine_tuning` → [fine, tuning], `v2` → [v2].
 */
export function nameWords(text: string): string[] {
  return text.match(NAME_WORD) ?? [];
}

/**
 * lowerCamel for resource and method names: an acronym that starts the name is lowercased whole
 * (`SIP` → `sip`, `SIPDomains` → `sipDomains`), one inside it is kept (`getURLs`).
 */
export function lowerCamel(text: string): string {
  return nameWords(text)
    .map((w, i) => {
      if (i === 0) return w.toLowerCase();
      return /^[A-Z]{2,}s?$/.test(w) || /^[A-Z]+[0-9]+$/.test(w) ? w : w.charAt(0).toUpperCase() + w.slice(1);
    })
    .join("");
}
