// What a generated `createClient` builds its runtime with: defaults, environment variables and typed credentials
// turned into runtime options. API-neutral: the generated client passes its spec's schemes and variable names.
import { createRuntime, isLoopbackHost, type Runtime, type RuntimeOptions } from "./client.js";
import { checkType } from "./check.js";
import type { CredentialProvider, RequestCredentials } from "./credentials.js";
import { ValidationError, type ErrorEnvelopeDescriptor } from "./errors.js";
import type { FetchLike } from "./fetch.js";
import { createLogger, isLogLevel, type Logger, type LogLevel } from "./log.js";
import { paginate } from "./pagination.js";
import type { OperationDescriptor } from "./types.js";

/** Returns a token, e.g. an OAuth2 access token; asked before every attempt, so it may refresh as it likes. */
export type TokenProvider = () => string | Promise<string>;

/** HTTP basic credentials, sent as `Authorization: Basic base64(username:password)`. */
export interface BasicCredential {
  username: string;
  password: string;
}

/** One scheme's credential: a token (or its provider), or a username and password for HTTP basic. */
export type SchemeCredential = string | TokenProvider | BasicCredential;

/** Where a scheme's credential goes, as the spec's `components.securitySchemes` says (generated `securitySchemes`). */
export interface CredentialScheme {
  readonly type: string;
  readonly in?: "header" | "query" | "cookie";
  readonly name?: string;
  readonly scheme?: string;
}

/** Options every generated `createClient` takes; it adds `credentials` and `serverVariables` typed from its spec. */
export interface BaseClientOptions {
  /**
   * Default: the `<PREFIX>_BASE_URL` environment variable, else the spec's first server. `http://` only for
   * loopback hosts unless `allowInsecureHttp`.
   */
  baseUrl?: string;
  /**
   * Lets the base URL (and operation servers, `credentialOrigins`) be plain `http://` to any host, e.g. an internal
   * `http://api.internal:8080` or a spec whose only server is http. Credentials then cross the network in
   * cleartext too: the client logs a warning when it has any. Default false: only loopback hosts may use http.
   */
  allowInsecureHttp?: boolean;
  /** Retries after the first attempt, an integer from 0 to 100. Default 2. */
  maxRetries?: number;
  /** Per attempt, in milliseconds. Default 60_000. */
  timeoutMs?: number;
  /** Replaces `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Default: the `<PREFIX>_LOG` environment variable, else "warn". */
  logLevel?: LogLevel;
  /** Default `console`. Lines never contain a credential. */
  logger?: Logger;
  /** Sent with every request. */
  defaultHeaders?: Record<string, string>;
  /**
   * Origins besides the API's that may receive the credentials, e.g. `["https://uploads.example.com"]`. An
   * operation's own server (the spec's `servers` on a path or operation) on another origin receives them only
   * while `baseUrl` is the spec's own (neither the option nor the environment variable is set), or when its origin
   * is listed here, or when `serverUrls` replaces it.
   */
  credentialOrigins?: readonly string[];
  /**
   * Where an operation with its own `servers` goes instead, keyed by the spec's server URL (variables at their
   * defaults), e.g. `{ "https://uploads.example.com/v1": "http://127.0.0.1:4010/v1" }`. Each URL given is the
   * caller's choice, like `baseUrl`, and receives the credentials. `http://` only for loopback.
   */
  serverUrls?: Readonly<Record<string, string>>;
}

/** The environment variables a generated client reads, by what they default. */
export interface ClientEnvironment {
  baseUrl: string;
  logLevel: string;
  /** Per scheme name: one variable, or two for HTTP basic. */
  credentials: Readonly<Record<string, string | { readonly username: string; readonly password: string }>>;
}

/** What a generated client knows of its API. */
export interface ClientSpec {
  /** Lower-case name used in log lines, e.g. `museum`. */
  name: string;
  schemes: Readonly<Record<string, CredentialScheme>>;
  env: ClientEnvironment;
  /** The spec's first server with the caller's variables; throws a RangeError for a value outside an enum. */
  defaultBaseUrl?: () => string;
  errorEnvelope?: ErrorEnvelopeDescriptor;
  /**
   * The spec's root `security`: each alternative as the names of the schemes it needs together (`[]` within: none
   * needed); `[]` when only operations declare theirs. Absent when the spec declares none anywhere: then every
   * configured credential goes with every request.
   */
  security?: readonly (readonly string[])[];
}

