// Flora-specific input checks, run before any request so a bad call never reaches the network.
import type { CreateTechniqueRunBody } from "../generated/index.js";
import { describe as describeValue, invalid, stringifyJson } from "./runtime/check.js";

/** The spec's input types plus the snake_case aliases the server also accepts. */
const INPUT_TYPES: ReadonlySet<string> = new Set(["text", "imageUrl", "videoUrl", "image_url", "video_url"]);
const MODES: ReadonlySet<string> = new Set(["async", "stream"]);

export function validateId(value: unknown, field: string): void {
  if (typeof value !== "string" || value.trim() === "") throw invalid(field, "must be a non-empty string.");
}

/** Checks a run's body; `redactText` masks secrets in a quoted value before it is cut short for the message. */
export function validateCreateBody(body: CreateTechniqueRunBody, redactText: (text: string) => string = String): void {
  const describe = (value: unknown) => describeValue(typeof value === "string" ? redactText(value) : value);
  if (typeof body !== "object" || body === null) throw invalid("body", "must be an object with inputs and mode.");
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw invalid("inputs", "must be a non-empty array of { id, type, value }.");
  }
  body.inputs.forEach((input, index) => {
    const at = `inputs[${index}]`;
    if (typeof input !== "object" || input === null) throw invalid(at, "must be an object { id, type, value }.");
    const id: unknown = input.id;
    if (typeof id !== "string" || id.trim() === "") {
      throw invalid(
        `${at}.id`,
        `must be a non-empty string naming one of the technique's inputs; got ${describe(id)}.`,
      );
    }
    if (typeof input.value !== "string") throw invalid(`${at}.value`, "must be a string.");
    const type: unknown = input.type;
    if (typeof type !== "string" || !INPUT_TYPES.has(type)) {
      throw invalid(`${at}.type`, `must be one of ${[...INPUT_TYPES].join(", ")}; got ${describe(type)}.`);
    }
  });
  const mode: unknown = body.mode;
  if (typeof mode !== "string" || !MODES.has(mode)) {
    throw invalid("mode", `must be "async" or "stream"; got ${describe(mode)}.`);
  }
  if (body.callback_url !== undefined && !isHttpsUrl(body.callback_url)) {
    throw invalid("callback_url", `must be an https:// URL; got ${describe(body.callback_url)}.`);
  }
}

/**
 * The checks of a run's start, before anything is sent: `techniqueId` and the body's inputs and mode
 * (validateCreateBody); with `json`, also that JSON can carry the whole body (stringifyJson; the runtime checks it as
 * it sends, so only a call that fetches something first needs it). A value quoted in a message has the client's
 * secrets (its API key) masked, and the ValidationError goes through `redact` too.
 */
export function checkCreateCall(
  techniqueId: string,
  body: CreateTechniqueRunBody,
  runtime: { redact(error: unknown): unknown; redactText(text: string): string },
  json?: boolean,
): void {
  try {
    validateId(techniqueId, "techniqueId");
    validateCreateBody(body, runtime.redactText);
    if (json) stringifyJson(body);
  } catch (error) {
    throw runtime.redact(error);
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
