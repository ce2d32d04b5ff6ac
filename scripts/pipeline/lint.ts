// Stage 2: lint the loaded spec with Redocly, reporting problems as file:line:col rule message.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  BaseResolver,
  createConfig,
  getLineColLocation,
  lintDocument,
  loadConfig,
  type Config,
  type Document,
  type NormalizedProblem,
} from "@redocly/openapi-core";
import { PipelineError } from "./errors.js";
import { displayPath, type LoadedSpec } from "./load.js";
import { decodePointerSegment } from "./model/refs.js";
import { explainCircularRef } from "./ref-cycles.js";

/**
 * `project`: the repo's redocly.yaml; `minimal`: Redocly's minimal ruleset without example validation
 * (for foreign specs); `off`: structure only.
 */
export type LintMode = "project" | "minimal" | "off";

export const PROJECT_CONFIG = fileURLToPath(new URL("../../redocly.yaml", import.meta.url));

// Structural rules run even with --lint off: a spec that breaks them cannot produce correct code.
const STRUCTURAL_RULES = { struct: "error", "no-unresolved-refs": "error" } as const;

// Validating every example with AJV is ~80% of minimal lint time on DigitalOcean, and examples never change generated code.
const SKIPPED_IN_MINIMAL = { "no-invalid-media-type-examples": "off" } as const;

// Built-in rulesets are built once per process (building one costs more than linting a small spec);
// redocly.yaml is read on every run and rebuilt when its text changed, so a long-running process sees edits to it.
const builtInConfigs = new Map<Exclude<LintMode, "project">, Promise<Config>>();
let projectConfig: { text: string; config: Promise<Config> } | undefined;

export function lintConfigFor(mode: LintMode): Promise<Config> {
  if (mode === "project") {
    const text = readFileSync(PROJECT_CONFIG, "utf8");
    if (projectConfig?.text !== text) projectConfig = { text, config: loadConfig({ configPath: PROJECT_CONFIG }) };
    return projectConfig.config;
  }
  let config = builtInConfigs.get(mode);
  if (!config) {
    config =
      mode === "minimal"
        ? createConfig({ extends: ["minimal"], rules: { ...STRUCTURAL_RULES, ...SKIPPED_IN_MINIMAL } })
        : createConfig({ rules: STRUCTURAL_RULES });
    builtInConfigs.set(mode, config);
  }
  return config;
}

export interface LintReport {
  errors: number;
  warnings: number;
  /**
   * One `file:line:col rule message` line per problem, errors first. Formatted on first read: finding a line and
   * column parses the whole file into a YAML AST (on openai.yaml ~0.2 s and its memory), which a run whose warnings
   * are only counted by rule never needs.
   */
  readonly lines: string[];
  /** How many lines `lines` holds (`errors + warnings`), without formatting them. */
  readonly count: number;
  /** How many problems each rule reported, most first: a summary where the lines would run to hundreds. */
  byRule: Map<string, number>;
}

