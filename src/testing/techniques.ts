// The test server's technique catalogue: `GET /techniques` (cursor pages) and `GET /techniques/{techniqueId}`.
import type { FieldError, Technique, TechniqueIO, TechniquePage } from "./types.js";

/**
 * A technique the test server knows: `id` plus any fields of Flora's technique definition to override. Fields not
 * given come from the `DEFAULT_TECHNIQUES` entry of the same `id` when there is one, else from the generic
 * definition: one required `text` input `prompt`, one `imageUrl` output `image`, cost 0.
 */
export interface TestTechnique {
  /** The id or slug that runs, retrieve and `checkInputs` use, e.g. `"art-directors-critique"`. */
  id: string;
  /** Default `tech_<id>` (or `id` itself when it starts with `tech_`); retrieve accepts it too. */
  technique_id?: string;
  /** Default: the `DEFAULT_TECHNIQUES` entry's name, else `id`. */
  name?: string;
  description?: string;
  /** Cost per run in USD. Default 0. */
  run_cost?: number;
  /** Declared inputs. Default: the `DEFAULT_TECHNIQUES` entry's, else one required text input, `prompt`. */
  inputs?: TechniqueIO[];
  /**
   * Declared outputs; a completed run returns one output per entry, of its `type`. Default: the
   * `DEFAULT_TECHNIQUES` entry's, else one `imageUrl` output, `image`.
   */
  outputs?: TechniqueIO[];
}

// Flora's example cursor `eyJvZmZzZXQiOjIwfQ` decodes to offset 20; the default page size is inferred from it.
/** `limit` when the request gives none. */
export const DEFAULT_TECHNIQUE_PAGE_SIZE = 20;
/** The largest `limit` Flora's API allows. */
export const MAX_TECHNIQUE_PAGE_SIZE = 100;

const PROMPT: TechniqueIO = { id: "prompt", name: "Prompt", type: "text" };
const IMAGE_OUTPUT: TechniqueIO = { id: "image", name: "Image", type: "imageUrl" };

// The five slugs are the ones Flora's published description lists as examples of `techniqueId`; their inputs and
// outputs are our guesses, except art-directors-critique's, which follow openapi/flora.yaml's retrieve example.
/**
 * The test server's technique catalogue: what `GET /techniques` lists when `techniques` is not given, and what a
 * bare id of one of these slugs declares when it is. Each entry's `inputs` are what `checkInputs` accepts and its
 * `outputs` are what a completed run returns.
 */
export const DEFAULT_TECHNIQUES: readonly TestTechnique[] = [
  {
    id: "art-directors-critique",
    name: "Art Director's Critique",
    description: "Analyze, critique, and redesign any creative asset.",
    inputs: [
      { id: "image", name: "Image", type: "imageUrl" },
      { id: "brief", name: "Brief", type: "text", optional: true },
    ],
    outputs: [{ id: "critique", name: "Critique", type: "text" }],
  },
  {
    id: "auto-translate",
    name: "Auto Translate",
    inputs: [{ id: "image", name: "Image", type: "imageUrl" }, PROMPT],
    outputs: [IMAGE_OUTPUT],
  },
  {
    id: "book-drop",
    name: "Book Drop",
    inputs: [{ id: "cover", name: "Cover", type: "imageUrl", allow_multiple: true }],
    outputs: [IMAGE_OUTPUT],
  },
  {
    id: "cctv-cam",
    name: "CCTV Cam",
    inputs: [{ id: "face", name: "Face", type: "imageUrl" }],
    outputs: [{ id: "video", name: "Video", type: "videoUrl" }],
  },
  {
    id: "character-lock",
    name: "Character Lock",
    inputs: [
      { id: "character", name: "Character", type: "imageUrl" },
      { ...PROMPT, optional: true },
    ],
    outputs: [IMAGE_OUTPUT],
  },
];

/** One catalogue entry: the slug it answers to and the definition it returns. */
export interface CatalogueEntry {
  id: string;
  technique: Technique;
}

/** The definition of a listed technique, or of a bare id: its `DEFAULT_TECHNIQUES` entry, else the generic one. */
export function catalogueEntry(entry: string | TestTechnique): CatalogueEntry {
  const given = typeof entry === "string" ? { id: entry } : entry;
  const known = DEFAULT_TECHNIQUES.find((technique) => technique.id === given.id);
  const merged: TestTechnique = { ...known, ...definedFields(given) };
  return {
    id: merged.id,
    technique: {
      technique_id: merged.technique_id ?? (merged.id.startsWith("tech_") ? merged.id : `tech_${merged.id}`),
      name: merged.name ?? merged.id,
      ...(merged.description === undefined ? {} : { description: merged.description }),
      run_cost: merged.run_cost ?? 0,
      inputs: structuredClone(merged.inputs ?? [PROMPT]),
      outputs: structuredClone(merged.outputs ?? [IMAGE_OUTPUT]),
    },
  };
}

/** `given` without the fields set to undefined, so they do not hide a default. */
function definedFields(given: TestTechnique): TestTechnique {
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as TestTechnique;
}

/** The entry a path id names: its slug or its technique_id. */
export function findTechnique(catalogue: readonly CatalogueEntry[], id: string): CatalogueEntry | undefined {
  return catalogue.find((entry) => entry.id === id || entry.technique.technique_id === id);
}

/** Flora's cursor form: base64 of `{"offset":N}` without padding (its example `eyJvZmZzZXQiOjIwfQ` is offset 20). */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64").replace(/=+$/, "");
}

function decodeCursor(cursor: string): number | undefined {
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { offset?: unknown };
    return Number.isInteger(offset) && (offset as number) >= 0 ? (offset as number) : undefined;
  } catch {
    return undefined;
  }
}

/** One page of `GET /techniques`, or the fields that make the query invalid. */
export function techniquePage(
  catalogue: readonly CatalogueEntry[],
  query: URLSearchParams,
): { page: TechniquePage } | { fields: FieldError[] } {
  const fields: FieldError[] = [];
  const rawLimit = query.get("limit");
  const limit = rawLimit === null ? DEFAULT_TECHNIQUE_PAGE_SIZE : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TECHNIQUE_PAGE_SIZE)
    fields.push({ field: "limit", message: `Must be an integer from 1 to ${MAX_TECHNIQUE_PAGE_SIZE}.` });
  const rawCursor = query.get("cursor");
  const offset = rawCursor === null ? 0 : decodeCursor(rawCursor);
  if (offset === undefined) fields.push({ field: "cursor", message: "Invalid cursor." });
  const workspace = query.get("workspace_id");
  if (workspace !== null && !/^ws_\S+$/.test(workspace))
    fields.push({ field: "workspace_id", message: "Must look like ws_…." });
  if (fields.length > 0 || offset === undefined) return { fields };
  const search = query.get("query")?.toLowerCase();
  const matching = catalogue.filter(
    ({ id, technique }) =>
      !search || [id, technique.name, technique.description ?? ""].some((text) => text.toLowerCase().includes(search)),
  );
  const end = offset + limit;
  return {
    page: {
      techniques: matching.slice(offset, end).map((entry) => entry.technique),
      meta: { next_cursor: end < matching.length ? encodeCursor(end) : null, total_estimate: matching.length },
    },
  };
}
