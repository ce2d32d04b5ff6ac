// What a generated `createClient` builds its runtime with: defaults, environment variables and typed credentials
// turned into runtime options. API-neutral: the generated client passes its spec's schemes and variable names.
import { createRuntime, type Runtime } from "./client.js";
import type { CredentialProvider, RequestCredentials } from "./credentials.js";
import { ValidationError, type ErrorEnvelopeDescriptor } from "./errors.js";
import type { FetchLike } from "./fetch.js";
import { createLogger, isLogLevel, type Logger, type LogLevel } from "./log.js";

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
  /** Default: the `<PREFIX>_BASE_URL` environment variable, else the spec's first server. `http://` only for loopback. */
  baseUrl?: string;
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
}

/** An environment variable, when there is an environment (browsers have none) and the variable is not empty. */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === undefined || value === "" ? undefined : value;
}

/** The runtime a generated `createClient` hands its resources: explicit options win over environment variables. */
export function createClientRuntime<TCredentials extends { readonly [K in keyof TCredentials]?: SchemeCredential }>(
  options: BaseClientOptions & { credentials?: TCredentials },
  spec: ClientSpec,
): Runtime {
  const chosenBaseUrl = options.baseUrl ?? readEnv(spec.env.baseUrl);
  const explicit = definedEntries<SchemeCredential>(options.credentials ?? {});
  checkOneCredentialPerPlace(spec.schemes, explicit, (name) => `credentials.${name}`);
  const fromEnv = credentialsFromEnv(spec.env);
  checkOneCredentialPerPlace(spec.schemes, fromEnv, (name) => {
    const names = spec.env.credentials[name];
    return typeof names === "string" ? names : `${names.username}/${names.password}`;
  });
  // an explicit credential displaces an environment one that would write the same header, query or cookie
  const taken = new Set(Object.keys(explicit).map((name) => placeOf(spec.schemes[name])));
  const credentials = {
    ...Object.fromEntries(Object.entries(fromEnv).filter(([name]) => !taken.has(placeOf(spec.schemes[name])))),
    ...explicit,
  };
  const envLevel = readEnv(spec.env.logLevel);
  const logLevel = options.logLevel ?? (isLogLevel(envLevel) ? envLevel : "warn");
  return createRuntime({
    baseUrl: chosenBaseUrl ?? defaultBaseUrl(spec),
    serverUrls: options.serverUrls,
    trustOperationServers: chosenBaseUrl === undefined,
    credentialProvider: schemeCredentials(spec.schemes, credentials),
    credentialOrigins: options.credentialOrigins,
    defaultHeaders: options.defaultHeaders,
    errorEnvelope: spec.errorEnvelope,
    maxRetries: options.maxRetries ?? 2,
    timeoutMs: options.timeoutMs ?? 60_000,
    fetch: options.fetch,
    logger: createLogger(logLevel, options.logger ?? console, staticSecrets(credentials), spec.name),
  });
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
  const given = Object.entries(credentials);
  for (const [name, value] of given) {
    const scheme = schemes[name];
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
  if (given.length === 0) return undefined;
  return async () => {
    const out: Collected = { headers: {}, query: {}, secrets: [] };
    for (const [name, value] of given) await addCredential(out, name, schemes[name] as CredentialScheme, value);
    return out;
  };
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
