// The name-override file: `<spec basename>.names.yaml` beside the spec, for specs a maintainer cannot edit.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument } from "yaml";
import { PipelineError } from "./errors.js";
import { displayPath } from "./load.js";
import { memberName } from "./model/names.js";
import type { NameOverrideEntry } from "./model/resources.js";

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `openapi/stripe.yaml` → `openapi/stripe.names.yaml`. */
export function nameOverridesPath(specFile: string): string {
  return join(dirname(specFile), `${basename(specFile, extname(specFile))}.names.yaml`);
}

/**
 * Reads the spec's name-override file, when there is one: a YAML mapping of `operationId` or `METHOD /path`
 * to `resource.path.method` (a lone `method` puts it on the client's root). Throws a PipelineError naming
 * the file, line and entry for anything that is not such a mapping or not a dotted path of identifiers;
 * unknown operations and collisions are reported when the model places the entries.
 */
export function readNameOverrides(specFile: string): NameOverrideEntry[] {
  const file = nameOverridesPath(specFile);
  if (!existsSync(file)) return [];
  const shown = displayPath(file);
  const lines = new LineCounter();
  const doc = parseDocument(readFileSync(file, "utf8"), { lineCounter: lines, uniqueKeys: true });
  const at = (offset: number | undefined) => {
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
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value).trim() : "";
    const location = at(isScalar(keyNode) ? keyNode.range?.[0] : undefined);
    if (!key) throw new PipelineError("an entry's key must be an operationId or `METHOD /path`", location);
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    if (typeof value !== "string" || !value.trim())
      throw new PipelineError(`name override "${key}": the value must be a name such as "charges.capture"`, location);
    const parts = value.trim().split(".");
    // memberName marks a prototype name (`constructor`, `__proto__`) with a trailing `_`.
    const bad = parts.find((part) => !IDENTIFIER.test(part) || memberName(part) === `${part}_`);
    if (bad !== undefined)
      throw new PipelineError(
        `name override "${key}": "${value.trim()}" is not a dotted path of identifiers ("${bad}" is not an identifier, or is a prototype member)`,
        location,
      );
    return { key, resourcePath: parts.slice(0, -1), methodName: parts[parts.length - 1], location };
  });
}