/** An environment variable, when there is an environment (browsers have none) and the variable is not empty. */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The runtime a generated `createClient` hands its resources: explicit options win over environment variables.
 * Each operation sends the credentials of the first of its security requirements (its own `security`, else the
 * spec's root one) whose schemes all have a credential configured; none when that requirement is empty (`{}`), and
 * none, with a warning logged once per operation, when no requirement is satisfied (the server then answers 401).
 * A token provider is asked only for requests that send its scheme.
 */
export function createClientRuntime<TCredentials extends { readonly [K in keyof TCredentials]?: SchemeCredential }>(
  options: BaseClientOptions & { credentials?: TCredentials },
  spec: ClientSpec,
): Runtime {
  checkType(options, "options", "object");
  const envBaseUrl = readEnv(spec.env.baseUrl);
  const chosenBaseUrl = options.baseUrl ?? envBaseUrl;
  const baseUrl = chosenBaseUrl ?? defaultBaseUrl(spec);
  if (!options.allowInsecureHttp) {
    const source =
      options.baseUrl !== undefined
        ? "baseUrl"
        : envBaseUrl !== undefined
          ? spec.env.baseUrl
          : "the spec's first server";
    checkPlainHttp(baseUrl, source);
  }
  const explicit = definedEntries<SchemeCredential>(options.credentials ?? {});
  const fromEnv = credentialsFromEnv(spec.env);
  const envLabel = (name: string) => {
    const names = spec.env.credentials[name];
    return typeof names === "string" ? names : `${names.username}/${names.password}`;
  };
  const label = (name: string) => (name in explicit ? `credentials.${name}` : envLabel(name));
  // Without security requirements every credential goes on every request: two that write the same header, query
  // parameter or cookie are refused, and an explicit one displaces an environment one in the same place. With
  // requirements, each request sends one requirement's schemes (two bearer keys for two sets of operations are
  // fine), and that set is checked when it is first chosen (runtimeFor).
  const sendsAll = !spec.security;
  if (sendsAll) {
    checkOneCredentialPerPlace(spec.schemes, explicit, label);
    checkOneCredentialPerPlace(spec.schemes, fromEnv, envLabel);
  }
  const taken = new Set(sendsAll ? Object.keys(explicit).map((name) => placeOf(spec.schemes[name])) : []);
  const credentials = {
    ...Object.fromEntries(Object.entries(fromEnv).filter(([name]) => !taken.has(placeOf(spec.schemes[name])))),
    ...explicit,
  };
  checkCredentials(spec.schemes, credentials);
  const envLevel = readEnv(spec.env.logLevel);
  const logLevel = options.logLevel ?? (isLogLevel(envLevel) ? envLevel : "warn");
  const logger = createLogger(logLevel, options.logger ?? console, staticSecrets(credentials), spec.name);
  const shared: Omit<RuntimeOptions, "credentialProvider"> = {
    baseUrl,
    allowInsecureHttp: options.allowInsecureHttp,
    serverUrls: options.serverUrls,
    // the spec's own operation servers are the API's only while the spec's base URL is in use
    trustOperationServers: chosenBaseUrl === undefined,
    credentialOrigins: options.credentialOrigins,
    defaultHeaders: options.defaultHeaders,
    errorEnvelope: spec.errorEnvelope,
    maxRetries: options.maxRetries ?? 2,
    timeoutMs: options.timeoutMs ?? 60_000,
    fetch: options.fetch,
    logger,
  };
  // one runtime per set of schemes an operation sends, made when first needed: each asks only its own providers
  const runtimes = new Map<string, Runtime>();
  const runtimeFor = (names: readonly string[]): Runtime => {
    const key = names.join("\n");
    let runtime = runtimes.get(key);
    if (!runtime) {
      const chosen = Object.fromEntries(names.map((name) => [name, credentials[name] as SchemeCredential]));
      checkOneCredentialPerPlace(spec.schemes, chosen, label);
      runtime = createRuntime({ ...shared, credentialProvider: schemeCredentials(spec.schemes, chosen) });
      runtimes.set(key, runtime);
    }
    return runtime;
  };
  const configured = new Set(Object.keys(credentials));
  const warned = new Set<string>();
  const forOperation = (operation: OperationDescriptor): Runtime => {
    const requirements = operation.security ?? spec.security;
    if (!requirements) return root;
    const names = selectRequirement(requirements, configured, spec.schemes);
    if (names === undefined && !warned.has(operation.id)) {
      warned.add(operation.id);
      logger.warn(
        `${operation.id}: sent without credentials: it needs ${describeRequirements(requirements, spec.env)}.`,
      );
    }
    return runtimeFor(names ?? []);
  };
  // the root's choice, made now: a bad option throws here, and poll URLs (getJson) use it
  const root = runtimeFor(
    spec.security ? (selectRequirement(spec.security, configured, spec.schemes) ?? []) : [...configured],
  );
  if (configured.size > 0 && options.allowInsecureHttp) warnCleartext(baseUrl, logger);
  const runtime: Runtime = {
    send: (operation, args, callOptions) => forOperation(operation).send(operation, args, callOptions),
    invoke: (operation, args, callOptions) => forOperation(operation).invoke(operation, args, callOptions),
    stream: (operation, args, callOptions) => forOperation(operation).stream(operation, args, callOptions),
    getJson: (url, callOptions, shape) => root.getJson(url, callOptions, shape),
    paginate: (operation, args, callOptions, pagination) => paginate(runtime, operation, args, callOptions, pagination),
    // each runtime's redaction returns what stands for the error (a copy of one that is not an SDKError)
    redact: (error) => [...runtimes.values()].reduce((done, each) => each.redact(done), error),
    redactText: (text) => [...runtimes.values()].reduce((done, each) => each.redactText(done), text),
  };
  return runtime;
}

/**
 * The schemes whose credentials a request sends: those of the first requirement whose schemes all have a
 * credential in `configured` (mutualTLS needs none here: the caller's `fetch` presents the certificate); `[]` for
 * an empty requirement. Undefined when no requirement is satisfied.
 */
export function selectRequirement(
  requirements: readonly (readonly string[])[],
  configured: ReadonlySet<string>,
  schemes: Readonly<Record<string, CredentialScheme>>,
): readonly string[] | undefined {
  for (const requirement of requirements) {
    const sent = requirement.filter((name) => schemes[name]?.type !== "mutualTLS");
    if (sent.every((name) => configured.has(name))) return sent;
  }
  return undefined;
}

/** `ApiKeyAuth (OPENAI_API_KEY) or AdminApiKeyAuth (OPENAI_ADMIN_API_KEY_AUTH)`, for the warning. */
function describeRequirements(requirements: readonly (readonly string[])[], env: ClientEnvironment): string {
  const variable = (name: string) => {
    const names = env.credentials[name];
    return names === undefined
      ? name
      : `${name} (${typeof names === "string" ? names : `${names.username}, ${names.password}`})`;
  };
  return requirements.map((requirement) => requirement.map(variable).join(" and ")).join(" or ");
}

/** A plain-http base URL to a non-loopback host, refused with the option that allows it. */
function checkPlainHttp(value: string, source: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return; // the runtime names the bad URL
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname))
    throw new ValidationError(
      `${source} must use https://, got ${url.origin}: plain http:// goes only to loopback hosts unless you pass createClient({ allowInsecureHttp: true }).`,
      "baseUrl",
    );
}

