// The test server's technique catalogue: `GET /techniques` (cursor pages) and `GET /techniques/{techniqueId}`.
import type { FieldError, Technique, TechniqueIO, TechniquePage } from "./types.js";

/** A technique the test server knows: `id` plus any fields of Flora's technique definition to override. */
export interface TestTechnique {
  /** The id or slug that runs, retrieve and `checkInputs` use, e.g. `"art-directors-critique"`. */
  id: string;
  /** Default `tech_<id>` (or `id` itself when it starts with `tech_`); retrieve accepts it too. */
  technique_id?: string;
  /** Default: `id`. */
  name?: string;
  description?: string;
  /** Cost per run in USD. Default 0. */
  run_cost?: number;
  /** Declared inputs. Default: one required text input, `prompt`. */
  inputs?: TechniqueIO[];
  /** Declared outputs. Default: one `imageUrl` output, `image`. */
  outputs?: TechniqueIO[];
}

/** `limit` when the request gives none ([assumption]: Flora's example cursor decodes to offset 20). */
export const DEFAULT_TECHNIQUE_PAGE_SIZE = 20;
/** The largest `limit` Flora's published description allows. */
export const MAX_TECHNIQUE_PAGE_SIZE = 100;

const PROMPT: TechniqueIO = { id: "prompt", name: "Prompt", type: "text" };

/** The catalogue when `techniques` is not given: five of Flora's published technique slugs, inputs [assumption]. */
export const DEFAULT_TECHNIQUES: readonly TestTechnique[] = [
  {
    id: "art-directors-critique",
    name: "Art Director's Critique",
    inputs: [
      { id: "image", name: "Image", type: "imageUrl" },
      { id: "brief", name: "Brief", type: "text", optional: true },
    ],
    outputs: [{ id: "critique", name: "Critique", type: "text" }],
  },
  { id: "auto-translate", name: "Auto Translate", inputs: [{ id: "image", name: "Image", type: "imageUrl" }, PROMPT] },
  {
    id: "book-drop",
    name: "Book Drop",
    inputs: [{ id: "cover", name: "Cover", type: "imageUrl", allow_multiple: true }],
  },
  { id: "cctv-cam", name: "CCTV Cam", inputs: [{ id: "face", name: "Face", type: "imageUrl" }] },
  {
    id: "character-lock",
    name: "Character Lock",
    inputs: [
      { id: "character", name: "Character", type: "imageUrl" },
      { ...PROMPT, optional: true },
    ],
  },
];

/** One catalogue entry: the slug it answers to and the definition it returns. */
export interface CatalogueEntry {
  id: string;
  technique: Technique;
}

export function catalogueEntry(entry: string | TestTechnique): CatalogueEntry {
  const given = typeof entry === "string" ? { id: entry } : entry;
  return {
    id: given.id,
    technique: {
      technique_id: given.technique_id ?? (given.id.startsWith("tech_") ? given.id : `tech_${given.id}`),
      name: given.name ?? given.id,
      ...(given.description === undefined ? {} : { description: given.description }),
      run_cost: given.run_cost ?? 0,
      inputs: given.inputs ?? [PROMPT],
      outputs: given.outputs ?? [{ id: "image", name: "Image", type: "imageUrl" }],
    },
  };
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
