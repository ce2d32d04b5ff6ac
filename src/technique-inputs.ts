// `createAndWait(…, { checkInputs: true })`: a run's inputs checked against what the technique declares.
// Loaded only when a caller opts in, so apps that never check carry none of it.
import type { CreateTechniqueRunBody, RetrieveTechniqueResponse } from "../generated/index.js";
import { ValidationError } from "./runtime/errors.js";
import type { RequestOptions } from "./runtime/types.js";

type Technique = RetrieveTechniqueResponse;
type DeclaredInput = Technique["inputs"][number];

/** Techniques fetched for checks, per client and by the id the caller gave; a fetch that fails is dropped. */
const fetched = new WeakMap<object, Map<string, Promise<Technique>>>();

/**
 * With arguments already checked as `create` checks them (the caller does, so this module bundles no
 * validators), fetches the technique once per `client` (concurrent calls share the
 * fetch, made with the first caller's signal, timeout, retries and headers; a failed fetch is forgotten so the
 * next call tries again), then checks `body` against it with `checkTechniqueInputs`.
 */
export async function checkInputs(
  client: object,
  retrieve: (techniqueId: string, options: RequestOptions) => Promise<Technique>,
  techniqueId: string,
  body: CreateTechniqueRunBody,
  { signal, timeoutMs, maxRetries, headers }: RequestOptions,
): Promise<void> {
  let cache = fetched.get(client);
  if (cache === undefined) fetched.set(client, (cache = new Map()));
  let technique = cache.get(techniqueId);
  if (technique === undefined) {
    const pending = retrieve(techniqueId, { signal, timeoutMs, maxRetries, headers });
    cache.set(techniqueId, pending);
    pending.catch(() => {
      if (cache.get(techniqueId) === pending) cache.delete(techniqueId);
    });
    technique = pending;
  }
  checkTechniqueInputs(techniqueId, await technique, body);
}

/** The create route's snake_case aliases, read as the canonical types a technique declares. */
const TYPE_ALIASES: Readonly<Record<string, string>> = { image_url: "imageUrl", video_url: "videoUrl" };

function describe(input: DeclaredInput): string {
  const notes = [input.type, input.optional === true ? "optional" : "required"];
  if (input.allow_multiple === true) notes.push("multiple");
  return `${input.id} (${notes.join(", ")})`;
}

/**
 * Throws a ValidationError naming every input the technique does not accept, before any run starts:
 * - `inputs[i].id` that the technique does not declare;
 * - `inputs[i].type` other than the declared input's `type` (`image_url`/`video_url` count as `imageUrl`/`videoUrl`);
 * - `inputs[i].id` repeated for an input without `allow_multiple`;
 * - a declared input without `optional: true` that is missing (Flora's schema: only optional inputs may be omitted).
 * The error's `field` is the first bad field (`inputs[1].id`, or `inputs` for a missing input); its message lists
 * every problem and what the technique accepts.
 */
export function checkTechniqueInputs(techniqueId: string, technique: Technique, body: CreateTechniqueRunBody): void {
  const declared = new Map((Array.isArray(technique.inputs) ? technique.inputs : []).map((input) => [input.id, input]));
  const problems: { field: string; message: string }[] = [];
  const firstUse = new Map<string, number>();
  body.inputs.forEach((input, index) => {
    const wanted = declared.get(input.id);
    if (wanted === undefined) {
      problems.push({
        field: `inputs[${index}].id`,
        message: `${JSON.stringify(input.id)} is not an input of this technique`,
      });
      return;
    }
    const type = TYPE_ALIASES[input.type] ?? input.type;
    if (type !== wanted.type) {
      problems.push({
        field: `inputs[${index}].type`,
        message: `is ${JSON.stringify(input.type)}, but input ${JSON.stringify(input.id)} takes ${wanted.type}`,
      });
    }
    const earlier = firstUse.get(input.id);
    if (earlier !== undefined && wanted.allow_multiple !== true) {
      problems.push({
        field: `inputs[${index}].id`,
        message: `repeats inputs[${earlier}]; input ${JSON.stringify(input.id)} takes one value`,
      });
    }
    if (earlier === undefined) firstUse.set(input.id, index);
  });
  for (const input of declared.values()) {
    if (input.optional !== true && !firstUse.has(input.id)) {
      problems.push({ field: "inputs", message: `lack required input ${JSON.stringify(input.id)} (${input.type})` });
    }
  }
  if (problems.length === 0) return;
  const accepts = [...declared.values()].map(describe).join(", ") || "no inputs";
  throw new ValidationError(
    [
      `The inputs do not fit technique ${techniqueId}${technique.name ? ` (${technique.name})` : ""}; no run was started:`,
      ...problems.map((p) => `- ${p.field} ${p.message}`),
      `It accepts: ${accepts}.`,
    ].join("\n"),
    problems[0].field,
  );
}
