// The command line's flag groups hold spec names as keys: a body field named `__proto__` or `constructor` is a value
// like any other, never Object.prototype's. Through runCommandLine with a definition as a generated cli.ts makes one.
import { afterEach, describe, expect, it, vi } from "vitest";
import { runCommandLine } from "../src/cli/run.js";
import type { CommandContext, CommandLineDefinition } from "../src/cli/types.js";

afterEach(() => vi.restoreAllMocks());

function definition(seen: unknown[]): CommandLineDefinition<object> {
  return {
    name: "things",
    createClient: () => ({}),
    commands: [
      {
        path: ["things", "create"],
        args: [],
        flags: [
          { flag: "proto", in: "body", name: "__proto__", required: false, value: { type: "string" } },
          { flag: "ctor", in: "body", name: "constructor", required: true, value: { type: "string" } },
        ],
        body: { required: true, kind: "json" },
        call: (context: CommandContext<object>) => {
          seen.push(context.body);
          return { ok: true };
        },
      },
    ],
  };
}

describe("command-line flags for properties named like Object.prototype members", () => {
  it("sends a `__proto__` body field as an own property", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const seen: unknown[] = [];
    const code = await runCommandLine(definition(seen), [
      "node",
      "things",
      "things",
      "create",
      "--proto",
      "p",
      "--ctor",
      "c",
      "--json",
    ]);
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(Object.hasOwn(seen[0] as object, "__proto__")).toBe(true);
    const body = seen[0] as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["__proto__", "constructor"]);
    expect([body["__proto__"], body["constructor"]]).toEqual(["p", "c"]);
  });

  it("still requires a required field named `constructor` (Object.prototype's does not count)", async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    const seen: unknown[] = [];
    const code = await runCommandLine(definition(seen), ["node", "things", "things", "create", "--proto", "p"]);
    expect(code).toBe(2);
    expect(seen).toHaveLength(0);
    expect(stderr.join("")).toContain("missing --ctor");
  });
});
