// The intermediate model: everything the emitters need, and nothing they must dig out of the spec.
import type { ErrorEnvelopeDescriptor } from "../../../src/runtime/errors.js";
import type {
  EncodingDescriptor,
  EventDataFormat,
  HttpMethod,
  IdempotencyDescriptor,
  ParameterStyle,
  ResponseKind,
  ValueShape,
} from "../../../src/runtime/types.js";
import type { PaginationDescriptor } from "../../../src/runtime/pagination.js";

export interface ParameterModel {
  /** Name as written in the spec (the wire name). */
  name: string;
  /** A valid, unique TypeScript identifier for a positional argument. */
  identifier: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  /**
   * True when the spec types this parameter as a value a style can write (a string, number or boolean, an array
   * of those, or an object): the argument takes the spec's type. Otherwise (undeclared, nullable) a plain string.
   */
  specTyped: boolean;
  /** The spec's `style`, or its default: form for query and cookie, simple for path and header. */
  style: ParameterStyle;
  /** The spec's `explode`, or its default: true for form, false otherwise. */
  explode: boolean;
  /** Query only: reserved characters go unencoded. */
  allowReserved: boolean;
  /** The media type of a parameter declared with `content` (its one entry), whose value is sent whole, no style. */
  contentType?: string;
  description?: string;
  /** The parameter schema's type, allowed values and default, for input forms (the CLI's flags). */
  value?: ValueModel;
}

/** A value's schema as an input form reads it (scripts/pipeline/model/values.ts). */
export interface ValueModel {
  /** The JSON type; "unknown" when the schema gives none or several (a oneOf, a list of types). */
  type: "string" | "number" | "integer" | "boolean" | "array" | "object" | "unknown";
  /** The allowed values, when the schema lists scalars (`enum`, `const`). */
  enum?: (string | number | boolean)[];
  /** Arrays: the items' value. */
  items?: ValueModel;
  /** The spec's `default`, when it is a scalar. */
  default?: string | number | boolean;
  /** The schema also allows null. */
  nullable?: boolean;
}

/** One top-level field of an object request body. */
export interface BodyFieldModel {
  name: string;
  required: boolean;
  description?: string;
  value: ValueModel;
}

export interface OperationModel {
  /** operationId, or one derived from method and path. */
  id: string;
  /** True when `id` is the spec's operationId. */
  idFromSpec: boolean;
  /** Unique camelCase key of the descriptor in `operationDescriptors`. */
  key: string;
  /** Unique PascalCase stem for this operation's exported types. */
  typeStem: string;
  method: HttpMethod;
  path: string;
  summary?: string;
  description?: string;
  deprecated: boolean;
  /** Where the wrapper lives, e.g. ["techniques", "runs"], and its name there, e.g. "create". */
  resourcePath: string[];
  methodName: string;
  /** How the name was chosen, for the naming report (`npm run generate -- --names`). */
  nameRule?: NameRule;
  pathParams: ParameterModel[];
  queryParams: ParameterModel[];
  headerParams: ParameterModel[];
  cookieParams: ParameterModel[];
  requestBody?: {
    contentType: string;
    required: boolean;
    description?: string;
    /** Form bodies: each field's Encoding Object as the spec gives it (only the keys it sets). */
    encoding?: Record<string, EncodingDescriptor>;
    /** multipart: the fields that carry a file (or an array of files), which the body type lets be a Blob. */
    fileFields?: string[];
    /** The top-level fields of an object body (readOnly ones left out); absent for any other body. */
    fields?: BodyFieldModel[];
  };
  /**
   * What the operation needs, each alternative as its scheme names (`[]` within: none needed): its own `security`,
   * else the root's, else `[]`; absent when the spec declares security nowhere.
   */
  security?: string[][];
  /** The path item's or operation's own `servers` (the operation's win), when it declares any. */
  servers?: ServerModel[];
  /** Success responses the wrapper resolves with: status keys as openapi-typescript writes them, and the media type read. */
  successResponses: { status: string; mediaType?: string }[];
  response: ResponseKind;
  /** What a JSON success body must be, when every success response states the same. */
  responseShape?: ValueShape;
  mutating: boolean;
  idempotency?: IdempotencyDescriptor;
  streaming: boolean;
  /** An OpenAPI 3.2 event stream whose `itemSchema` types each event: the wrapper gets a typed streaming method. */
  eventStream?: EventStreamModel;
  /** A list operation that pages (detected, or `x-pagination`): the wrapper returns a PagePromise. */
  pagination?: PaginationModel;
  /** Self-contained JSON Schemas of the parameters and body (model/input-schemas.ts), for outputs that validate input. */
  inputSchemas?: InputSchemasModel;
}

