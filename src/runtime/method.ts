// Why fetch refused to build an operation's request: loaded only when it does.
import { ValidationError } from "./errors.js";

// RFC 9110's token: the characters an HTTP method may have
const TOKEN = /^[!#$%&'*+.^`|~\w-]+$/;

/**
 * The error for a request the Request constructor refused (`error`): a ValidationError naming `method` and `path`
 * when the method is at fault, else `error` itself (e.g. a URL that does not parse). The Fetch standard forbids
 * CONNECT, TRACE and TRACK in any case (https://fetch.spec.whatwg.org/#forbidden-method), so no fetch can send
 * an operation that uses one; a method that is not an HTTP token (empty, or with a space) is not a method at all.
 */
export function methodError(method: string, path: string, error: unknown): unknown {
  const shown = JSON.stringify(method);
  if (/^(connect|trace|track)$/i.test(method))
    return new ValidationError(
      `${method.toUpperCase()} ${path} cannot be sent: the Fetch standard forbids the ${method.toUpperCase()} method, so fetch refuses it (${shown} is the operation's method).`,
      "method",
    );
  if (!TOKEN.test(method))
    return new ValidationError(
      `${shown} ${path} cannot be sent: ${shown} is not an HTTP method (a method is one token of letters, digits and !#$%&'*+-.^_\`|~).`,
      "method",
    );
  return error;
}
