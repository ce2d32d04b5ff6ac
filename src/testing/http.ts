import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ErrorEnvelope, FieldError } from "./types.js";

/** Thrown by readBody when a request body exceeds the limit. */
export class BodyTooLargeError extends Error {
  constructor(limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** Whether the response can still be written: the client may have gone away meanwhile. */
export function canWrite(res: ServerResponse): boolean {
  const socket = res.socket;
  return !res.writableEnded && !res.destroyed && socket != null && !socket.destroyed;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  sendText(res, status, "application/json; charset=utf-8", JSON.stringify(payload), headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: OutgoingHttpHeaders = {},
): void {
  if (!canWrite(res)) return;
  res.writeHead(status, {
    ...headers,
    "content-type": contentType,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

export function errorEnvelope(code: string, message: string, fields?: FieldError[]): ErrorEnvelope {
  return { error: fields === undefined ? { code, message } : { code, message, fields } };
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  options: { fields?: FieldError[]; headers?: OutgoingHttpHeaders } = {},
): void {
  sendJson(res, status, errorEnvelope(code, message, options.fields), options.headers);
}

/** Reads the whole request body as UTF-8; rejects if the client disconnects first. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      outcome();
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) settle(() => reject(new BodyTooLargeError(limitBytes)));
      else chunks.push(chunk);
    });
    req.on("end", () => settle(() => resolve(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", (error) => settle(() => reject(error)));
    req.on("close", () => settle(() => reject(new Error("Client closed the request before its body ended"))));
  });
}