/** Lints the source documents (not the bundle) so every problem points at the file the maintainer edits. */
export async function lintSpec(spec: LoadedSpec, mode: LintMode): Promise<LintReport> {
  const config = await lintConfigFor(mode);
  const lint = async (view: ShadowSafeView) => {
    const found = await lintDocument({ document: view.document, config, externalRefResolver: view.resolver });
    // before anything is reported: a key that took the other's name would have hidden what lint said of either
    view.assertNoClash();
    // Redocly matched the ignore file's pointers against the renamed keys: match them against the original ones too
    return found.map(view.restore).map((problem) => (problem.ignored ? problem : config.addProblemToIgnore(problem)));
  };
  const problems = await lint(shadowSafeView(spec, false))
    // A key that spells the name with escapes (JSON's `"hasOwn\u0050roperty"`) escapes the text screen: lint again
    // with every file renamed.
    .catch((error: unknown) => (isShadowedMethod(error) ? lint(shadowSafeView(spec, true)) : Promise.reject(error)))
    .catch(async (error: unknown) => {
      throw await explainCircularRef(spec, error);
    });
  const valid = await Promise.all(problems.map((p) => isCookieStyle(spec, p)));
  const active = problems
    .filter((p, i) => !p.ignored && !valid[i])
    .map((p) => tolerateStyle(tolerateUnknownKeys(p, mode), mode));
  const sorted = [...active].sort((a, b) => severityRank(a) - severityRank(b));
  const byRule = new Map<string, number>();
  for (const problem of active) byRule.set(problem.ruleId, (byRule.get(problem.ruleId) ?? 0) + 1);
  let lines: string[] | undefined;
  return {
    errors: active.filter((p) => p.severity === "error").length,
    warnings: active.filter((p) => p.severity === "warn").length,
    get lines() {
      return (lines ??= sorted.map(formatProblem));
    },
    count: sorted.length,
    byRule: new Map([...byRule].sort(([a, m], [b, n]) => n - m || a.localeCompare(b))),
  };
}

/** Throws when the report has errors, or warnings under the project ruleset (which must be clean). */
export function assertLintClean(report: Pick<LintReport, "errors" | "warnings" | "lines">, mode: LintMode): void {
  const failing = mode === "project" ? report.errors + report.warnings : report.errors;
  if (failing === 0) return;
  const summary = `lint failed: ${report.errors} error(s), ${report.warnings} warning(s)`;
  if (mode === "project") throw new PipelineError(summary, undefined, 1, report.lines);
  // Under minimal and off only errors stop the run: list them, and count the warnings (hundreds on big specs).
  const errors = report.lines.slice(0, report.errors);
  const rest = report.warnings ? [`(and ${report.warnings} warning(s), which do not stop the run)`] : [];
  throw new PipelineError(summary, undefined, 1, [...errors, ...rest]);
}

/**
 * Keys lint cannot read as keys, each with the name it reads instead: one no loaded file contains (checked after
 * every lint that renamed a file, findings or not), the original plus letters and digits, so naming rules judge it as
 * they would the original.
 * - Redocly's rules call `node.hasOwnProperty(name)` on spec objects, so an object with its own key `hasOwnProperty`
 *   (a schema property, a schema, a security scheme named so, or a stray key on an Info or Response object) made lint
 *   throw "hasOwnProperty is not a function".
 * - Example validation (AJV) does not count an own `__proto__` property as evaluated: a schema's valid example with
 *   that property failed no-invalid-schema-examples under the project ruleset ("must NOT have unevaluated properties").
 * The other Object.prototype names (`constructor`, `toString`, `valueOf`) lint like any other name.
 */
const SHADOWING_KEYS = new Map([
  ["hasOwnProperty", "hasOwnProperty0x5f3759"],
  ["__proto__", "__proto__0x5f3759"],
]);

/** Whether a file's text names one of them: one pass (1.5–1.8 ms on openai.yaml and stripe's 4 MB; two `includes` 2.7–3.7). */
const MENTIONS_SHADOWING_KEY = new RegExp([...SHADOWING_KEYS.keys()].join("|"));

interface ShadowSafeView {
  document: Document;
  resolver: BaseResolver;
  /** Throws when a file lint read also uses a name a key was renamed to (whose findings would then mix). */
  assertNoClash(): void;
  /** The problem with every pointer, message and suggestion naming the original key again. */
  restore(problem: NormalizedProblem): NormalizedProblem;
}

/**
 * The loaded files as lint sees them: a file whose text contains one of the SHADOWING_KEYS (every file when `force`)
 * is a copy in which each such key has its other name, and so has every string that names it (`required` and `dependentRequired` items,
 * `discriminator.propertyName`, mapping values, a segment of a `$ref`, `operationRef` or mapping pointer, a `{name}`
 * in a server `url`, a scope in a security requirement), so the rules see the same spec under another name. The
 * copies keep their Source, so restored pointers resolve to the file:line:col of the original text. Other files are
 * linted as loaded.
 */
