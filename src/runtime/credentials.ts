// Credentials a client obtains at run time (a token provider, a query-string API key), added per attempt.
// Loaded by the runtime on the first request of a client that has a credential provider, so a client with
// static credential headers (Flora's) never bundles it.
import { checkHeader } from "./check.js";
import { SDKError } from "./errors.js";
import type { Logger } from "./log.js";

/** What a credential provider returns for one attempt. */
export interface RequestCredentials {
  /** Headers to set, e.g. `{ authorization: "Bearer …" }`; a `cookie` joins the request's other cookies. */
  headers?: Record<string, string>;
  /** Query parameters appended to the URL, e.g. `{ api_key: "…" }`. */
  query?: Record<string, string>;
  /** Further strings to redact, e.g. the raw token inside a header value. Header and query values always are. */
  secrets?: readonly string[];
}

/** Asked before every attempt to the API origin (never to any other origin); may be async, e.g. to refresh a token. */
export type CredentialProvider = () => RequestCredentials | Promise<RequestCredentials>;

/**
 * Adds the provider's credentials to `headers` and returns the URL to send to, with its query credentials; a URL
 * outside `origins` gets nothing and the provider is not asked. `remember` learns every value to redact. When
 * `signal` aborts first (the attempt's timeout, the caller's abort), rejects with its reason and stops waiting.
 * A provider's failure is an SDKError that keeps it as `cause` but never quotes it (a refresh error may name the
 * token); an SDKError (the runtime's own, such as a provider that returned no string) passes as is.
 */
export async function applyCredentials(
  provider: CredentialProvider,
  url: string,
  headers: Headers,
  origins: ReadonlySet<string>,
  remember: (secrets: string[]) => void,
  signal?: AbortSignal,
): Promise<string> {
  if (!origins.has(new URL(url).origin)) return url;
  let given: RequestCredentials;
  try {
    given = await untilAborted(Promise.resolve().then(provider), signal);
  } catch (error) {
    if (signal?.aborted || error instanceof SDKError) throw error;
    throw new SDKError(
      "The credential provider failed; its error is this error's `cause` (not quoted here: it may hold a secret).",
      { cause: error },
    );
  }
  const set = Object.entries(given.headers ?? {});
  const query = Object.entries(given.query ?? {});
  remember([...set.map(([, value]) => value), ...query.map(([, value]) => value), ...(given.secrets ?? [])]);
  for (const [name, value] of set) {
    checkHeader(name, value, "credentials");
    const before = name.toLowerCase() === "cookie" ? headers.get("cookie") : null;
    headers.set(name, before ? `${before}; ${value}` : value);
  }
  if (query.length === 0) return url;
  // appended as text: re-serializing the URL's own query would change how its other parameters are encoded
  const pairs = query.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join("&");
  return `${url}${!url.includes("?") ? "?" : /[?&]$/.test(url) ? "" : "&"}${pairs}`;
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(signal.reason);
    if (signal.aborted) return stop();
    signal.addEventListener("abort", stop, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
  });
}

/** How many run-time credential values a client keeps redacting (in every text) besides its fixed secrets. */
const MAX_OBTAINED_SECRETS = 16;

/** A provider's per-attempt `authorize`, which also hands each value it obtains to the call's own `keep`. */
export type Authorize = (
  url: string,
  init: RequestInit,
  signal: AbortSignal,
  keep: (secrets: string[]) => void,
) => Promise<[string, RequestInit]>;

/**
 * What a runtime with a credential provider adds to its requests, loaded with its first request: `authorize` asks
 * the provider before every attempt (for `origins` only) and gives every value it returns to the call's `keep`
 * (the call redacts its own values for as long as it lives) and to `redactOnly`, with `secrets` and the newest
 * others, which the runtime redacts everywhere; `logger`, when given, gets each line through `redactText`.
 */
export function providerHooks(
  provider: CredentialProvider,
  origins: ReadonlySet<string>,
  secrets: readonly string[],
  redactOnly: (secrets: string[]) => void,
  redactText: (text: string) => string,
  logger: Logger | undefined,
): { authorize: Authorize; logger?: Logger } {
  // only the latest few are kept client-wide, as a provider may mint a token per request: an error is built
  // with its own call's values besides these, so however many calls overlap it never quotes its own
  const obtained: string[] = [];
  const remember = (values: string[]) => {
    const fresh = values.filter((value) => value !== "" && !secrets.includes(value) && !obtained.includes(value));
    if (fresh.length === 0) return;
    obtained.push(...fresh);
    obtained.splice(0, Math.max(0, obtained.length - MAX_OBTAINED_SECRETS));
    redactOnly([...secrets, ...obtained]);
  };
  return {
    async authorize(url, init, signal, keep) {
      const headers = new Headers(init.headers);
      const both = (values: string[]) => {
        keep(values);
        remember(values);
      };
      return [await applyCredentials(provider, url, headers, origins, both, signal), { ...init, headers }];
    },
    logger: logger && redactingLogger(logger, redactText),
  };
}

/** `sink` with `redact` applied to every line, e.g. for secrets a client learns only at run time. */
export function redactingLogger(sink: Logger, redact: (text: string) => string): Logger {
  return {
    error: (message) => sink.error(redact(message)),
    warn: (message) => sink.warn(redact(message)),
    info: (message) => sink.info(redact(message)),
    debug: (message) => sink.debug(redact(message)),
  };
}
