// Pure pieces of the runtime: retry policy, backoff, Retry-After parsing, error classes, key resolution, logging.
import { describe, expect, it } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  IdempotencyError,
  InternalServerError,
  MAX_RETRY_AFTER_MS,
  MalformedResponseError,
  NotFoundError,
  PaymentRequiredError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  ValidationError,
  checkBaseUrl,
  createLogger,
  isLoopbackHost,
  resolveIdempotencyKey,
  retryAfterMs,
  retryDelayMs,
  shouldRetry,
  type Logger,
  type LogLevel,
} from "../src/runtime/index.js";

const response = (status: number, headers: Record<string, string> = {}) => ({ status, headers: new Headers(headers) });

describe("shouldRetry", () => {
  it("retries 408, 429 and 5xx only", () => {
    expect([408, 429, 500, 502, 503, 504].map((s) => shouldRetry(response(s)))).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([200, 400, 401, 402, 403, 404, 409, 422].map((s) => shouldRetry(response(s)))).toEqual(Array(8).fill(false));
  });
  it("lets x-should-retry override either way", () => {
    expect(shouldRetry(response(400, { "x-should-retry": "true" }))).toBe(true);
    expect(shouldRetry(response(503, { "x-should-retry": "false" }))).toBe(false);
    expect(shouldRetry(response(503, { "x-should-retry": "maybe" }))).toBe(true);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-11-28T10:00:00Z");
  it("reads retry-after-ms before Retry-After", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
  });
  it("reads seconds, including fractions", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "Sat, 28 Nov 2026 10:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ "retry-after": "Sat, 28 Nov 2026 09:00:00 GMT" }), now)).toBe(0);
  });
  it("caps long waits and ignores garbage", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "3600" }), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs(new Headers({ "retry-after-ms": "-5" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });
});

describe("retryDelayMs", () => {
  it("doubles from 0.5 s to an 8 s cap, minus up to 25% jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n, undefined, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect([0, 1, 4].map((n) => retryDelayMs(n, undefined, () => 0.999999))).toEqual([375, 750, 6000]);
  });
  it("waits as long as a longer Retry-After asks", () => {
    expect(retryDelayMs(0, new Headers({ "retry-after": "3" }), () => 0)).toBe(3000);
  });
  it("never waits less than the exponential backoff, whatever Retry-After says", () => {
    const now = Date.parse("2026-11-28T10:00:00Z");
    for (const value of ["0", "-5", "0.001", "Sat, 28 Nov 2026 09:00:00 GMT"]) {
      expect(
        retryDelayMs(3, new Headers({ "retry-after": value }), () => 0, now),
        value,
      ).toBe(4000);
      expect(
        retryDelayMs(0, new Headers({ "retry-after-ms": value }), () => 0, now),
        value,
      ).toBe(500);
    }
  });
});

describe("APIError.generate", () => {
  const headers = { "request-id": "req_1", "content-type": "application/json" };
  const envelope = (code: string) => ({ error: { code, message: `about ${code}` } });
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [402, PaymentRequiredError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ])("maps %i to its class", (status, ErrorClass) => {
    const error = APIError.generate(status, envelope("some_code"), headers);
    expect(error.constructor).toBe(ErrorClass);
    expect(error.name).toBe(ErrorClass.name);
    expect(error).toMatchObject({ status, code: "some_code", requestId: "req_1" });
    expect(error.message).toBe(`${status} some_code: about some_code (request-id req_1)`);
  });
  it("picks IdempotencyError by code, whatever the status", () => {
    expect(APIError.generate(409, envelope("idempotency_duplicate"), headers)).toBeInstanceOf(IdempotencyError);
    expect(APIError.generate(422, envelope("idempotency_conflict"), headers)).toBeInstanceOf(IdempotencyError);
    expect(APIError.generate(409, envelope("conflict"), headers)).not.toBeInstanceOf(IdempotencyError);
  });
  it("tolerates bodies that are not the envelope", () => {
    expect(APIError.generate(500, { message: "flat" }, {}).message).toBe("500: flat");
    expect(APIError.generate(500, [1, 2], {}).message).toBe("500: [1,2]");
    expect(APIError.generate(500, { error: { code: 5, fields: "x" } }, {})).toMatchObject({
      code: undefined,
      fields: undefined,
    });
  });
  it("builds an error from a status and body alone, as a test double or mock server would", () => {
    const error = new NotFoundError(404, envelope("run_not_found"));
    expect(error).toMatchObject({ status: 404, code: "run_not_found", headers: {}, requestId: undefined });
    expect(error.message).toBe("404 run_not_found: about run_not_found");
    const malformed = new MalformedResponseError(502, undefined, "<html>bad gateway</html>");
    expect(malformed).toMatchObject({ status: 502, headers: {}, contentType: undefined, requestId: undefined });
    expect(malformed.message).toBe('502 response body (no content-type) is not valid JSON: "<html>bad gateway</html>"');
  });
});

