// Stage 1: read the spec and every file it $refs, once, into Redocly's resolver cache.
import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import {
  BaseResolver,
  ResolveError,
  Source,
  YamlParseError,
  escapePointerFragment,
  getLineColLocation,
  type Document,
} from "@redocly/openapi-core";
import { PipelineError } from "./errors.js";

export interface LoadedSpec {
  /** Absolute path of the root file. */
  file: string;
  /** The root document as parsed (source kept for line/column lookups). */
  document: Document;
  /** Holds every file read so far; later stages resolve $refs through it without re-reading. */
  resolver: BaseResolver;
  /** `openapi` version string, e.g. "3.1.0". */
  version: string;
}

/** Loads and parses the root spec; refuses anything that is not an OpenAPI 3.0/3.1/3.2 document. */
export async function loadSpec(path: string): Promise<LoadedSpec> {
  const file = resolve(path);
  const shown = displayPath(file);
  if (!existsSync(file)) throw new PipelineError(`spec file not found`, { file: shown });
  if (statSync(file).isDirectory()) throw new PipelineError(`spec path is a directory, not a file`, { file: shown });

  const resolver = new StrictResolver();
  let loaded: Document | Error;
  try {
    loaded = await resolver.resolveDocument(null, file, true);
  } catch (error) {
    loaded = error as Error;
  }
  if (loaded instanceof Error) throw parseFailure(loaded, shown);

  const root = loaded.parsed as Record<string, unknown> | null;
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    throw new PipelineError(
      `not an OpenAPI document: the top level is ${describeValue(root)}, not a mapping with \`openapi\`, \`info\` and \`paths\``,
      { file: shown, line: 1, col: 1 },
    );
  }
  const version = root.openapi;
  if (typeof version !== "string" || !/^3\.[012]\.\d+/.test(version)) {
    const found =
      root.swagger !== undefined
        ? `swagger: ${String(root.swagger)}`
        : version === undefined
          ? "no `openapi` field"
          : `openapi: ${String(version)}`;
    throw new PipelineError(
      `not an OpenAPI 3.0/3.1/3.2 document (${found}); only 3.0.x, 3.1.x and 3.2.x are supported`,
      {
        file: shown,
        line: 1,
        col: 1,
      },
    );
  }
  return { file, document: loaded, resolver, version };
}

/** Paths in messages are relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

interface YamlLikeError extends Error {
  line?: number;
  col?: number;
  source?: { absoluteRef?: string };
  originalError?: { message?: string; mark?: { line: number; column: number } };
}

function parseFailure(error: YamlLikeError, file: string): PipelineError {
  if (error.message === EMPTY_FILE) return new PipelineError("is empty", { file });
  if (error.message.startsWith(JSON_SYNTAX_ERROR) || error.message.startsWith(ALIAS_ERROR))
    return new PipelineError(error.message, { file, line: error.line, col: error.col });
  // By class, never by name: Redocly's YamlParseError keeps Error's `name`, and a bundler may rename its class.
  if (error instanceof YamlParseError) {
    const reason = error.message
      .split("\n")[0]
      .replace(/ in "[^"]*"/, "")
      .replace(/ \(\d+:\d+\)$/, "");
    return new PipelineError(`YAML syntax error: ${reason}`, { file, line: error.line, col: error.col });
  }
  return new PipelineError(`cannot read spec: ${error.message.replace(/^ENOENT: /, "")}`, { file });
}

const EMPTY_FILE = "the file is empty";
/** How every message of `aliasProblem` starts. */
const ALIAS_ERROR = "YAML alias ";
const JSON_SYNTAX_ERROR = "JSON syntax error: ";

/**
 * Redocly's resolver parses every file as YAML, which accepts JSON with trailing commas, unquoted keys or # comments; this one
 * holds a `.json` file to strict JSON and refuses an empty spec file, for the root and every $ref target alike.
 * Errors are YamlParseErrors so Redocly's no-unresolved-refs rule reports a $ref target's at its file:line:col.
 */
class StrictResolver extends BaseResolver {
  /**
   * A local file read at once: as Redocly reads it (CRLF as LF) but without its `fs.promises` round trips, which on
   * DigitalOcean's 2,034 files cost ~0.2 s of the load. A FIFO, socket or device is refused (reading one may never
   * end). A URL (`https:`, `file:`, `data:`: never an absolute path, which every local ref is by now), a folder, and
   * a file that cannot be read go to Redocly's own, which words their errors.
   */
  override async loadExternalRef(absoluteRef: string): Promise<Source> {
    if (isAbsolute(absoluteRef)) {
      let body: string | undefined;
      try {
        const stat = statSync(absoluteRef, { throwIfNoEntry: false });
        if (stat && !stat.isFile() && !stat.isDirectory()) {
          const kind = stat.isFIFO() ? "a FIFO" : stat.isSocket() ? "a socket" : "a device";
          return Promise.reject(new ResolveError(new Error(`Expected a file but received ${kind} at ${absoluteRef}.`)));
        }
        if (stat?.isFile()) body = readFileSync(absoluteRef, "utf8");
      } catch {
        body = undefined;
      }
      if (body !== undefined) return new Source(absoluteRef, body.replace(/\r\n/g, "\n"));
    }
    return super.loadExternalRef(absoluteRef);
  }