function shadowSafeView(spec: LoadedSpec, force: boolean): ShadowSafeView {
  const copies = new Map<Document, Document>();
  const seen = new Set<Document>();
  const view = (document: Document): Document => {
    seen.add(document);
    if (!force && !MENTIONS_SHADOWING_KEY.test(document.source.body)) return document;
    let copy = copies.get(document);
    if (!copy)
      copies.set(document, (copy = { source: document.source, parsed: withoutShadowingKeys(document.parsed) }));
    return copy;
  };
  const resolver = new (class extends BaseResolver {
    override async resolveDocument<T = unknown>(base: string | null, ref: string, isRoot = false) {
      const document = await spec.resolver.resolveDocument<T>(base, ref, isRoot);
      return document instanceof Error ? document : (view(document) as Document<T>);
    }
  })();
  const restore = (text: string) => {
    for (const [key, alias] of SHADOWING_KEYS) text = text.split(alias).join(key);
    return text;
  };
  return {
    document: view(spec.document),
    resolver,
    assertNoClash() {
      if (copies.size === 0) return;
      for (const [key, alias] of SHADOWING_KEYS) {
        const clash = [...seen].find((document) => document.source.body.includes(alias));
        if (clash)
          throw new PipelineError(
            `cannot lint: the spec uses both \`${key}\`, which Redocly's lint rules cannot read as a key, and \`${alias}\`, the name lint reads it under; rename one, or generate with --lint off`,
            { file: displayPath(clash.source.absoluteRef) },
          );
      }
    },
    restore(problem) {
      if (copies.size === 0) return problem;
      const at = (location: NonNullable<NormalizedProblem["from"]>) =>
        location.pointer === undefined ? location : { ...location, pointer: restore(location.pointer) };
      return {
        ...problem,
        message: restore(problem.message),
        suggest: problem.suggest.map(restore),
        location: problem.location.map(at),
        ...(problem.from ? { from: at(problem.from) } : {}),
      };
    },
  };
}

function isShadowedMethod(error: unknown): boolean {
  return error instanceof TypeError && error.message.endsWith(".hasOwnProperty is not a function");
}

