import type { IncomingMessage, ServerResponse } from "node:http";
import type { PreCommitFault } from "./faults.js";
import { sendError, sendText } from "./http.js";

const HTML_BAD_GATEWAY =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/** How long injected 429s ask the client to wait. */
export interface RetryAfterSettings {
  retryAfterMs: number;
  retryAfterSeconds: number;
}

/** Answers an attempt with a fault that leaves no trace on the server. */
export function answerPreCommitFault(
  req: IncomingMessage,
  res: ServerResponse,
  kind: PreCommitFault,
  { retryAfterMs, retryAfterSeconds }: RetryAfterSettings,
): void {
  switch (kind) {
    case "reset-before-commit":
      req.socket.destroy();
      return;
    case "status-500":
      return sendError(res, 500, "unknown_error", "An unknown error occurred.");
    case "status-502":
      return sendError(res, 502, "unknown_error", "Bad gateway.");
    case "status-503":
      return sendError(res, 503, "service_unavailable", "Service temporarily unavailable.");
    case "rate-limit-retry-after-ms":
      return sendError(res, 429, "rate_limited", "Too many requests.", {
        headers: { "retry-after-ms": String(retryAfterMs) },
      });
    case "rate-limit-retry-after-seconds":
      return sendError(res, 429, "rate_limited", "Too many requests.", {
        headers: { "retry-after": String(retryAfterSeconds) },
      });
    case "rate-limit-retry-after-date": {
      // HTTP dates have whole seconds: round up so the wait is never shorter than asked.
      const retryAt = new Date(Math.ceil(Date.now() / 1000) * 1000 + retryAfterSeconds * 1000);
      return sendError(res, 429, "rate_limited", "Too many requests.", {
        headers: { "retry-after": retryAt.toUTCString() },
      });
    }
    case "html-error":
      return sendText(res, 502, "text/html; charset=utf-8", HTML_BAD_GATEWAY);
  }
}
