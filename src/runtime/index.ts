/**
 * `flora-sdk/runtime`: the API-neutral runtime that generated code imports (retries, idempotency keys,
 * per-attempt timeouts, typed errors, SSE and webhook signatures), for clients generated from any spec.
 *
 * @packageDocumentation
 * @module flora-sdk/runtime
 */
export type * from "./types.js";
export * from "./errors.js";
export {
  createRuntime,
  resolveIdempotencyKey,
  checkBaseUrl,
  isLoopbackHost,
  type Runtime,
  type RuntimeOptions,
  type SentResponse,
} from "./client.js";
export {
  cookieHeader,
  headerValues,
  multipartBody,
  parameterSerialization,
  pathSerializer,
  querySerializer,
  serializeBody,
  serializeValue,
  urlencodedBody,
  type Encode,
  type ParameterLocation,
  type Serialization,
} from "./serialize.js";
export { applyCredentials, redactingLogger, type CredentialProvider, type RequestCredentials } from "./credentials.js";
export {
  createClientRuntime,
  readEnv,
  schemeCredentials,
  type BaseClientOptions,
  type BasicCredential,
  type ClientEnvironment,
  type ClientSpec,
  type CredentialScheme,
  type SchemeCredential,
  type TokenProvider,
} from "./ready-client.js";
export {
  bufferedBody,
  createRetryingFetch,
  type AttemptPolicy,
  type AttemptOutcome,
  type BufferedBody,
  type FetchLike,
  type StreamBody,
} from "./fetch.js";
export { shouldRetry, retryAfterMs, retryDelayMs, MAX_RETRY_AFTER_MS } from "./retry.js";
export { createLogger, isLogLevel, redactError, redactSecrets, type Logger, type LogLevel } from "./log.js";
export {
  checkHeader,
  checkHeaders,
  checkNumber,
  checkSignal,
  shapeProblem,
  MAX_TIMER_MS,
  MILLISECONDS,
  RETRIES,
  type NumberRange,
} from "./check.js";
export { sleep, type Sleep } from "./sleep.js";
export { paginate, type PagePromise, type PageRequest, type PaginationDescriptor } from "./pagination.js";
export { PaginationError } from "./page-walk.js";
