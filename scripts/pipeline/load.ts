// Stage 1: read the spec and every file it $refs, once, into Redocly's resolver cache.
import { existsSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { BaseResolver, type Document } from "@redocly/openapi-core";
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

/** Loads and parses the root spec; refuses anything that is not an OpenAPI 3.0/3.1 document. */
export async function loadSpec(path: string): Promise<LoadedSpec> {
  const file = resolve(path);
  const shown = displayPath(file);
  if (!existsSync(file)) throw new PipelineError(`spec file not found`, { file: shown });
  if (statSync(file).isDirectory()) throw new PipelineError(`spec path is a directory, not a file`, { file: shown });

  const resolver = new BaseResolver();
  let loaded: Document | Error;
  try {
    loaded = await resolver.resolveDocument(null, file, true);
  } catch (error) {
    loaded = error as Error;
  }
  if (loaded instanceof Error) throw parseFailure(loaded, shown);

  const root = loaded.parsed as Record<string, unknown> | null;
  if (root === null || typeof root !== "object" || Array.isArray(root)) {
    throw new PipelineError("not an OpenAPI document: the file's top level is not a mapping", {
      file: shown,
      line: 1,
      col: 1,
    });
  }
  const version = root.openapi;
  if (typeof version !== "string" || !/^3\.[01]\.\d+/.test(version)) {
    const found =
      root.swagger !== undefined
        ? `swagger: ${String(root.swagger)}`
        : version === undefined
          ? "no `openapi` field"
          : `openapi: ${String(version)}`;
    throw new PipelineError(`not an OpenAPI 3.0/3.1 document (${found}); only 3.0.x and 3.1.x are supported`, {
      file: shown,
      line: 1,
      col: 1,
    });
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
  if (error.name === "YamlParseError" || error.constructor.name === "YamlParseError") {
    const reason = error.message
      .split("\n")[0]
      .replace(/ in "[^"]*"/, "")
      .replace(/ \(\d+:\d+\)$/, "");
    return new PipelineError(`YAML syntax error: ${reason}`, { file, line: error.line, col: error.col });
  }
  return new PipelineError(`cannot read spec: ${error.message.replace(/^ENOENT: /, "")}`, { file });
}
