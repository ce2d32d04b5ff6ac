// Flora-specific input checks, run before any request so a bad call never reaches the network.
import type { CreateTechniqueRunBody, Run } from "../generated/index.js";
import { ValidationError } from "./runtime/errors.js";

/** The spec's input types plus the snake_case aliases the server also accepts. */
const INPUT_TYPES: ReadonlySet<string> = new Set(["text", "imageUrl", "videoUrl", "image_url", "video_url"]);
const MODES: ReadonlySet<string> = new Set(["async", "stream"]);

export function validateId(value: unknown, field: string): void {
  if (typeof value !== "string" || value.trim() === "")
    throw new ValidationError(`${field} must be a non-empty string.`, field);
}

export function validateCreateBody(body: CreateTechniqueRunBody): void {
  if (typeof body !== "object" || body === null)
    throw new ValidationError("body must be an object with inputs and mode.", "body");
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw new ValidationError("inputs must be a non-empty array of { id, type, value }.", "inputs");
  }
  body.inputs.forEach((input, index) => {
    if (typeof input !== "object" || input === null) {
      throw new ValidationError(`inputs[${index}] must be an object { id, type, value }.`, `inputs[${index}]`);
    }
    const id: unknown = input.id;
    if (typeof id !== "string" || id.trim() === "") {
      throw new ValidationError(
        `inputs[${index}].id must be a non-empty string naming one of the technique's inputs; got ${JSON.stringify(id) ?? "undefined"}.`,
        `inputs[${index}].id`,
      );
    }
    if (typeof input.value !== "string") {
      throw new ValidationError(`inputs[${index}].value must be a string.`, `inputs[${index}].value`);
    }
    const type: unknown = input.type;
    if (typeof type !== "string" || !INPUT_TYPES.has(type)) {
      throw new ValidationError(
        `inputs[${index}].type must be one of ${[...INPUT_TYPES].join(", ")}; got ${JSON.stringify(type)}.`,
        `inputs[${index}].type`,
      );
    }
  });
  const mode: unknown = body.mode;
  if (typeof mode !== "string" || !MODES.has(mode)) {
    throw new ValidationError(`mode must be "async" or "stream"; got ${JSON.stringify(mode)}.`, "mode");
  }
  if (body.callback_url !== undefined && !isHttpsUrl(body.callback_url)) {
    throw new ValidationError(
      `callback_url must be an https:// URL; got ${JSON.stringify(body.callback_url)}.`,
      "callback_url",
    );
  }
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}