function warnCleartext(baseUrl: string, logger: Logger): void {
  const url = new URL(baseUrl);
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname))
    logger.warn(`allowInsecureHttp: credentials go to ${url.origin} over plain http://, readable on the network.`);
}

function defaultBaseUrl(spec: ClientSpec): string {
  if (!spec.defaultBaseUrl) {
    throw new ValidationError(
      `No base URL: the spec lists no servers; pass createClient({ baseUrl }) or set ${spec.env.baseUrl}.`,
      "baseUrl",
    );
  }
  try {
    return spec.defaultBaseUrl();
  } catch (error) {
    throw new ValidationError(`serverVariables: ${(error as Error).message}`, "serverVariables");
  }
}

/**
 * Where a scheme's credential goes: `header:<name>` (Authorization for every HTTP, OAuth2 and OpenID Connect
 * scheme), `query:<name>` or `cookie:<name>`; undefined for a scheme the spec does not declare (refused later).
 */
function placeOf(scheme: CredentialScheme | undefined): string | undefined {
  if (!scheme) return undefined;
  if (scheme.type === "apiKey" && scheme.name) {
    const where = scheme.in ?? "header";
    return `${where}:${where === "header" ? scheme.name.toLowerCase() : scheme.name}`;
  }
  return "header:authorization";
}

/**
 * Two credentials that would write the same header, query parameter or cookie (bearer and basic both set
 * Authorization): the later would silently replace the earlier, so it is a ValidationError naming both.
 */
function checkOneCredentialPerPlace(
  schemes: Readonly<Record<string, CredentialScheme>>,
  credentials: Record<string, SchemeCredential>,
  label: (name: string) => string,
): void {
  const owner = new Map<string, string>();
  for (const name of Object.keys(credentials)) {
    const place = placeOf(schemes[name]);
    if (place === undefined) continue;
    const other = owner.get(place);
    if (other !== undefined) {
      const [where, what] = place.split(/:(.*)/);
      throw new ValidationError(
        `${label(other)} and ${label(name)} would both set the ${where === "header" ? `${what} header` : `${where} ${what}`} (the later silently replacing the earlier); give one of them.`,
        label(name),
      );
    }
    owner.set(place, name);
  }
}

function definedEntries<T>(record: object): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, T>;
}

