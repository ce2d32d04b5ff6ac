// An error body read as an ErrorEnvelopeDescriptor says, for APIs whose envelope is not Flora's. Loaded by the
// runtime with the first error response of a client that has a descriptor, so Flora's bundle never carries it.
import { isRecord } from "./check.js";
import type { ErrorEnvelope, ErrorEnvelopeDescriptor } from "./errors.js";

/** The code and message at the first of the descriptor's paths that holds a string; `{}` for a body that is no object. */
export function readEnvelope(body: unknown, descriptor: ErrorEnvelopeDescriptor): ErrorEnvelope {
  if (!isRecord(body)) return {};
  return { code: firstString(body, descriptor.code), message: firstString(body, descriptor.message) };
}

/** The value at the first of `paths` that holds a string. */
function firstString(body: Record<string, unknown>, paths: ErrorEnvelopeDescriptor["code"]): string | undefined {
  for (const path of paths ?? []) {
    let value: unknown = body;
    for (const key of path) value = isRecord(value) ? value[key] : undefined;
    if (typeof value === "string") return value;
  }
  return undefined;
}
