// Redaction is for what the SDK shows (errors, logs), never for the data a successful call returns.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createRuntime } from "../src/runtime/client.js";
import { redactSecrets, type OperationDescriptor } from "../src/runtime/index.js";

const operation: OperationDescriptor = {
  id: "getThing",
  method: "get",
  path: "/things",
  pathParams: [],
  response: "json",
} as unknown as OperationDescriptor;

async function echoing(status: number, body: unknown) {
  const server = createServer((_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe("redaction", () => {
  it("leaves a 2xx body exactly as the server sent it, though the key appears inside it", async () => {
    const data = { inputs: [{ id: "image", name: "Image", type: "imageUrl" }], id: "gpt-test", next_cursor: "S" };
    const server = await echoing(200, data);
    try {
      for (const secret of ["image", "test", "S", "s"]) {
        const runtime = createRuntime({
          baseUrl: server.url,
          maxRetries: 0,
          timeoutMs: 5000,
          secrets: [secret],
        } as never);
        expect(await runtime.invoke(operation, {} as never)).toEqual(data);
      }
    } finally {
      server.close();
    }
  });

  it("matches case-sensitively, in one pass, never inside its own marker", () => {
    expect(redactSecrets('{"next_cursor":"x","Status":401}', ["S"])).toBe('{"next_cursor":"x","Status":401}');
    expect(redactSecrets('{"error":{"status":401,"message":"bad t"}}', ["t"])).toBe(
      '{"error":{"status":401,"message":"bad [redacted]"}}',
    );
    expect(redactSecrets("key red, not [redacted]", ["red", "d"])).toBe("key [redacted], not [redacted]");
    expect(redactSecrets("imageUrl IMAGE image", ["image"])).toBe("[redacted]Url IMAGE [redacted]");
    expect(redactSecrets("a%2Fb and a%2fb", ["a/b"])).toBe("[redacted] and [redacted]");
  });

  it("still redacts a short key from an error", async () => {
    const server = await echoing(401, { error: { status: 401, message: "bad token t" } });
    try {
      const runtime = createRuntime({ baseUrl: server.url, maxRetries: 0, timeoutMs: 5000, secrets: ["t"] } as never);
      const error = (await runtime.invoke(operation, {} as never).catch((e: unknown) => e)) as Error;
      expect(error.message).toContain("bad token [redacted]");
      expect(JSON.stringify(error)).not.toMatch(/\[redac\[/);
    } finally {
      server.close();
    }
  });
});
