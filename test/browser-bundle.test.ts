// Portability: the main entry bundles for the browser with nothing from Node in its graph, and the bundle runs in Chromium.
import { build, type Metafile } from "esbuild";
import { createHmac } from "node:crypto";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CreateTechniqueRunBody } from "../src/index.js";
import { startFloraTestServer, type FloraTestServer } from "../src/testing/index.js";
import { launchChromium, type Browser } from "./support/chromium.js";
import { repoRoot } from "./support/packed-package.js";

const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

let metafile: Metafile;
let code: string;

beforeAll(async () => {
  const result = await build({
    entryPoints: [join(repoRoot, "src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  metafile = result.metafile;
  code = result.outputFiles[0].text;
});

/** Every import of every module in the bundle's graph. */
function allImports(meta: Metafile): Array<{ from: string; path: string; original?: string; external?: boolean }> {
  return Object.entries(meta.inputs).flatMap(([from, input]) => input.imports.map((entry) => ({ from, ...entry })));
}

describe("the main entry for platform: browser", () => {
  it("bundles, with openapi-fetch inside and no external imports", () => {
    expect(code.length).toBeGreaterThan(1000);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((input) => input.includes("node_modules/openapi-fetch/"))).toBe(true);
    expect(inputs.some((input) => input.startsWith("src/testing/"))).toBe(false);
    expect(allImports(metafile).filter((entry) => entry.external)).toEqual([]);
  });

  it("imports nothing from node: or any Node built-in anywhere in its graph", () => {
    const fromNode = allImports(metafile).filter(
      (entry) => nodeBuiltins.has(entry.original ?? entry.path) || entry.path.startsWith("node:"),
    );
    expect(fromNode).toEqual([]);
    expect(code).not.toMatch(/["']node:[a-z_/]+["']/);
  });

  it("needs no Node globals at load time: evaluating the bundle without process or Buffer defines Flora", async () => {
    const scope = { process: undefined, Buffer: undefined, require: undefined };
    const moduleUrl = `data:text/javascript;base64,${Buffer.from(code).toString("base64")}`;
    const restore = Object.fromEntries(
      Object.keys(scope).map((key) => [key, Object.getOwnPropertyDescriptor(globalThis, key)]),
    );
    try {
      for (const key of Object.keys(scope))
        Object.defineProperty(globalThis, key, { value: undefined, configurable: true, writable: true });
      const loaded = (await import(/* @vite-ignore */ moduleUrl)) as Record<string, unknown>;
      expect(typeof loaded.Flora).toBe("function");
    } finally {
      for (const [key, descriptor] of Object.entries(restore)) {
        if (descriptor) Object.defineProperty(globalThis, key, descriptor);
        else delete (globalThis as Record<string, unknown>)[key];
      }
    }
  });
});

// Vitest rewrites import() inside page.evaluate callbacks, so the page loads the bundle itself. The
// page and bundle are answered by the browser on the test server's origin: the SDK follows the runs'
// poll_url there, and a same-origin page needs no CORS.
const PAGE = `<!doctype html><title>flora-sdk in a browser</title>
<script type="module">import * as sdk from "/flora.js"; globalThis.floraSdk = sdk;</script>`;
type Sdk = typeof import("../src/index.js");

describe("the browser bundle in headless Chromium", () => {
  let api: FloraTestServer;
  let browser: Browser;

  beforeAll(async () => {
    api = await startFloraTestServer({ runDurationMs: 200 });
    browser = await launchChromium();
    await browser.context.route(`${api.origin}/page.html`, (route) =>
      route.fulfill({ contentType: "text/html", body: PAGE }),
    );
    await browser.context.route(`${api.origin}/flora.js`, (route) =>
      route.fulfill({ contentType: "text/javascript", body: code }),
    );
    await browser.page.goto(`${api.origin}/page.html`);
    await browser.page.waitForFunction(() => "floraSdk" in globalThis);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it("starts a run with createAndWait and reads it back with retrieve", async () => {
    const result = await browser.page.evaluate(async (apiKey) => {
      const { Flora } = (globalThis as unknown as { floraSdk: Sdk }).floraSdk;
      const flora = new Flora({ apiKey, baseUrl: `${location.origin}/api/v1` });
      const body: CreateTechniqueRunBody = {
        inputs: [{ id: "prompt", type: "text", value: "a red chair" }],
        mode: "async",
      };
      const done = await flora.techniques.runs.createAndWait("art-directors-critique", body, { intervalMs: 50 });
      const again = await flora.techniques.runs.retrieve("art-directors-critique", done.run_id);
      return {
        status: done.status,
        runId: done.run_id,
        sameRun: again.run_id === done.run_id,
        hasProcess: "process" in globalThis,
      };
    }, api.apiKey);
    expect(result).toMatchObject({ status: "completed", sameRun: true, hasProcess: false });
    expect(result.runId).toMatch(/^run_\S+$/);
    expect(api.stats().runsCreated).toBe(1);
  });

  it("verifies a webhook signature with Web Crypto, and rejects a tampered body", async () => {
    const secret = "whsec_browser_test";
    const rawBody = JSON.stringify({
      id: "whd_1",
      type: "run.completed",
      api_version: "2026-06-11",
      created_at: Date.now(),
      data: { run_id: "run_1", run_type: "technique", workspace_id: "ws_1", status: "completed" },
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `t=${timestamp},v1=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
    const result = await browser.page.evaluate(
      async ({ rawBody, signature, secret }) => {
        const { Flora } = (globalThis as unknown as { floraSdk: Sdk }).floraSdk;
        const flora = new Flora({ apiKey: "sk_test", baseUrl: `${location.origin}/api/v1` });
        const event = await flora.webhooks.unwrap(rawBody, { "flora-signature": signature }, secret);
        const tampered = await flora.webhooks
          .unwrap(rawBody.replace("completed", "failed"), { "flora-signature": signature }, secret)
          .then(
            () => "accepted",
            (error: Error) => error.name,
          );
        return { type: event.type, runId: event.data.run_id, tampered };
      },
      { rawBody, signature, secret },
    );
    expect(result).toEqual({ type: "run.completed", runId: "run_1", tampered: "WebhookVerificationError" });
  });
});
