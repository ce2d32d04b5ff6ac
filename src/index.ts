/**
 * `flora-sdk`: the typed client for Flora's technique-runs API. Portable: nothing here imports from `node:`.
 * @module flora-sdk
 */
export { Flora, Flora as default, FloraError } from "./flora.js";
export type {
  FloraTechniques,
  FloraOptions,
  WaitOptions,
  CreateAndWaitOptions,
  RunReference,
  StreamRunBody,
  RunHelpers,
  FloraWebhooks,
} from "./flora.js";
export {
  APIError,
  BadRequestError,
  AuthenticationError,
  PaymentRequiredError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  UnprocessableEntityError,
  RateLimitError,
  InternalServerError,
  IdempotencyError,
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  MalformedResponseError,
  ValidationError,
  WebhookVerificationError,
  StreamParseError,
  type FieldError,
} from "./runtime/errors.js";
// PaginationError comes from flora-sdk/runtime: exported here, the lazily loaded page walk would load at once.
export type { PagePromise } from "./runtime/pagination.js";
import type { WebhookBody } from "./runtime/webhooks.js";

/**
 * Signs `rawBody` as Flora signs a webhook delivery, for testing an endpoint: resolves with the
 * `Flora-Signature` header value `t=<timestampSeconds>,v1=<hex HMAC-SHA256>`. Throws FloraError on an empty
 * secret or a timestamp that is not whole, non-negative unix seconds. Loaded on first use.
 */
export async function signWebhookPayload(
  rawBody: WebhookBody,
  secret: string,
  timestampSeconds: number,
): Promise<string> {
  const signature = await import("./runtime/webhook-signature.js");
  return signature.signWebhookPayload(rawBody, secret, timestampSeconds);
}
export type { FloraWebhookEvent, UnwrapWebhookOptions, WebhookBody, WebhookHeaders } from "./runtime/webhooks.js";
export type { RequestOptions } from "./runtime/types.js";
export type { Logger, LogLevel } from "./runtime/log.js";
export type { FetchLike } from "./runtime/fetch.js";
export type { Sleep } from "./runtime/sleep.js";
export type {
  Run,
  RunOutput,
  TechniqueInput,
  CreateTechniqueRunRequest,
  CreateTechniqueRunBody,
  CreateTechniqueRunStreamEvent,
  CreateTechniqueRunStreamData,
  Technique,
  TechniqueIO,
  TechniquePage,
  ListTechniquesParams,
  ListTechniquesItem,
} from "../generated/index.js";
export { VERSION } from "./version.js";