describe("resolveIdempotencyKey", () => {
  const descriptor = { header: "Idempotency-Key", bodyField: "idempotency_key" };
  it("prefers the option, then the body field, else a UUID", () => {
    expect(resolveIdempotencyKey(descriptor, {}, "opt")).toBe("opt");
    expect(resolveIdempotencyKey(descriptor, { idempotency_key: "body" }, undefined)).toBe("body");
    expect(resolveIdempotencyKey(descriptor, {}, undefined)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(resolveIdempotencyKey({ header: "Idempotency-Key" }, { idempotency_key: "ignored" }, undefined)).not.toBe(
      "ignored",
    );
  });
  it("refuses conflicting, empty or non-string keys", () => {
    expect(() => resolveIdempotencyKey(descriptor, { idempotency_key: "a" }, "b")).toThrow(ValidationError);
    expect(() => resolveIdempotencyKey(descriptor, {}, " ")).toThrow(/must not be empty/);
    expect(() => resolveIdempotencyKey(descriptor, { idempotency_key: 5 }, undefined)).toThrow(
      /idempotency_key must be a string/,
    );
  });
});

describe("checkBaseUrl", () => {
  it("allows https anywhere and http only on loopback", () => {
    expect(isLoopbackHost("127.0.0.1")).toBe(true);
    expect(isLoopbackHost("127.255.0.9")).toBe(true);
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("10.0.0.1")).toBe(false);
    expect(isLoopbackHost("127.0.0.1.nip.io")).toBe(false);
    expect(() => checkBaseUrl("http://10.0.0.1/api", "baseUrl")).toThrow(/baseUrl must use https:\/\//);
    expect(() => checkBaseUrl("ftp://127.0.0.1/", "baseUrl")).toThrow(ValidationError);
    expect(checkBaseUrl("https://app.flora.ai/api/v1", "baseUrl")).toBe("https://app.flora.ai/api/v1");
  });
});

/** A Logger that records each line as `<level initial> <line>`. */
function recordingSink(lines: string[]): Logger {
  return {
    error: (m: string) => lines.push(`E ${m}`),
    warn: (m: string) => lines.push(`W ${m}`),
    info: (m: string) => lines.push(`I ${m}`),
    debug: (m: string) => lines.push(`D ${m}`),
  };
}

describe("createLogger", () => {
  it("drops lines below the level and redacts secrets", () => {
    const lines: string[] = [];
    const sink = recordingSink(lines);
    const logger = createLogger("warn", sink, ["sk_live_123"]);
    logger.debug("hidden");
    logger.info("hidden");
    logger.warn("key sk_live_123 seen twice sk_live_123");
    logger.error("boom");
    expect(lines).toEqual(["W [flora] key [redacted] seen twice [redacted]", "E [flora] boom"]);
    const off = createLogger("off", sink, []);
    off.error("nothing");
    expect(lines).toHaveLength(2);
  });

  it("writes lines at and above its level, each with its prefix and every secret redacted", () => {
    const lines: string[] = [];
    const logger = createLogger("info", recordingSink(lines), ["sk_secret"], "vault");
    logger.debug("dropped sk_secret");
    logger.info("sent sk_secret");
    logger.warn("slow");
    logger.error("failed");
    expect(lines).toEqual(["I [vault] sent [redacted]", "W [vault] slow", "E [vault] failed"]);
  });

  it("refuses a level that is none and a sink without the four methods, naming the option", () => {
    const sink = recordingSink([]);
    expect(() => createLogger("loud" as LogLevel, sink, [])).toThrow(
      new ValidationError("logLevel must be one of off, error, warn, info, debug; got loud.", "logLevel"),
    );
    for (const bad of [{ ...sink, debug: undefined }, null, "console"])
      expect(() => createLogger("warn", bad as unknown as Logger, [])).toThrow(
        /^logger must have error, warn, info and debug methods \(console fits\)\.$/,
      );
  });
});