/** `value` with the SHADOWING_KEYS renamed (see shadowSafeView); a node shared through YAML aliases stays shared. */
function withoutShadowingKeys(root: unknown): unknown {
  const copies = new Map<object, unknown>();
  const rename = <T>(name: T): T | string => (typeof name === "string" && SHADOWING_KEYS.get(name)) || name;
  const renamePointer = (ref: string) => {
    const hash = ref.indexOf("#");
    if (hash === -1) return ref;
    const segments = ref.slice(hash + 1).split("/");
    return `${ref.slice(0, hash + 1)}${segments.map(rename).join("/")}`;
  };
  // `key`: the key `value` sits under; `outer`, `outer2`: the keys of its container and the container's container.
  const copy = (value: unknown, key: string, outer: string, outer2: string): unknown => {
    if (typeof value === "string") {
      if (key === "$ref" || key === "operationRef") return renamePointer(value);
      if (outer === "mapping") return SHADOWING_KEYS.get(value) ?? renamePointer(value);
      if (key === "propertyName") return rename(value);
      if (key === "url") return value.replace(/\{([^{}]*)\}/g, (_variable, name: string) => `{${rename(name)}}`);
      return value;
    }
    if (typeof value !== "object" || value === null) return value;
    const done = copies.get(value);
    if (done !== undefined) return done;
    let out: unknown;
    if (Array.isArray(value)) {
      // `required: [name]`, `dependentRequired: { a: [name] }`, `security: [{ scheme: [scope] }]`
      const names = key === "required" || outer === "dependentRequired" || outer2 === "security";
      out = value.map((item, i) =>
        names && typeof item === "string" ? rename(item) : copy(item, String(i), key, outer),
      );
    } else {
      const object: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(value)) {
        // defineProperty: a `__proto__` key stays an own key
        Object.defineProperty(object, rename(name), {
          value: copy(child, name, key, outer),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      out = object;
    }
    copies.set(value, out);
    return out;
  };
  return copy(root, "", "", "");
}

export function formatProblem(problem: NormalizedProblem): string {
  const where = problem.location[0];
  let position = "";
  if (where) {
    const file = displayPath(where.source.absoluteRef);
    try {
      const { start } = getLineColLocation(where);
      position = `${file}:${start.line}:${start.col}`;
    } catch {
      position = `${file} ${where.pointer}`;
    }
  }
  const label = problem.severity === "error" ? "error" : "warning";
  // Assertion messages list their problems on `- ` lines; one problem stays one line.
  const message = problem.message
    .split("\n")
    .map((line) => line.trim().replace(/^- /, ""))
    .filter(Boolean)
    .join("; ")
    .replace(/:; /g, ": ");
  return `${position} ${label} ${problem.ruleId} ${message}`.trim();
}

// Real specs carry keys their version does not define (3.0's `nullable` in a 3.1 file, vendor typos) and
// validation keywords in the other version's form (3.0's boolean `exclusiveMinimum` in a 3.1 file). Neither
// changes a type or a request, so outside the project ruleset they warn instead of failing the run.
const VALIDATION_ONLY_KEYWORDS = new Set([
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minimum",
  "maximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "format",
  "example",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "title",
  "description",
  "summary",
  "externalDocs",
  "xml",
  "contact",
  "license",
  "termsOfService",
  "contentEncoding",
  "contentMediaType",
  "$comment",
  "$schema",
  "$id",
  "tags",
]);

function tolerateUnknownKeys(problem: NormalizedProblem, mode: LintMode): NormalizedProblem {
  if (mode === "project" || problem.ruleId !== "struct" || problem.severity !== "error") return problem;
  const key = problem.location[0]?.pointer?.split("/").pop() ?? "";
  const harmless =
    /is not expected here/.test(problem.message) ||
    VALIDATION_ONLY_KEYWORDS.has(key.replace(/~1/g, "/").replace(/~0/g, "~"));
  return harmless ? { ...problem, severity: "warn" } : problem;
}

// Redocly's minimal ruleset errors on style (a server URL's trailing slash); outside the project ruleset only rules
// whose failure breaks generation (structure, references, the spec's own validity rules) stop the run.
function tolerateStyle(problem: NormalizedProblem, mode: LintMode): NormalizedProblem {
  if (mode === "project" || problem.severity !== "error") return problem;
  const breaksGeneration = problem.ruleId in STRUCTURAL_RULES || problem.ruleId.startsWith("spec-");
  return breaksGeneration ? problem : { ...problem, severity: "warn" };
}

/**
 * OpenAPI 3.2 adds `style: cookie` for `in: cookie` parameters, which Redocly's 3.2 types do not list yet: that
 * struct complaint is dropped in every mode, as the parameter is valid.
 */
async function isCookieStyle(spec: LoadedSpec, problem: NormalizedProblem): Promise<boolean> {
  const where = problem.location[0];
  if (!spec.version.startsWith("3.2.") || problem.ruleId !== "struct" || !where?.pointer?.endsWith("/style"))
    return false;
  const file =
    where.source === spec.document.source ? spec.document : await spec.resolver.cache.get(where.source.absoluteRef);
  if (!file || !("parsed" in file)) return false;
  let node: unknown = file.parsed;
  const keys = where.pointer.replace(/^#\//, "").split("/").slice(0, -1);
  for (const key of keys) {
    node =
      isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[decodePointerSegment(key)] : undefined;
  }
  return isRecord(node) && node.in === "cookie" && node.style === "cookie";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function severityRank(problem: NormalizedProblem): number {
  return problem.severity === "error" ? 0 : 1;
}
