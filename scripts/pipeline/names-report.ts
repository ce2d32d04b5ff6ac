// The naming report (`npm run generate -- --names`): every generated method beside its HTTP method and path.
import { basename } from "node:path";
import { bundleSpec } from "./bundle.js";
import { PipelineError } from "./errors.js";
import { displayPath, loadSpec } from "./load.js";
import { buildModel, type ApiModel } from "./model/index.js";
import { readNameOverrides } from "./name-overrides.js";

/** One line of the report: a method of the generated client and the request it sends. */
export interface NamingRow {
  /** `techniques.runs.create`, as a caller writes it after the client. */
  name: string;
  method: string;
  path: string;
  /** How the name was chosen (model NameRule), or `stream` for an event-stream twin. */
  rule: string;
  /** The operationId, when the spec gives one. */
  operationId?: string;
}

export function namingRows(model: ApiModel): NamingRow[] {
  return model.operations.flatMap((op) => {
    const row = {
      name: [...op.resourcePath, op.methodName].join("."),
      method: op.method.toUpperCase(),
      path: op.path,
      rule: op.nameRule ?? "",
      ...(op.idFromSpec ? { operationId: op.id } : {}),
    };
    const stream = op.eventStream && {
      ...row,
      name: [...op.resourcePath, op.eventStream.methodName].join("."),
      rule: "stream",
    };
    return stream ? [row, stream] : [row];
  });
}

/**
 * The report as text: a header line naming the spec, then one aligned line per method
 * (`name  METHOD  /path  rule`), in spec order, stream methods after their operation.
 */
export function formatNamingReport(model: ApiModel, specName: string): string {
  const rows = namingRows(model);
  const width = (pick: (r: NamingRow) => string) => Math.max(0, ...rows.map((r) => pick(r).length));
  const [name, method, path] = [width((r) => r.name), width((r) => r.method), width((r) => r.path)];
  const lines = rows.map((r) =>
    `${r.name.padEnd(name)}  ${r.method.padEnd(method)}  ${r.path.padEnd(path)}  ${r.rule}`.trimEnd(),
  );
  const streams = rows.length - model.operations.length;
  const header = `# ${specName}: ${model.operations.length} operation(s)${streams ? `, ${streams} stream method(s)` : ""}`;
  return [header, ...lines].join("\n") + "\n";
}

/**
 * The model as generate builds it (load → bundle → model, with the spec's name-override file), without lint,
 * types or emit, so the report over a large spec takes well under a second.
 */
export async function namingModel(specPath: string): Promise<ApiModel> {
  const spec = await loadSpec(specPath);
  const overrides = readNameOverrides(spec.file);
  try {
    return buildModel(await bundleSpec(spec), { nameOverrides: overrides });
  } catch (error) {
    // Stages after load know JSON pointers, not files: name the spec file, as generate does.
    if (!(error instanceof PipelineError) || error.location?.file) throw error;
    throw new PipelineError(error.message, { ...error.location, file: displayPath(spec.file) }, error.exitCode);
  }
}

export async function namingReport(specPath: string): Promise<string> {
  return formatNamingReport(await namingModel(specPath), basename(specPath));
}
