// The name-override file: `<spec basename>.names.yaml` beside the spec, for specs a maintainer cannot edit.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { isAlias, isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { PipelineError, type SpecLocation } from "./errors.js";
import { displayPath } from "./load.js";
import { isUnsafeMember, MAX_IDENTIFIER } from "./model/names.js";
import { quoteOverrideKey, type NameOverrideEntry } from "./model/resources.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** The longest override name, dots included (each segment is at most MAX_IDENTIFIER, 80, characters). */
export const MAX_OVERRIDE_LENGTH = 200;
/** A name-override file larger than this (1 MiB) is refused unread. */
export const MAX_OVERRIDE_FILE_BYTES = 1024 * 1024;

/** `openapi/stripe.yaml` → `openapi/stripe.names.yaml`. */
export function nameOverridesPath(specFile: string): string {
  return join(dirname(specFile), `${basename(specFile, extname(specFile))}.names.yaml`);
}

/**
 * Reads the spec's name-override file, when there is one: a YAML mapping of `operationId` or `METHOD /path`
 * to `resource.path.method` (a lone `method` puts it on the client's root); a YAML alias to such a string is
 * taken as the string. Each segment is an identifier of at most 80 characters, the whole name at most 200, and
 * none is a member JavaScript calls implicitly or an Object.prototype member (`then`, `toJSON`,
 * `constructor`, `__proto__`, `prototype`, `toString`, `valueOf`…).
 *
 * Only a regular file (or a symbolic link to one) of at most 1 MiB is read; a FIFO, socket, device or
 * directory is refused unopened for reading. Throws a PipelineError naming the file, line and entry for
 * anything else; errors quote an entry's key (cut to 80 characters) but never its value, so a file that is not
 * an override file (a linked secrets file) is not echoed. Unknown operations and collisions are reported when
 * the model places the entries.
 */
export function readNameOverrides(specFile: string): NameOverrideEntry[] {
  const file = nameOverridesPath(specFile);
  if (!lstatSync(file, { throwIfNoEntry: false })) return [];
  return parseNameOverrides(specFile, readRegularFile(file, displayPath(file)));
}

/**
 * The entries of `text`, the spec's name-override file as already read (readNameOverrides reads it), so that a
 * caller that keyed a cache on the text parses the very same text; errors as readNameOverrides'.
 */
export function parseNameOverrides(specFile: string, text: string): NameOverrideEntry[] {
  const shown = displayPath(nameOverridesPath(specFile));
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (offset: number | undefined): SpecLocation => {
    const pos = lines.linePos(offset ?? 0);
    return { file: shown, line: pos.line, col: pos.col };
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw new PipelineError(`YAML syntax error: ${first.message.split("\n")[0]}`, at(first.pos[0]));
  }
  if (doc.contents === null) return [];
  if (!isMap(doc.contents))
    throw new PipelineError(
      "a name-override file is a mapping of operationId or `METHOD /path` to `resource.path.method`",
      at(doc.contents.range?.[0]),
    );
  return doc.contents.items.map((pair) => {
    const keyNode = resolved(doc, pair.key);
    const key = isScalar(keyNode) && keyNode.value !== null ? String(keyNode.value).trim() : "";
    const location = at(isScalar(pair.key) || isAlias(pair.key) ? pair.key.range?.[0] : undefined);
    if (!key) throw new PipelineError("an entry's key must be an operationId or `METHOD /path`", location);
    const fail = (message: string) => new PipelineError(`name override ${quoteOverrideKey(key)}: ${message}`, location);
    const valueNode = resolved(doc, pair.value);
    const value = isScalar(valueNode) ? valueNode.value : valueNode;
    if (typeof value !== "string" || !value.trim())
      throw fail(`the value must be a string such as "charges.capture", not ${describe(value)}`);
    const name = value.trim();
    if (name.length > MAX_OVERRIDE_LENGTH)
      throw fail(`the name is ${name.length} characters; at most ${MAX_OVERRIDE_LENGTH} are allowed`);
    const parts = name.split(".");
    parts.forEach((part, i) => {
      const which = parts.length > 1 ? `segment ${i + 1} of ${parts.length} of the name` : "the name";
      if (!IDENTIFIER.test(part))
        throw fail(
          `${which} is not an identifier (letters, digits, \`_\` and \`$\`, not starting with a digit; names are dotted paths such as "charges.capture")`,
        );
      if (part.length > MAX_IDENTIFIER)
        throw fail(`${which} is ${part.length} characters; at most ${MAX_IDENTIFIER} are allowed`);
      if (isUnsafeMember(part))
        throw fail(
          `"${part}" is a member JavaScript calls implicitly (\`then\` makes the client a thenable, \`toJSON\` runs in JSON.stringify) or an Object.prototype member`,
        );
    });
    return { key, resourcePath: parts.slice(0, -1), methodName: parts[parts.length - 1], location };
  });
}

/** The file's text, when it is a regular file (through a symbolic link too) of at most MAX_OVERRIDE_FILE_BYTES. */
function readRegularFile(file: string, shown: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; it is refused below.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "is a symbolic link to a missing file" : `cannot be read (${code ?? "error"})`;
    throw new PipelineError(`the name-override file ${why}`, { file: shown });
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw new PipelineError(`the name-override file is ${kind(stats)}, not a regular file`, { file: shown });
    if (stats.size > MAX_OVERRIDE_FILE_BYTES)
      throw new PipelineError(
        `the name-override file is ${stats.size} bytes; at most ${MAX_OVERRIDE_FILE_BYTES} (1 MiB) are read`,
        { file: shown },
      );
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

function kind(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a file";
}

/** A YAML alias as the node its anchor names (one level: an anchor is never itself an alias). */
function resolved(doc: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (typeof value === "string") return "an empty string";
  if (isMap(value)) return "a mapping";
  if (typeof value === "object") return "a list";
  return `a ${typeof value}`;
}
