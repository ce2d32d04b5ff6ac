import { createHmac } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it, vi } from "vitest";
import { SDKError, WebhookVerificationError } from "../src/runtime/errors.js";
import { signWebhookPayload, unwrapWebhook, type FloraWebhookEvent } from "../src/runtime/webhooks.js";

const SECRET = "whsec_test_5f0c1d2e3a4b";
const OTHER_SECRET = "whsec_rotated_9a8b7c6d";
const T = 1_780_000_000; // unix seconds of the signature
const NOW = T * 1000; // the receiver's clock, unix ms
const EVENT: FloraWebhookEvent = {
  id: "whd_01",
  type: "run.completed",
  api_version: "2026-06-11",
  created_at: NOW,
  data: { run_id: "run_abc", run_type: "technique", workspace_id: "ws_1", status: "completed" },
};
const BODY = JSON.stringify(EVENT);
const DEFAULT_MAX_BODY = 1_048_576;
const ok = () => ({ "flora-signature": header() });

/** An independent expected signature, from node:crypto rather than the code under test. */
function nodeSignature(body: string | Uint8Array, secret: string, t: number): string {
  return createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
}

function header(body: string | Uint8Array = BODY, secret = SECRET, t = T): string {
  return `t=${t},v1=${nodeSignature(body, secret, t)}`;
}

