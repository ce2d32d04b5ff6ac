// What a long-lived process (the watcher) keeps between pipeline runs: each stage's last output, keyed by a hash of the
// inputs that stage really reads, so a save re-runs only the stages whose inputs changed. One entry per stage.
import { createHash } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { OpenAPIDocument } from "./bundle.js";
import { PROJECT_CONFIG, type LintMode, type LintReport } from "./lint.js";
import type { LoadedSpec } from "./load.js";
import type { ApiModel } from "./model/index.js";
import { MAX_OVERRIDE_FILE_BYTES, nameOverridesPath } from "./name-overrides.js";
import type { FormatMemo } from "./render-worker.js";

/** What load, lint and bundle produced, reused together: bundling rewrites the loaded documents in place. */
export interface FrontStages {
  spec: LoadedSpec;
  report: LintReport;
  document: OpenAPIDocument;
  /** Content key of the bundled document: what model and types read. */
  documentKey: string;
}

interface Entry<T> {
  key: string;
  value: T;
}

/** sha256 of strings joined with a separator no path or key contains. */
function hashOf(parts: readonly string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\u0000");
  return hash.digest("hex");
}

/**
 * JSON with what JSON.stringify would blur spelled out (undefined, Map, Set, bigint, NaN and ±Infinity), so two models
 * share a key only when emitting them gives the same files; undefined (no key) for a value it cannot write (a cycle).
 */
function contentKey(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (v === undefined) return "\u0000undefined";
      if (typeof v === "bigint") return `\u0000bigint:${v}`;
      if (typeof v === "number" && !Number.isFinite(v)) return `\u0000number:${v}`;
      if (v instanceof Map) return { "\u0000map": [...v] };
      if (v instanceof Set) return { "\u0000set": [...v] };
      return v;
    });
    return hashOf([text]);
  } catch {
    return undefined;
  }
}

/** A file's text as Redocly's resolver reads it (CRLF as LF), or undefined when it is not a readable local file. */
function readSource(path: string): string | undefined {
  if (!isAbsolute(path)) return undefined;
  try {
    return readFileSync(path, "utf8").replace(/\r\n/g, "\n");
  } catch {
    return undefined;
  }
}

/**
 * The name-override file's text, null when there is none; undefined when it is something readNameOverrides refuses
 * (too large, not a regular file, unreadable): then the model stage runs, and reports it.
 */
function nameOverridesText(specFile: string): string | null | undefined {
  const file = nameOverridesPath(specFile);
  try {
    const stat = lstatSync(file, { throwIfNoEntry: false });
    if (!stat) return null;
    if (!stat.isFile() || stat.size > MAX_OVERRIDE_FILE_BYTES) return undefined;
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export interface FrontOptions {
  spec: string;
  lint: LintMode;
}

/**
 * Per-stage memo for repeated runs of one process; pass the same instance as `cache` to every runPipeline call.
 * Keys: load, lint and bundle share the texts of every file the last run loaded (spec and $ref'd files, re-read from
 * disk on each run), the lint mode and, under `project`, redocly.yaml's text; model the bundled document, the spec's
 * path and its `<spec>.names.yaml`; types the bundled document; emit the model and the emit context; format each
 * emitted file's text. The write stage always runs (it compares with the disk). Entries are stored only by stages
 * that succeeded, so a broken save never replaces a good entry.
 */
export class StageCache {
  private front?: Entry<FrontStages> & { sources: string[] };
  private readonly entries = new Map<string, Entry<unknown>>();
  /** Each emitted file's last text before and after prettier, handed to the render worker so it formats only changes. */
  formatMemo: FormatMemo = [];

  /**
   * Everything the front stages read besides the loaded files: spec path, lint mode, the project's lint config, and
   * the working directory (messages name files relative to it).
   */
  private frontInputs(options: FrontOptions): string[] | undefined {
    const config = options.lint === "project" ? readSource(PROJECT_CONFIG) : "";
    return config === undefined ? undefined : [process.cwd(), resolve(options.spec), options.lint, config];
  }

  /** Load, lint and bundle as the last run left them, when none of the files that run loaded has changed since. */
  reuseFront(options: FrontOptions): FrontStages | undefined {
    if (!this.front) return undefined;
    const inputs = this.frontInputs(options);
    const texts = this.front.sources.map(readSource);
    if (!inputs || texts.some((text) => text === undefined)) return undefined;
    const key = hashOf([...inputs, ...this.front.sources.flatMap((path, i) => [path, texts[i] as string])]);
    return key === this.front.key ? this.front.value : undefined;
  }

  /** Keeps a successful front run, keyed by the texts the resolver actually parsed (an edit made mid-run is seen next run). */
  async keepFront(
    options: FrontOptions,
    { spec, report, document }: Omit<FrontStages, "documentKey">,
  ): Promise<FrontStages> {
    const documentKey = contentKey(document) ?? `uncached:${Date.now()}:${Math.random()}`;
    const value = { spec, report, document, documentKey };
    this.front = undefined;
    const inputs = this.frontInputs(options);
    const sources = [...spec.resolver.cache.keys()].sort();
    const loaded = await Promise.all(sources.map((path) => spec.resolver.cache.get(path)));
    const texts = loaded.map((doc) =>
      doc && "source" in doc && isAbsolute(doc.source.absoluteRef) ? doc.source.body : undefined,
    );
    if (inputs && texts.every((text) => text !== undefined))
      this.front = {
        key: hashOf([...inputs, ...sources.flatMap((path, i) => [path, texts[i] as string])]),
        value,
        sources,
      };
    return value;
  }

  /**
   * The model stage's key (the bundled document, the spec's path, its name-override file and the working directory)
   * and the name-override file's text it hashed: null when there is no such file, undefined (and no key) when it
   * could not be read. The model stage parses this text, never a second read, so the key is the text's it used.
   */
  modelInputs(front: FrontStages): { key?: string; nameOverrides?: string | null } {
    const names = nameOverridesText(front.spec.file);
    if (names === undefined) return {};
    const file = nameOverridesPath(front.spec.file);
    return {
      key: hashOf([
        "model",
        front.documentKey,
        front.spec.file,
        names === null ? "" : `${file}\n${names}`,
        process.cwd(),
      ]),
      nameOverrides: names,
    };
  }

  /** The types stage's key: the bundled document alone. */
  typesKey(front: FrontStages): string {
    return hashOf(["types", front.documentKey]);
  }

  /** The emit stage's key: the model and the emit context (runtime import, spec label). */
  emitKey(model: ApiModel, ctx: unknown): string | undefined {
    const key = contentKey({ model, ctx });
    return key && hashOf(["emit", key]);
  }

  /**
   * The stage's last value when `key` matches its last entry (`skipped: true`), else `work()`'s, kept as the new entry
   * once it succeeds. An undefined key always runs the work and drops the old entry.
   */
  async memo<T>(
    stage: string,
    key: string | undefined,
    work: () => Promise<T>,
  ): Promise<{ value: T; skipped: boolean }> {
    const entry = this.entries.get(stage) as Entry<T> | undefined;
    if (key !== undefined && entry?.key === key) return { value: entry.value, skipped: true };
    this.entries.delete(stage);
    const value = await work();
    if (key !== undefined) this.entries.set(stage, { key, value });
    return { value, skipped: false };
  }
}