  override parseDocument(source: Source, isRoot = false): Document {
    const path = source.absoluteRef.replace(/[?#].*$/, "");
    if ((isRoot || /\.(json|ya?ml)$/i.test(path)) && source.body.trim() === "") {
      throw parseError(source, EMPTY_FILE, 1, 1);
    }
    if (/\.json$/i.test(path)) {
      const problem = jsonSyntaxProblem(source.body);
      if (problem) throw parseError(source, JSON_SYNTAX_ERROR + problem.reason, problem.line, problem.col);
    }
    const document = super.parseDocument(source, isRoot);
    // Only an anchor (`&name`) lets a later alias (`*name`) share a node; without one the parsed value is a tree whose
    // depth YAML's parser already bounds (maxDepth 100), and the walk below is skipped; strict JSON has no anchors.
    if (!/\.json$/i.test(path) && mayHaveAnchor(source.body)) {
      const problem = aliasProblem(document.parsed);
      if (problem) {
        const { line, col } = aliasLocation(source, problem.segments);
        throw parseError(source, aliasMessage(source, problem.kind, line, col), line, col);
      }
    }
    return document;
  }
}

/**
 * Whether `text` may hold a YAML anchor: `&` then a name, after a line start, a space, a flow indicator or a `:`
 * (`{"k":&a [*a]}` is a value straight after a quoted key's colon), `?` or `-`. Text in a
 * description can match too (`a &b`); that costs only the walk, which then finds nothing. A scan from `&` to `&`
 * (0.2–0.3 ms on openai.yaml and stripe's 4 MB, where the same test as one regular expression took 2–6 ms).
 */
function mayHaveAnchor(text: string): boolean {
  for (let at = text.indexOf("&"); at !== -1; at = text.indexOf("&", at + 1)) {
    const before = at === 0 ? "\n" : text[at - 1];
    const after = text[at + 1];
    if (after !== undefined && /[\s[{,:?-]/.test(before) && !/[\s[\]{},]/.test(after)) return true;
  }
  return false;
}

/**
 * How deep a value may nest once aliases are expanded: twice what YAML's parser lets text nest (its maxDepth, 100).
 * A chain of aliases (`b: &b [*a]`, `c: &c [*b]`, …) nests one level per alias while its text stays flat, and later
 * stages walk the document recursively: a chain of schemas 190 deep generates, one 1,000 deep overflowed the stack
 * in lint, and an `x-` extension 3,000 deep took the run (--lint off) 4 minutes.
 */
export const MAX_ALIAS_DEPTH = 200;

/**
 * How many objects and arrays a document may hold once aliases are expanded, when aliases add to it: ~28 times
 * stripe's (35,518), the largest shared spec. Aliases of aliases multiply (ten `*a` in `&b`, ten `*b` in `&c`, …: a
 * "billion laughs"): nine such levels in an `x-` extension ran the emit worker out of memory; six (2 million) took
 * 2.5 s and 316 MB.
 */
export const MAX_ALIAS_EXPANSION = 1_000_000;

interface AliasProblem {
  kind: "recursive" | "deep" | "large";
  /** Keys from the root to the value that closes the loop, nests too deep, or expands past the limit. */
  segments: string[];
}

/**
 * Finds a value that contains itself (an alias inside the node its anchor names: `x: &a [*a]`), which no JSON value
 * can be and which every recursive walk of the document would follow until the stack overflows; a value nested
 * deeper than MAX_ALIAS_DEPTH through aliases; or an alias that takes the document past MAX_ALIAS_EXPANSION objects
 * and arrays. One depth-first pass with an explicit stack; a node shared by several aliases is walked once.
 */
function aliasProblem(root: unknown): AliasProblem | undefined {
  if (typeof root !== "object" || root === null) return undefined;
  const onPath = new Set<object>([root]);
  // For each finished node: how many levels it nests below itself, and how many objects and arrays it holds expanded.
  const finished = new Map<object, { height: number; size: number }>();
  type Frame = { node: object; keys: string[]; next: number; height: number; size: number };
  const frames: Frame[] = [{ node: root, keys: Object.keys(root), next: 0, height: 0, size: 1 }];
  const segments: string[] = [];
  let expanded = 1;
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (frame.next === frame.keys.length) {
      frames.pop();
      segments.pop();
      onPath.delete(frame.node);
      finished.set(frame.node, { height: frame.height, size: frame.size });
      const parent = frames[frames.length - 1];
      if (parent) {
        parent.height = Math.max(parent.height, frame.height + 1);
        parent.size += frame.size;
      }
      continue;
    }
    const key = frame.keys[frame.next++];
    const child = (frame.node as Record<string, unknown>)[key];
    if (typeof child !== "object" || child === null) continue;
    const shared = finished.get(child);
    if (shared !== undefined) {
      if (frames.length + shared.height >= MAX_ALIAS_DEPTH) return { kind: "deep", segments: [...segments, key] };
      expanded += shared.size;
      if (expanded > MAX_ALIAS_EXPANSION) return { kind: "large", segments: [...segments, key] };
      frame.height = Math.max(frame.height, shared.height + 1);
      frame.size += shared.size;
      continue;
    }
    segments.push(key);
    if (onPath.has(child)) return { kind: "recursive", segments };
    if (frames.length >= MAX_ALIAS_DEPTH) return { kind: "deep", segments };
    onPath.add(child);
    expanded++;
    frames.push({ node: child, keys: Object.keys(child), next: 0, height: 0, size: 1 });
  }
  return undefined;
}

/** Where the value at `segments` starts in the file: for a loop, the `*` of the alias that closes it. */
function aliasLocation(source: Source, segments: string[]): { line: number; col: number } {
  try {
    const pointer = `#/${segments.map((s) => escapePointerFragment(s)).join("/")}`;
    const { start } = getLineColLocation({ source, pointer });
    // The parser's alias node starts after its `*`.
    const before = source.body.split("\n")[start.line - 1]?.[start.col - 2];
    return { line: start.line, col: before === "*" ? start.col - 1 : start.col };
  } catch {
    return { line: 1, col: 1 };
  }
}

function aliasMessage(source: Source, kind: AliasProblem["kind"], line: number, col: number): string {
  const lines = source.body.split("\n");
  const name = /^\*([^\s[\]{},]+)/.exec(lines[line - 1]?.slice(col - 1) ?? "")?.[1];
  if (kind === "large")
    return `${ALIAS_ERROR}${name ? `*${name} ` : ""}takes the document past ${MAX_ALIAS_EXPANSION.toLocaleString("en-US")} objects and arrays once aliases are expanded (aliases of aliases multiply): too large to generate from`;
  if (kind === "deep")
    return `${ALIAS_ERROR}${name ? `*${name} ` : ""}nests the document deeper than ${MAX_ALIAS_DEPTH} levels once aliases are expanded (each alias in a chain of them adds a level), deeper than the generator can walk`;
  if (!name)
    return `${ALIAS_ERROR}here is recursive: it stands for a node that contains it, so its value would be infinitely deep, which a JSON value cannot be`;
  // The anchor it names is the last `&name` before it (YAML lets a later anchor reuse a name): after a line start, a
  // space, a flow indicator, or the colon of a quoted key (`{"k":&a …}`); `foo-&a` is text.
  const upTo = [...lines.slice(0, line - 1), lines[line - 1].slice(0, col - 1)].join("\n");
  const anchor = new RegExp(
    `(?:^|[\\s[{,]|["']:)&${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=[\\s[\\]{},]|$)`,
    "gm",
  );
  let at = -1;
  for (let match = anchor.exec(upTo); match; match = anchor.exec(upTo)) at = match.index + match[0].indexOf("&");
  const where =
    at === -1 ? "" : ` (anchored at ${upTo.slice(0, at).split("\n").length}:${at - upTo.lastIndexOf("\n", at - 1)})`;
  return `${ALIAS_ERROR}*${name} is recursive: it stands for &${name}${where}, a node that contains it, so its value would be infinitely deep, which a JSON value cannot be`;
}

function parseError(source: Source, message: string, line: number, col: number): YamlParseError {
  const error = new YamlParseError(new Error(message), source);
  error.line = line;
  error.col = col;
  return error;
}

/** Where and why JSON.parse rejects `text`, or undefined when it is valid JSON (a leading BOM is allowed, RFC 8259 §8.1). */
function jsonSyntaxProblem(text: string): { reason: string; line: number; col: number } | undefined {
  const body = text.replace(/^\uFEFF/, "");
  const failure = jsonFailure(body);
  if (failure === undefined) return undefined;
  // V8 names a position for most errors ("at position 7"); for an unexpected token it quotes the text instead.
  const position = /at position (\d+)/.exec(failure);
  let offset = position ? Number(position[1]) : firstBadOffset(body);
  let reason = failure.replace(/, .* is not valid JSON$/s, "").replace(/ in JSON at position \d+.*$/s, "");
  // The mistake YAML forgives most often; V8 would only say what it expected after it.
  const comma = /,\s*$/.exec(body.slice(0, offset));
  if (comma && /^[}\]]/.test(body.slice(offset)))
    [offset, reason] = [comma.index, `trailing comma before '${body[offset]}'`];
  const before = body.slice(0, offset).split("\n");
  return { reason, line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

function jsonFailure(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The offset of the first character no JSON text can continue with: every shorter prefix fails only at its end. */
function firstBadOffset(text: string): number {
  const failsBeforeEnd = (length: number): boolean => {
    const failure = jsonFailure(text.slice(0, length));
    if (failure === undefined || failure.startsWith("Unexpected end of JSON input")) return false;
    const position = /at position (\d+)/.exec(failure);
    return position ? Number(position[1]) < length : true;
  };
  let [low, high] = [0, text.length];
  while (low < high) {
    const mid = (low + high) >> 1;
    if (failsBeforeEnd(mid + 1)) high = mid;
    else low = mid + 1;
  }
  return low;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "empty (null, or only comments)";
  if (Array.isArray(value)) return "a list";
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}
