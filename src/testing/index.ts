/**
 * `flora-sdk/testing`: a Flora-compatible technique-runs server on 127.0.0.1 with fault
 * injection, for end-to-end tests of code that calls Flora.
 *
 * @packageDocumentation
 * @module flora-sdk/testing
 */
export { DEFAULT_WEBHOOK_SECRET, startFloraTestServer } from "./server.js";
export type {
  FloraTestServer,
  FloraTestServerOptions,
  FloraTestServerStats,
  LoggedRequest,
  StoredRun,
} from "./options.js";
export { BASE_PATH } from "./routes.js";
export {
  FAULT_KINDS,
  faultKindsFor,
  mulberry32,
  STREAM_FAULT_KINDS,
  type FaultKind,
  type FaultOptions,
  type FaultRoute,
  type StreamFault,
} from "./faults.js";
export { signWebhook, WEBHOOK_API_VERSION, type CallbackDelivery } from "./callbacks.js";
export { RUN_UPDATE_EVENT, SSE_RETRY_MS } from "./sse.js";
export type { IdempotencyMode } from "./idempotency.js";
export type {
  CreateTechniqueRunBody,
  ErrorEnvelope,
  FieldError,
  TechniqueInput,
  TechniqueInputType,
  TechniqueRun,
  TechniqueRunOutput,
  TechniqueRunStatus,
  WebhookEvent,
  WebhookEventType,
} from "./types.js";
