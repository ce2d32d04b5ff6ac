import type { IncomingHttpHeaders } from "node:http";

/** Path prefix of every route, as in Flora's `https://app.flora.ai/api/v1`. */
export const BASE_PATH = "/api/v1";

/** A matched API route and its decoded path parameters. */
export type Route =
  | { name: "create"; techniqueId: string }
  | { name: "retrieve"; techniqueId: string; runId: string }
  | { name: "listTechniques" }
  | { name: "retrieveTechnique"; techniqueId: string };

function decodeSegment(segment: string | undefined): string | undefined {
  if (segment === undefined || segment === "") return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * Matches, under the base path, `GET /techniques`, `GET /techniques/{id}`, `POST /techniques/{id}/runs` and
 * `GET /techniques/{id}/runs/{runId}`.
 */
export function matchRoute(method: string, pathname: string): Route | undefined {
  if (!pathname.startsWith(`${BASE_PATH}/`)) return undefined;
  const segments = pathname.slice(BASE_PATH.length + 1).split("/");
  if (segments[0] !== "techniques") return undefined;
  if (segments.length === 1) return method === "GET" ? { name: "listTechniques" } : undefined;
  const techniqueId = decodeSegment(segments[1]);
  if (techniqueId === undefined) return undefined;
  if (segments.length === 2) return method === "GET" ? { name: "retrieveTechnique", techniqueId } : undefined;
  if (segments[2] !== "runs") return undefined;
  if (segments.length === 3 && method === "POST") return { name: "create", techniqueId };
  const runId = decodeSegment(segments[3]);
  if (segments.length === 4 && method === "GET" && runId !== undefined) {
    return { name: "retrieve", techniqueId, runId };
  }
  return undefined;
}

/** The 401 an Authorization header earns, or undefined when it carries the right key. */
export function authFailure(header: string | undefined, apiKey: string): { code: string; message: string } | undefined {
  if (header === undefined || header === "") {
    return { code: "unauthorized", message: 'Missing Authorization header; send "Authorization: Bearer <API key>".' };
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (token === undefined)
    return { code: "unauthorized", message: "The Authorization header must use the Bearer scheme." };
  return token === apiKey ? undefined : { code: "invalid_api_key", message: "The API key is invalid." };
}

export function redactHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return headers.authorization === undefined ? { ...headers } : { ...headers, authorization: "[redacted]" };
}
