/**
 * `flora-sdk`: the typed client for Flora's technique-runs API. Portable: nothing here imports from `node:`.
 * @module flora-sdk
 */
export { Flora, Flora as default } from "./flora.js";
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
  FloraError,
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
export { signWebhookPayload } from "./runtime/webhook-signature.js";
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
} from "../generated/index.js";
export { VERSION } from "./version.js";
