// diffSpecs: load both versions, compare them and build the report; shared by `diff` and `release:notes`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../pipeline/run.js";
import { compareDocuments } from "./compare.js";
import { buildReport } from "./report.js";
import { loadVersion } from "./source.js";
import type { DiffReport } from "./types.js";

export interface DiffOptions {
  /** A spec file, a git ref or `ref:path`. */
  base: string;
  /** A spec file (or a git ref); also names the path read at a base git ref. */
  head: string;
  /** The version the bump applies to; default: package.json's. */
  currentVersion?: string;
}

export function packageVersion(root = REPO_ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "0.0.0";
}

export async function diffSpecs(options: DiffOptions): Promise<DiffReport> {
  const head = await loadVersion(options.head, options.head, "head");
  const base = await loadVersion(options.base, options.head, "base");
  const changes = compareDocuments(base.document, head.document);
  return buildReport(base.label, head.label, changes, options.currentVersion ?? packageVersion());
}