/** Runs unwrap and returns its rejection, failing the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toBeInstanceOf(SDKError);
    return error as WebhookVerificationError;
  }
  throw new Error("expected unwrapWebhook to reject");
}

describe("signWebhookPayload", () => {
  it("matches an HMAC-SHA256 computed independently by node:crypto", async () => {
    expect(await signWebhookPayload(BODY, SECRET, T)).toBe(header());
  });

  it("rejects a fractional timestamp and a missing secret", async () => {
    await expect(signWebhookPayload(BODY, SECRET, 1.5)).rejects.toThrow(/whole number of unix seconds, got 1.5/);
    await expect(signWebhookPayload(BODY, "", T)).rejects.toThrow(/Missing webhook secret/);
  });
});

describe("unwrapWebhook: valid deliveries", () => {
  it("accepts a Headers object and returns the parsed event", async () => {
    const headers = new Headers({ "Flora-Signature": header(), "Flora-Event": "run.completed" });
    expect(await unwrapWebhook(BODY, headers, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts a Headers-like object that is not a global Headers instance (e.g. a polyfill)", async () => {
    const polyfill = { get: (name: string) => (name === "flora-signature" ? header() : null) } as unknown as Headers;
    expect(await unwrapWebhook(BODY, polyfill, SECRET, { now: NOW })).toEqual(EVENT);
    // a look-alike whose `get` answers the values as an array, or no text at all, is read as text (it threw a TypeError)
    const values = { get: () => header().split(",") } as unknown as Headers;
    expect(await unwrapWebhook(BODY, values, SECRET, { now: NOW })).toEqual(EVENT);
    const number = await rejection(unwrapWebhook(BODY, { get: () => 42 } as unknown as Headers, SECRET, { now: NOW }));
    expect(number).toBeInstanceOf(WebhookVerificationError);
    expect(number.message).toBe('Malformed Flora-Signature header: part 1 ("42") is not a key=value pair.');
  });

  it("accepts a plain object in any key case", async () => {
    const event = await unwrapWebhook(
      BODY,
      { "FLORA-signature": header(), "content-type": "application/json" },
      SECRET,
      {
        now: NOW,
      },
    );
    expect(event.data.run_id).toBe("run_abc");
  });

  it("accepts a node IncomingHttpHeaders-style string[] value", async () => {
    const sig = nodeSignature(BODY, SECRET, T);
    const headers: IncomingHttpHeaders = { "flora-signature": [`t=${T}`, `v1=${sig}`], host: "example.com" };
    expect(await unwrapWebhook(BODY, headers, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts the raw header block with CRLF and with bare LF", async () => {
    const crlf = `POST /hooks HTTP/1.1\r\nHost: example.com\r\nflora-signature: ${header()}\r\nFlora-Event: run.completed\r\n\r\n`;
    expect(await unwrapWebhook(BODY, crlf, SECRET, { now: NOW })).toEqual(EVENT);
    const lf = `Host: example.com\nFlora-Signature:${header()}\n`;
    expect(await unwrapWebhook(BODY, lf, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts rotation: two v1 values where only the second matches, plus an unknown v0 scheme", async () => {
    const value = ` t=${T} , v0=deadbeef, v1=${nodeSignature(BODY, OTHER_SECRET, T)},  v1=${nodeSignature(BODY, SECRET, T)} `;
    expect(await unwrapWebhook(BODY, { "Flora-Signature": value }, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts rotation where the first v1 matches and a later one does not", async () => {
    const value = `t=${T},v1=${nodeSignature(BODY, SECRET, T)},v1=${nodeSignature(BODY, OTHER_SECRET, T)}`;
    expect(await unwrapWebhook(BODY, { "Flora-Signature": value }, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts an uppercase hex signature", async () => {
    const value = `t=${T},v1=${nodeSignature(BODY, SECRET, T).toUpperCase()}`;
    expect(await unwrapWebhook(BODY, { "flora-signature": value }, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts Uint8Array and ArrayBuffer bodies, signed over the raw bytes", async () => {
    const bytes = new TextEncoder().encode(BODY);
    const headers = { "flora-signature": header(bytes) };
    expect(await unwrapWebhook(bytes, headers, SECRET, { now: NOW })).toEqual(EVENT);
    expect(await unwrapWebhook(bytes.slice().buffer, headers, SECRET, { now: NOW })).toEqual(EVENT);
    // a view into a larger buffer (as Node's pooled Buffers are): only its own bytes are signed and parsed
    const framed = new Uint8Array(bytes.length + 8);
    framed.set(bytes, 4);
    expect(await unwrapWebhook(framed.subarray(4, 4 + bytes.length), headers, SECRET, { now: NOW })).toEqual(EVENT);
    // any other view (outside the declared type, as plain JavaScript may pass) is its bytes, not its elements
    for (const view of [new DataView(framed.buffer, 4, bytes.length), Buffer.from(bytes)])
      expect(await unwrapWebhook(view as unknown as Uint8Array, headers, SECRET, { now: NOW })).toEqual(EVENT);
    const even = new TextEncoder().encode(bytes.length % 2 ? `${BODY} ` : BODY); // JSON with a trailing space
    const wide = new Uint16Array(even.slice().buffer);
    const signed = { "flora-signature": header(even) };
    expect(await unwrapWebhook(wide as unknown as Uint8Array, signed, SECRET, { now: NOW })).toEqual(EVENT);
  });

  it("accepts a body with multi-byte UTF-8 characters", async () => {
    const body = JSON.stringify({ ...EVENT, data: { ...EVENT.data, error_message: "échec — 失败 🌸" } });
    const event = await unwrapWebhook(body, { "flora-signature": header(body) }, SECRET, { now: NOW });
    expect(event.data.error_message).toBe("échec — 失败 🌸");
  });

  it("accepts a timestamp exactly at the tolerance in both directions, and a Date for now", async () => {
    const opts = { toleranceSeconds: 10 };
    await expect(
      unwrapWebhook(BODY, { "flora-signature": header() }, SECRET, { ...opts, now: NOW + 10_000 }),
    ).resolves.toEqual(EVENT);
    await expect(
      unwrapWebhook(BODY, { "flora-signature": header() }, SECRET, { ...opts, now: NOW - 10_000 }),
    ).resolves.toEqual(EVENT);
    await expect(
      unwrapWebhook(BODY, { "flora-signature": header() }, SECRET, { now: new Date(NOW + 299_000) }),
    ).resolves.toEqual(EVENT);
  });

  it("uses the real clock by default", async () => {
    const t = Math.floor(Date.now() / 1000);
    await expect(unwrapWebhook(BODY, { "flora-signature": header(BODY, SECRET, t) }, SECRET)).resolves.toEqual(EVENT);
  });
});

describe("unwrapWebhook: failures", () => {
  it("rejects a missing secret", async () => {
    const error = await rejection(unwrapWebhook(BODY, ok(), "", { now: NOW }));
    expect(error.message).toBe("Missing webhook secret: pass the endpoint's whsec_… signing secret.");
  });

  it("rejects a missing Flora-Signature header in every header form", async () => {
    for (const headers of [
      new Headers(),
      {},
      { "flora-signature": undefined },
      { "flora-signature": [] },
      "Host: x\r\n",
      { "flora-signature": " " },
    ]) {
      const error = await rejection(unwrapWebhook(BODY, headers, SECRET, { now: NOW }));
      expect(error.message).toBe("Missing Flora-Signature header.");
    }
  });

  it("rejects a part that is not key=value, naming the part", async () => {
    const error = await rejection(unwrapWebhook(BODY, { "flora-signature": `t=${T},garbage` }, SECRET, { now: NOW }));
    expect(error.message).toBe('Malformed Flora-Signature header: part 2 ("garbage") is not a key=value pair.');
  });

  it("masks a secret pasted into the header when quoting a part", async () => {
    const error = await rejection(
      unwrapWebhook(BODY, { "flora-signature": `t=${T},x${SECRET}` }, SECRET, { now: NOW }),
    );
    expect(error.message).toBe('Malformed Flora-Signature header: part 2 ("x<secret>") is not a key=value pair.');
  });

  it("rejects a header without t=", async () => {
    const error = await rejection(
      unwrapWebhook(BODY, { "flora-signature": `v1=${nodeSignature(BODY, SECRET, T)}` }, SECRET, { now: NOW }),
    );
    expect(error.message).toBe("Malformed Flora-Signature header: no t= timestamp.");
  });

  it("rejects a header with two t= values", async () => {
    const error = await rejection(
      unwrapWebhook(BODY, { "flora-signature": `t=${T},t=${T},v1=ab` }, SECRET, { now: NOW }),
    );
    expect(error.message).toBe("Malformed Flora-Signature header: more than one t= timestamp.");
  });

  it("rejects a header with no v1 signature (only unknown schemes)", async () => {
    const error = await rejection(unwrapWebhook(BODY, { "flora-signature": `t=${T},v0=abc` }, SECRET, { now: NOW }));
    expect(error.message).toBe("Malformed Flora-Signature header: no v1 signature.");
  });

  it("rejects a timestamp that is not a whole number of up to 15 digits", async () => {
    for (const t of ["abc", "12.5", "-5", "1e9", "", "1234567890123456"]) {
      const error = await rejection(unwrapWebhook(BODY, { "flora-signature": `t=${t},v1=ab` }, SECRET, { now: NOW }));
      expect(error.message).toBe(`Flora-Signature timestamp is not a whole number of up to 15 digits: "${t}".`);
    }
  });

  it("rejects a timestamp older than the tolerance, saying by how much", async () => {
    const error = await rejection(unwrapWebhook(BODY, ok(), SECRET, { now: NOW + 301_000 }));
    expect(error.message).toBe("Flora-Signature timestamp is too old: signed 301 s ago, tolerance is 300 s.");
    const custom = await rejection(unwrapWebhook(BODY, ok(), SECRET, { now: NOW + 61_000, toleranceSeconds: 60 }));
    expect(custom.message).toBe("Flora-Signature timestamp is too old: signed 61 s ago, tolerance is 60 s.");
  });

  it("rejects a timestamp further in the future than the tolerance", async () => {
    const error = await rejection(unwrapWebhook(BODY, ok(), SECRET, { now: new Date(NOW - 400_000) }));
    expect(error.message).toBe("Flora-Signature timestamp is in the future: 400 s ahead of now, tolerance is 300 s.");
  });

  it("rejects when no signature matches: wrong secret, wrong timestamp, truncated or empty signature", async () => {
    const cases = [
      header(BODY, OTHER_SECRET),
      `t=${T + 1},v1=${nodeSignature(BODY, SECRET, T)}`,
      `t=${T},v1=${nodeSignature(BODY, SECRET, T).slice(0, 63)}`,
      `t=${T},v1=`,
    ];
    for (const value of cases) {
      const error = await rejection(unwrapWebhook(BODY, { "flora-signature": value }, SECRET, { now: NOW }));
      expect(error.message).toBe(
        "No Flora-Signature v1 signature matched the body (1 checked): check the secret, and pass the raw body, not re-serialized JSON.",
      );
    }
  });

  it("rejects a body re-serialized with different spacing", async () => {
    const reserialized = JSON.stringify(JSON.parse(BODY), null, 2);
    const error = await rejection(unwrapWebhook(reserialized, ok(), SECRET, { now: NOW }));
    expect(error.message).toMatch(/^No Flora-Signature v1 signature matched the body/);
  });

  it("checks the header, the timestamp and the body's size before any HMAC", async () => {
    const subtle = globalThis.crypto.subtle;
    const spies = [vi.spyOn(subtle, "importKey"), vi.spyOn(subtle, "sign"), vi.spyOn(subtle, "verify")];
    try {
      const huge = new Uint8Array(DEFAULT_MAX_BODY + 1);
      const stale = await rejection(
        unwrapWebhook(huge, { "flora-signature": header(BODY, OTHER_SECRET) }, SECRET, { now: NOW + 10_000_000 }),
      );
      expect(stale.message).toMatch(/^Flora-Signature timestamp is too old/);
      const many = `t=${T},${Array.from({ length: 100_000 }, () => "v1=00").join(",")}`;
      const tooMany = await rejection(unwrapWebhook(BODY, { "flora-signature": many }, SECRET, { now: NOW }));
      expect(tooMany.message).toBe("Malformed Flora-Signature header: more than 8 v1 signatures.");
      const large = await rejection(unwrapWebhook(huge, { "flora-signature": `t=${T},v1=00` }, SECRET, { now: NOW }));
      expect(large.message).toBe("Webhook body is larger than maxBodyBytes (1048576 bytes).");
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // the spies do watch the crypto the verifier uses: a fresh delivery goes through them
      await unwrapWebhook(BODY, ok(), SECRET, { now: NOW });
      expect(spies[0]).toHaveBeenCalledTimes(1);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it("verifies every v1 value, even after one has matched, so timing does not say which one did", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    try {
      const good = nodeSignature(BODY, SECRET, T);
      const value = `t=${T},v1=${good},v1=${nodeSignature(BODY, OTHER_SECRET, T)},v1=${good.toUpperCase()}`;
      expect(await unwrapWebhook(BODY, { "flora-signature": value }, SECRET, { now: NOW })).toEqual(EVENT);
      expect(verify).toHaveBeenCalledTimes(3);
    } finally {
      verify.mockRestore();
    }
  });

  it("takes a v1 value that is not 64 hex digits for a non-match, without an HMAC, and still accepts one beside it", async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    try {
      const good = nodeSignature(BODY, SECRET, T);
      const junk = ["g".repeat(64), ` ${good.slice(1)}`, `${good}0`, good.slice(0, 62)];
      const alone = await rejection(
        unwrapWebhook(BODY, { "flora-signature": `t=${T},v1=${junk.join(",v1=")}` }, SECRET, { now: NOW }),
      );
      expect(alone.message).toMatch(/^No Flora-Signature v1 signature matched the body \(4 checked\)/);
      expect(verify).not.toHaveBeenCalled();
      const beside = `t=${T},v1=${junk.join(",v1=")},v1=${good}`;
      expect(await unwrapWebhook(BODY, { "flora-signature": beside }, SECRET, { now: NOW })).toEqual(EVENT);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  it("refuses a body over maxBodyBytes (default 1 MiB, counted in UTF-8 bytes) and accepts one at the limit", async () => {
    const padded = (size: number) =>
      JSON.stringify({ ...EVENT, pad: "" }).replace('"pad":""', `"pad":"${"x".repeat(size - BODY.length - 9)}"`);
    const atLimit = padded(DEFAULT_MAX_BODY);
    expect(atLimit.length).toBe(DEFAULT_MAX_BODY);
    await expect(
      unwrapWebhook(atLimit, { "flora-signature": header(atLimit) }, SECRET, { now: NOW }),
    ).resolves.toMatchObject(EVENT);
    const over = padded(DEFAULT_MAX_BODY + 1);
    for (const body of [over, new TextEncoder().encode(over), new TextEncoder().encode(over).buffer]) {
      const error = await rejection(unwrapWebhook(body, { "flora-signature": header(over) }, SECRET, { now: NOW }));
      expect(error.message).toBe("Webhook body is larger than maxBodyBytes (1048576 bytes).");
    }
    // 100 characters, 200 UTF-8 bytes
    const wide = JSON.stringify({ ...EVENT, pad: "é".repeat(100) });
    const small = { now: NOW, maxBodyBytes: wide.length + 50 };
    const error = await rejection(unwrapWebhook(wide, { "flora-signature": header(wide) }, SECRET, small));
    expect(error.message).toBe(`Webhook body is larger than maxBodyBytes (${wide.length + 50} bytes).`);
    await expect(unwrapWebhook(BODY, ok(), SECRET, { now: NOW, maxBodyBytes: -1 })).rejects.toThrow(
      /maxBodyBytes must be a number from 0 to 2147483647; got -1/,
    );
  });

  it("accepts up to 8 v1 signatures", async () => {
    const eight = `t=${T},${"v1=00,".repeat(7)}v1=${nodeSignature(BODY, SECRET, T)}`;
    await expect(unwrapWebhook(BODY, { "flora-signature": eight }, SECRET, { now: NOW })).resolves.toEqual(EVENT);
  });

  it("parses a body that starts with a BOM alike as a string and as bytes", async () => {
    const body = `\uFEFF${BODY}`;
    const bytes = new TextEncoder().encode(body);
    for (const raw of [body, bytes, bytes.buffer]) {
      await expect(unwrapWebhook(raw, { "flora-signature": header(body) }, SECRET, { now: NOW })).resolves.toEqual(
        EVENT,
      );
    }
  });

  it("rejects a signed body that is not JSON, quoting none of the body", async () => {
    const body = '{"id": sk_live_SENDERTEXT}';
    const error = await rejection(unwrapWebhook(body, { "flora-signature": header(body) }, SECRET, { now: NOW }));
    expect(error.message).toBe("Webhook body is not JSON.");
  });

  it("rejects signed JSON that is not an event, naming what is missing", async () => {
    const cases: Array<[string, string]> = [
      ["[1,2]", "id, type, data"],
      ["null", "id, type, data"],
      ['{"id":"whd_1","type":"run.completed"}', "data"],
      ['{"id":1,"type":"run.completed","data":{}}', "id"],
      ['{"id":"whd_1","data":null}', "type, data"],
      ['{"id":"whd_1","type":"run.completed","data":[]}', "data"],
    ];
    for (const [body, missing] of cases) {
      const error = await rejection(unwrapWebhook(body, { "flora-signature": header(body) }, SECRET, { now: NOW }));
      expect(error.message).toBe(`Webhook body is not a Flora event: missing or invalid ${missing}.`);
    }
  });

  it("never puts the secret in any error message", async () => {
    const secretBody = JSON.stringify({ note: SECRET });
    const brokenSecretBody = `{"note": ${SECRET}}`; // V8 quotes the body in its SyntaxError
    const attempts: Array<Promise<unknown>> = [
      unwrapWebhook(BODY, {}, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": `t=${T},${SECRET}` }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": `v1=${SECRET}` }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": `t=${T}` }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": `t=x,v1=a` }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": `t=${SECRET},v1=a` }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": `t=${T},${SECRET.slice(0, 12)}` }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, { "flora-signature": header(BODY, OTHER_SECRET) }, SECRET, { now: NOW }),
      unwrapWebhook(BODY, ok(), SECRET, { now: NOW + 1_000_000 }),
      unwrapWebhook(BODY, ok(), SECRET, { now: NOW - 1_000_000 }),
      unwrapWebhook("{", { "flora-signature": header("{") }, SECRET, { now: NOW }),
      unwrapWebhook(secretBody, { "flora-signature": header(secretBody) }, SECRET, { now: NOW }),
      unwrapWebhook(brokenSecretBody, { "flora-signature": header(brokenSecretBody) }, SECRET, { now: NOW }),
      // null or an object where the raw body belongs: no bytes, which no signature matches (not a bare TypeError)
      unwrapWebhook(null as never, ok(), SECRET, { now: NOW }),
      unwrapWebhook(JSON.parse(BODY) as never, ok(), SECRET, { now: NOW }),
    ];
    // Handlers attach to every promise at once: awaiting one by one lets a later rejection go unhandled.
    for (const error of await Promise.all(attempts.map(rejection))) {
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain("whsec_test");
    }
    // the secret where an option belongs: a ValidationError that names the option, not the secret
    for (const options of [{ toleranceSeconds: SECRET }, { maxBodyBytes: SECRET }, { now: SECRET }, SECRET]) {
      const error = (await unwrapWebhook(BODY, ok(), SECRET, options as never).catch((e: unknown) => e)) as Error;
      expect(error.name).toBe("ValidationError");
      expect(error.message).toContain('got the string "whsec_…"');
      expect(error.message).not.toContain("whsec_test");
    }
  });
});

describe("flora-sdk/webhooks: the standalone entry", () => {
  it("unwraps as flora.webhooks.unwrap does, and throws the class that flora-sdk exports", async () => {
    const entry = await import("../src/webhooks.js");
    const main = await import("../src/index.js");
    expect(await entry.unwrap(BODY, { "Flora-Signature": header() }, SECRET, { now: NOW })).toEqual(EVENT);
    const flora = new main.Flora({ apiKey: "sk_test_standalone" });
    expect(await flora.webhooks.unwrap(BODY, { "Flora-Signature": header() }, SECRET, { now: NOW })).toEqual(EVENT);
    expect(entry.WebhookVerificationError).toBe(main.WebhookVerificationError);
    const error = await rejection(
      entry.unwrap(BODY, { "flora-signature": header(BODY, OTHER_SECRET) }, SECRET, { now: NOW }),
    );
    expect(error).toBeInstanceOf(main.WebhookVerificationError);
    expect(error.message).toMatch(/No Flora-Signature v1 signature matched/);
    expect(await entry.signWebhookPayload(BODY, SECRET, T)).toBe(header());
  });

  it("refuses what flora.webhooks.unwrap refuses, with the same errors, ValidationError included", async () => {
    const entry = await import("../src/webhooks.js");
    const main = await import("../src/index.js");
    expect(entry.ValidationError).toBe(main.ValidationError);
    const flora = new main.Flora({ apiKey: "sk_test_standalone" });
    const big = "x".repeat(DEFAULT_MAX_BODY + 1);
    const cases: Array<[string, Record<string, string>, unknown]> = [
      [big, { "flora-signature": header(big) }, { now: NOW }],
      [BODY, { "flora-signature": `t=${T},${"v1=00,".repeat(9)}` }, { now: NOW }],
      [BODY, ok(), { now: NOW + 301_000 }],
      [BODY, ok(), null],
      [BODY, ok(), { now: NOW, maxBodyBytes: "1" }],
    ];
    for (const [body, headers, options] of cases) {
      const fromEntry = await entry.unwrap(body, headers, SECRET, options as never).catch((error: unknown) => error);
      const fromFlora = await flora.webhooks
        .unwrap(body, headers, SECRET, options as never)
        .catch((error: unknown) => error);
      expect(fromEntry).toBeInstanceOf(Error);
      expect(fromEntry).toHaveProperty("name", expect.stringMatching(/^(WebhookVerification|Validation)Error$/));
      expect(fromFlora).toEqual(fromEntry);
      expect((fromFlora as Error).constructor).toBe((fromEntry as Error).constructor);
    }
    const refused = await entry.unwrap(BODY, ok(), SECRET, null as never).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(entry.ValidationError);
    expect(refused).toMatchObject({ message: "options must be an object; got null.", field: "options" });
  });

  it("verify checks signature and timestamp without parsing the body", async () => {
    const { verify } = await import("../src/webhooks.js");
    const notJson = "not json, but signed";
    await expect(
      verify(notJson, { "flora-signature": header(notJson) }, SECRET, { now: NOW }),
    ).resolves.toBeUndefined();
    const stale = await rejection(verify(BODY, { "flora-signature": header() }, SECRET, { now: NOW + 301_000 }));
    expect(stale.message).toMatch(/too old: signed 301 s ago, tolerance is 300 s/);
    const forged = await rejection(
      verify(BODY, { "flora-signature": header(BODY, OTHER_SECRET) }, SECRET, { now: NOW }),
    );
    expect(forged.message).not.toContain(SECRET);
    await expect(verify(BODY, { "flora-signature": header() }, SECRET, { toleranceSeconds: -1 })).rejects.toThrow(
      /toleranceSeconds must be a number from 0 to 31536000/,
    );
  });
});