function credentialsFromEnv(env: ClientEnvironment): Record<string, SchemeCredential> {
  const found: Record<string, SchemeCredential> = {};
  for (const [scheme, names] of Object.entries(env.credentials)) {
    if (typeof names === "string") {
      const value = readEnv(names);
      if (value !== undefined) found[scheme] = value;
      continue;
    }
    const [username, password] = [readEnv(names.username), readEnv(names.password)];
    if (username !== undefined && password !== undefined) found[scheme] = { username, password };
    else if (username !== undefined || password !== undefined) {
      const missing = username === undefined ? names.username : names.password;
      throw new ValidationError(`${missing} is not set, but its partner is: HTTP basic needs both.`, missing);
    }
  }
  return found;
}

/** The credentials known before any request, for the logger: tokens from providers are redacted as they arrive. */
function staticSecrets(credentials: Record<string, SchemeCredential>): string[] {
  return Object.values(credentials).flatMap((value) =>
    typeof value === "string" ? [value] : typeof value === "function" ? [] : [value.password],
  );
}

/**
 * A credential provider for the given credentials by scheme name: HTTP bearer (and OAuth2, OpenID Connect) as
 * `Authorization: Bearer`, HTTP basic, other HTTP schemes as `Authorization: <Scheme> <token>`, and apiKey in a
 * header, the query or a cookie. A TokenProvider is called before every attempt and its token is not kept.
 * Undefined when no credential is given. A scheme the spec does not declare, or a value of the wrong kind, is a
 * ValidationError naming it.
 */
export function schemeCredentials(
  schemes: Readonly<Record<string, CredentialScheme>>,
  credentials: Readonly<Record<string, SchemeCredential>>,
): CredentialProvider | undefined {
  checkCredentials(schemes, credentials);
  const given = Object.entries(credentials);
  if (given.length === 0) return undefined;
  return async () => {
    const out: Collected = { headers: {}, query: {}, secrets: [] };
    for (const [name, value] of given) await addCredential(out, name, schemes[name] as CredentialScheme, value);
    return out;
  };
}

/** A ValidationError for a scheme the spec does not declare, or a value of the wrong kind. */
function checkCredentials(
  schemes: Readonly<Record<string, CredentialScheme>>,
  credentials: Readonly<Record<string, SchemeCredential>>,
): void {
  for (const [name, value] of Object.entries(credentials)) {
    // own keys only: `credentials.constructor` names no scheme, whatever Object.prototype holds
    const scheme = Object.hasOwn(schemes, name) ? schemes[name] : undefined;
    if (!scheme) {
      throw new ValidationError(
        `credentials.${name}: the spec declares no such security scheme (it has ${Object.keys(schemes).join(", ") || "none"}).`,
        `credentials.${name}`,
      );
    }
    const basic = scheme.type === "http" && scheme.scheme === "basic";
    const ok = basic
      ? typeof value === "object" &&
        value !== null &&
        typeof value.username === "string" &&
        typeof value.password === "string"
      : (typeof value === "string" && value !== "") || typeof value === "function";
    if (!ok) {
      const want = basic ? "{ username, password } strings" : "a non-empty string or a function returning one";
      throw new ValidationError(`credentials.${name} must be ${want}.`, `credentials.${name}`);
    }
  }
}

type Collected = Required<Pick<RequestCredentials, "headers" | "query">> & { secrets: string[] };

async function addCredential(
  out: Collected,
  name: string,
  scheme: CredentialScheme,
  value: SchemeCredential,
): Promise<void> {
  if (typeof value === "object") {
    const token = base64(`${value.username}:${value.password}`);
    out.headers.authorization = `Basic ${token}`;
    out.secrets.push(value.password, token);
    return;
  }
  const token = typeof value === "function" ? await value() : value;
  if (typeof token !== "string" || token === "")
    throw new ValidationError(`credentials.${name}: the token provider must return a non-empty string.`, name);
  out.secrets.push(token);
  if (scheme.type === "apiKey" && scheme.name) {
    if (scheme.in === "query") out.query[scheme.name] = token;
    else if (scheme.in === "cookie") {
      const cookie = `${scheme.name}=${encodeURIComponent(token)}`;
      out.headers.cookie = out.headers.cookie ? `${out.headers.cookie}; ${cookie}` : cookie;
    } else out.headers[scheme.name] = token;
  } else if (scheme.type === "http" && scheme.scheme && scheme.scheme !== "bearer") {
    out.headers.authorization = `${scheme.scheme[0].toUpperCase()}${scheme.scheme.slice(1)} ${token}`;
  } else out.headers.authorization = `Bearer ${token}`;
}

/** Base64 of the UTF-8 bytes (btoa alone takes only Latin-1). */
function base64(text: string): string {
  return btoa(Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join(""));
}