/**
 * JSON Schemas (2020-12 keywords, OpenAPI's dialect rewritten) of an operation's inputs. `$ref`s are inlined, or,
 * when shared or recursive, point at `#/$defs/<name>`: whoever assembles a schema from these puts `defs` at its root.
 */
export interface InputSchemasModel {
  /** By `${in}:${name}`, for each parameter of the operation's path/query/header/cookie lists. */
  parameters: Record<string, unknown>;
  /** The request body's schema for `requestBody.contentType`, when the operation has a body. */
  body?: unknown;
  defs?: Record<string, unknown>;
}

/**
 * How a list operation pages, as the runtime reads it, plus what only the generator uses: the success response
 * whose schema types an item, and the page-size parameter (shown in the method's docs).
 */
export interface PaginationModel extends PaginationDescriptor {
  limitParam?: string;
  /** The 2xx status and JSON media type whose schema the items were found in. */
  status: string;
  mediaType: string;
}

/**
 * crud: create/list/retrieve/update/delete from method and path; action: a trailing verb segment (`batches.cancel`);
 * singleton: a resource with no items (`me.player.retrieve`); download: a binary GET; fallback: shortened from the
 * operationId; x-sdk: `x-sdk-resource` / `x-sdk-method`; override: the name-override file.
 */
export type NameRule = "crud" | "action" | "singleton" | "download" | "fallback" | "x-sdk" | "override";

export interface EventStreamModel {
  /** The success status and text/event-stream media type whose `itemSchema` describes each event. */
  status: string;
  mediaType: string;
  /** "json" when each event's `data` is JSON (a JSON `contentMediaType`), else "text"; by event name for a oneOf of events. */
  data: EventDataFormat;
  /** True when the itemSchema is a oneOf (or anyOf) of event shapes: the event type is their union. */
  union?: boolean;
  /** Name of the streaming wrapper beside the operation's own, e.g. `createStream`. */
  methodName: string;
}

export interface SchemaAlias {
  /** Name under components.schemas. */
  name: string;
  /** Exported type alias name. */
  identifier: string;
  description?: string;
}

export interface ApiModel {
  title: string;
  version: string;
  operations: OperationModel[];
  schemas: SchemaAlias[];
  servers: ServerModel[];
  securitySchemes: SecuritySchemeModel[];
  /** The `security` most operations share, which descriptors leave out (see `applySecurity`); absent when none is declared. */
  security?: string[][];
  /** What the generated `createClient` needs beyond the operations. */
  client: ClientModel;
  /** One line per part of the spec the generated code leaves out (e.g. a 3.2 querystring parameter), for the log. */
  warnings: string[];
}

export interface ServerModel {
  /** URL template, e.g. `https://{region}.example.com/v1`. */
  url: string;
  description?: string;
  /** Each `{name}` in the template: its default and, when the spec lists them, the allowed values. */
  variables: Record<string, { default: string; enum?: string[] }>;
}

export interface SecuritySchemeModel {
  /** Key under components.securitySchemes. */
  name: string;
  /** apiKey, http, oauth2, openIdConnect, mutualTLS. */
  type: string;
  /** apiKey only: where the key goes. */
  in?: "header" | "query" | "cookie";
  /** apiKey only: the header, query or cookie name. */
  parameterName?: string;
  /** http only, lowercase: bearer, basic, … */
  scheme?: string;
}

export interface ClientModel {
  /** The env prefix in lower kebab case, e.g. `redocly-museum`: the CLI's program name, the MCP server's name, and the name in the client's spec. */
  name: string;
  /** Prefix of the environment variables the client reads, e.g. `REDOCLY_MUSEUM` (`<PREFIX>_BASE_URL`, …). */
  envPrefix: string;
  /** Each security scheme's variable(s), by scheme name: one, or a username and password for HTTP basic. */
  schemeEnv: Record<string, string | { username: string; password: string }>;
  errors: ErrorModel;
}

export interface ErrorModel {
  /** The JSON bodies of 4XX, 5XX and default responses, most used first. */
  bodies: ErrorBodyModel[];
  /** Where the bodies keep their code and message (the most used body's paths first); absent when no known shape fits. */
  envelope?: ErrorEnvelopeDescriptor;
  /** The code's values, when every body lists them as an enum. */
  codes?: string[];
}

/**
 * Where an error body's type sits in the generated schema types: a `components.schemas` entry the response names,
 * else the inline schema of a `components.responses` entry, else of the operation's own response.
 */
export type ErrorBodyModel =
  | { schema: string }
  | { response: string; mediaType: string }
  | { path: string; method: string; status: string; mediaType: string };
