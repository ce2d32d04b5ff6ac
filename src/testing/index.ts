/**
 * `flora-sdk/testing`: a Flora-compatible server on 127.0.0.1 (technique catalogue and technique runs) with
 * fault injection, for end-to-end tests of code that calls Flora.
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
  DEFAULT_TECHNIQUES,
  DEFAULT_TECHNIQUE_PAGE_SIZE,
  MAX_TECHNIQUE_PAGE_SIZE,
  type TestTechnique,
} from "./techniques.js";
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
  Technique,
  TechniqueInput,
  TechniqueInputType,
  TechniqueIO,
  TechniqueIOType,
  TechniquePage,
  TechniqueRun,
  TechniqueRunOutput,
  TechniqueRunStatus,
  WebhookEvent,
  WebhookEventType,
} from "./types.js";
