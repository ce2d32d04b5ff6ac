// Proof from the tarball: `npm pack`, install into a fresh project, type-check strict consumers under
// node16 and bundler resolution, and run an ESM and a CJS script against the test server.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installPackedPackage, run, typeCheck, type PackedProject } from "./support/packed-package.js";

let project: PackedProject;

const consumerTs = `
import { Flora, APIError, FloraError, IdempotencyError, RateLimitError, type CreateTechniqueRunBody, type Run } from "flora-sdk";
import { createRuntime } from "flora-sdk/runtime";
import { unwrap, verify, WebhookVerificationError, type FloraWebhookEvent } from "flora-sdk/webhooks";

export const flora = new Flora({ apiKey: "sk_test", baseUrl: "https://app.flora.ai/api/v1", maxRetries: 2, timeoutMs: 10_000 });

export async function startAndWait(client: Flora): Promise<Run> {
  const body: CreateTechniqueRunBody = { inputs: [{ id: "prompt", type: "text", value: "a red chair" }], mode: "async" };
  try {
    const run = await client.techniques.runs.createAndWait("art-directors-critique", body, { idempotencyKey: "key-1", intervalMs: 100 });
    const status: "pending" | "running" | "completed" | "failed" = run.status;
    console.log(status);
    return await client.techniques.runs.retrieve("art-directors-critique", run.run_id);
  } catch (error) {
    if (error instanceof IdempotencyError) console.log(error.idempotencyKey);
    if (error instanceof RateLimitError || error instanceof APIError) console.log(error.status, error.code, error.requestId);
    if (error instanceof FloraError) console.log(error.message);
    throw error;
  }
}

export const makeRuntime: typeof createRuntime = createRuntime;

export async function onDelivery(rawBody: string, headers: Headers, secret: string): Promise<number> {
  try {
    const event: FloraWebhookEvent = await unwrap(rawBody, headers, secret, { toleranceSeconds: 60 });
    await verify(new TextEncoder().encode(rawBody), headers, secret);
    return event.type === "run.completed" ? 200 : 202;
  } catch (error) {
    return error instanceof WebhookVerificationError ? 400 : 500;
  }
}
`;

const consumerCts = `
import { Flora, type Run } from "flora-sdk";

const flora = new Flora({ apiKey: "sk_test" });
export function latest(runId: string): Promise<Run> {
  return flora.techniques.runs.retrieve("art-directors-critique", runId);
}
`;

// "audioUrl" is an output type, not an input type: the compiler must refuse it.
const misuseTs = `
import { Flora } from "flora-sdk";

const flora = new Flora({ apiKey: "sk_test" });
export const wrong = flora.techniques.runs.create("art-directors-critique", {
  inputs: [{ id: "prompt", type: "audioUrl", value: "https://example.com/a.mp3" }],
  mode: "async",
});
`;
const MISUSE_LINE = 6;

const strictOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  target: "ES2022",
  lib: ["ES2022", "DOM"],
  // No @types/node: the main entry's types must stand on their own.
  types: [],
  skipLibCheck: false,
  noEmit: true,
};

const tsconfigs = {
  "tsconfig.node16.json": {
    compilerOptions: { ...strictOptions, module: "Node16", moduleResolution: "Node16" },
    files: ["consumer.ts", "consumer.cts", "misuse.ts"],
  },
  "tsconfig.bundler.json": {
    compilerOptions: { ...strictOptions, module: "ESNext", moduleResolution: "Bundler" },
    files: ["consumer.ts", "misuse.ts"],
  },
};

// flora-sdk/testing runs on Node, so its consumer has @types/node.
const testingConsumerTs = `
import { Flora } from "flora-sdk";
import { startFloraTestServer, type FloraTestServer } from "flora-sdk/testing";

export async function withServer(use: (flora: Flora, server: FloraTestServer) => Promise<void>): Promise<void> {
  const server = await startFloraTestServer({ runDurationMs: 0 });
  try {
    await use(new Flora({ apiKey: server.apiKey, baseUrl: server.url }), server);
  } finally {
    await server.close();
  }
}
`;
const testingTsconfig = {
  compilerOptions: { ...strictOptions, types: ["node"], module: "Node16", moduleResolution: "Node16" },
  files: ["testing-consumer.ts"],
};

const runBody = `{ inputs: [{ id: "prompt", type: "text", value: "a red chair" }], mode: "async" }`;

const esmScript = `
import { Flora, FloraError, WebhookVerificationError } from "flora-sdk";
import * as webhooks from "flora-sdk/webhooks";
import { startFloraTestServer } from "flora-sdk/testing";

const server = await startFloraTestServer({ runDurationMs: 200 });
try {
  const flora = new Flora({ apiKey: server.apiKey, baseUrl: server.url });
  const run = await flora.techniques.runs.createAndWait("art-directors-critique", ${runBody}, { intervalMs: 50 });
  console.log(JSON.stringify({ resolved: import.meta.resolve("flora-sdk"), status: run.status, runId: run.run_id, outputs: run.outputs?.length ?? 0, runsCreated: server.stats().runsCreated, errorBase: typeof FloraError, webhooks: webhooks.WebhookVerificationError === WebhookVerificationError && typeof webhooks.unwrap }));
} finally {
  await server.close();
}
`;

