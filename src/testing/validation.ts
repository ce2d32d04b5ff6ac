import type { CreateTechniqueRunBody, FieldError } from "./types.js";

const INPUT_TYPES: ReadonlySet<string> = new Set(["text", "imageUrl", "videoUrl", "image_url", "video_url"]);
const MODES: ReadonlySet<string> = new Set(["async", "stream"]);
const BODY_PROPERTIES: ReadonlySet<string> = new Set(["inputs", "mode", "callback_url", "idempotency_key"]);
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Outcome of validating a create body: the typed body and the effective key, or field errors. */
export type CreateBodyValidation =
  { ok: true; body: CreateTechniqueRunBody; idempotencyKey?: string } | { ok: false; fields: FieldError[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false;
  }
}

function inputErrors(inputs: unknown): FieldError[] {
  if (!Array.isArray(inputs)) return [{ field: "inputs", message: "must be an array" }];
  if (inputs.length === 0) return [{ field: "inputs", message: "must contain at least 1 item" }];
  return inputs.flatMap((input: unknown, index): FieldError[] => {
    const at = `inputs[${index}]`;
    if (!isRecord(input)) return [{ field: at, message: "must be an object" }];
    const errors: FieldError[] = [];
    if (typeof input.id !== "string") errors.push({ field: `${at}.id`, message: "must be a string" });
    // Flora refuses an empty input id (issue 9), though its published spec states no minLength.
    else if (input.id === "") errors.push({ field: `${at}.id`, message: "must not be empty" });
    if (typeof input.type !== "string" || !INPUT_TYPES.has(input.type)) {
      errors.push({ field: `${at}.type`, message: "must be one of text, imageUrl, videoUrl" });
    }
    if (typeof input.value !== "string") errors.push({ field: `${at}.value`, message: "must be a string" });
    return errors;
  });
}

function keyErrors(bodyKey: unknown, headerKey: string | undefined): FieldError[] {
  if (bodyKey === undefined) return [];
  if (typeof bodyKey !== "string" || bodyKey.length === 0 || bodyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return [{ field: "idempotency_key", message: `must be a string of 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` }];
  }
  if (headerKey !== undefined && headerKey !== bodyKey) {
    return [{ field: "idempotency_key", message: "must equal the Idempotency-Key header when both are sent" }];
  }
  return [];
}

/** Validates a parsed create body the way Flora's spec describes it (additionalProperties: false). */
export function validateCreateBody(value: unknown, headerKey: string | undefined): CreateBodyValidation {
  if (!isRecord(value)) return { ok: false, fields: [{ field: "body", message: "must be a JSON object" }] };
  const fields: FieldError[] = [...inputErrors(value.inputs)];
  if (typeof value.mode !== "string" || !MODES.has(value.mode)) {
    fields.push({ field: "mode", message: "must be one of async, stream" });
  }
  if (value.callback_url !== undefined && (typeof value.callback_url !== "string" || !isHttpsUrl(value.callback_url))) {
    fields.push({ field: "callback_url", message: "must be an https URL" });
  }
  if (headerKey !== undefined && (headerKey.length === 0 || headerKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    fields.push({ field: "Idempotency-Key", message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` });
  }
  fields.push(...keyErrors(value.idempotency_key, headerKey));
  for (const property of Object.keys(value)) {
    if (!BODY_PROPERTIES.has(property)) fields.push({ field: property, message: "is not allowed" });
  }
  if (fields.length > 0) return { ok: false, fields };
  const idempotencyKey = headerKey ?? (value.idempotency_key as string | undefined);
  const body = value as unknown as CreateTechniqueRunBody;
  return idempotencyKey === undefined ? { ok: true, body } : { ok: true, body, idempotencyKey };
}
