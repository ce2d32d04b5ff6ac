// Credentials a client obtains at run time (a token provider, a query-string API key), added per attempt.
// Loaded by the runtime on the first request of a client that has a credential provider, so a client with
// static credential headers (Flora's) never bundles it.
import { checkHeader } from "./check.js";
import { SDKError } from "./errors.js";

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
 * outside `origins` gets nothing and the provider is not asked. `remember` learns every value to redact.
 */
export async function applyCredentials(
  provider: CredentialProvider,
  url: string,
  headers: Headers,
  origins: ReadonlySet<string>,
  remember: (secrets: string[]) => void,
): Promise<string> {
  if (!origins.has(new URL(url).origin)) return url;
  let given: RequestCredentials;
  try {
    given = await provider();
  } catch (error) {
    throw new SDKError(`The credential provider failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
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