const cjsScript = `
const { Flora, FloraError, WebhookVerificationError } = require("flora-sdk");
const webhooks = require("flora-sdk/webhooks");
const { startFloraTestServer } = require("flora-sdk/testing");

(async () => {
  const server = await startFloraTestServer({ runDurationMs: 200 });
  try {
    const flora = new Flora({ apiKey: server.apiKey, baseUrl: server.url });
    const run = await flora.techniques.runs.createAndWait("art-directors-critique", ${runBody}, { intervalMs: 50 });
    console.log(JSON.stringify({ resolved: require.resolve("flora-sdk"), status: run.status, runId: run.run_id, outputs: run.outputs?.length ?? 0, runsCreated: server.stats().runsCreated, errorBase: typeof FloraError, webhooks: webhooks.WebhookVerificationError === WebhookVerificationError && typeof webhooks.unwrap }));
  } finally {
    await server.close();
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;

beforeAll(async () => {
  project = await installPackedPackage({ type: "module" });
  const files: Record<string, string> = {
    "consumer.ts": consumerTs,
    "consumer.cts": consumerCts,
    "misuse.ts": misuseTs,
    "testing-consumer.ts": testingConsumerTs,
    "tsconfig.testing.json": JSON.stringify(testingTsconfig, null, 2),
    "esm.mjs": esmScript,
    "cjs.cjs": cjsScript,
  };
  for (const [name, config] of Object.entries(tsconfigs)) files[name] = JSON.stringify(config, null, 2);
  for (const [name, text] of Object.entries(files)) await writeFile(join(project.dir, name), text);
}, 240_000);

afterAll(async () => {
  await project?.remove();
});

describe("the packed tarball", () => {
  it("holds the ESM and CJS builds with declarations, and no sources or tests", () => {
    for (const file of [
      "package.json",
      "dist/esm/src/index.js",
      "dist/esm/src/index.d.ts",
      "dist/esm/package.json",
      "dist/cjs/src/index.js",
      "dist/cjs/src/index.d.ts",
      "dist/cjs/package.json",
      "dist/esm/src/runtime/index.js",
      "dist/cjs/src/testing/index.js",
      "dist/esm/generated/schema.d.ts",
      "runtime/package.json",
      "testing/package.json",
      "webhooks/package.json",
      "dist/esm/src/webhooks.js",
      "dist/cjs/src/webhooks.d.ts",
    ]) {
      expect(project.files, file).toContain(file);
    }
    expect(project.files.filter((file) => /^(src|test|scripts|openapi|generated)\//.test(file))).toEqual([]);
  });

  it("declares openapi-fetch as its only runtime dependency", async () => {
    const installed = JSON.parse(await readFile(join(project.dir, "node_modules/flora-sdk/package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    expect(Object.keys(installed.dependencies ?? {})).toEqual(["openapi-fetch"]);
  });

  for (const tsconfig of Object.keys(tsconfigs)) {
    it(`type-checks a strict consumer under ${tsconfig}, and rejects a wrong input type`, async () => {
      const result = await typeCheck(project.dir, tsconfig);
      const outsideMisuse = result.diagnostics.filter((d) => d.file !== "misuse.ts");
      expect(outsideMisuse, result.output).toEqual([]);
      const misuse = result.diagnostics.filter((d) => d.file === "misuse.ts");
      expect(misuse.length, result.output).toBeGreaterThan(0);
      expect(misuse[0]).toMatchObject({ line: MISUSE_LINE, code: "TS2322" });
      expect(misuse[0].message).toContain('"audioUrl"');
      expect(result.code).not.toBe(0);
    }, 120_000);
  }

  it("type-checks a strict consumer of flora-sdk/testing", async () => {
    const result = await typeCheck(project.dir, "tsconfig.testing.json");
    expect(result.diagnostics, result.output).toEqual([]);
    expect(result.code, result.output).toBe(0);
  }, 120_000);

  it("compiles the consumer cleanly once the misuse is gone", async () => {
    await writeFile(
      join(project.dir, "tsconfig.clean.json"),
      JSON.stringify({ ...tsconfigs["tsconfig.node16.json"], files: ["consumer.ts", "consumer.cts"] }),
    );
    const result = await typeCheck(project.dir, "tsconfig.clean.json");
    expect(result.diagnostics, result.output).toEqual([]);
    expect(result.code, result.output).toBe(0);
  }, 120_000);

  for (const [script, format] of [
    ["esm.mjs", "esm"],
    ["cjs.cjs", "cjs"],
  ] as const) {
    it(`runs createAndWait to a completed run from ${format === "esm" ? "an ESM" : "a CJS"} script`, async () => {
      const result = await run(process.execPath, [script], project.dir, { FLORA_API_KEY: "", FLORA_BASE_URL: "" });
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
      expect(report.status).toBe("completed");
      expect(report.runId).toMatch(/^run_\S+$/);
      expect(report.runsCreated).toBe(1);
      expect(report.errorBase).toBe("function");
      // flora-sdk/webhooks loads in this format too, and throws the very class flora-sdk exports
      expect(report.webhooks).toBe("function");
      // Each format loads its own build from the installed package, not the repo.
      expect(String(report.resolved)).toContain(`node_modules/flora-sdk/dist/${format}/src/index.js`);
    }, 60_000);
  }
});
