// The built API reference, opened in headless Chromium: every operation's title, request and response
// schema, error codes and code samples (TypeScript SDK, curl) are visible, the SDK reference is linked, and
// screenshots are kept.
import { bundle, createConfig } from "@redocly/openapi-core";
import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type Browser } from "./support/chromium.js";
import { repoRoot, run } from "./support/packed-package.js";

const docsDir = join(repoRoot, "docs-dist");
const apiHtml = join(docsDir, "index.html");
const SCREENSHOT = join(docsDir, "api-reference.png");
const SAMPLES_SCREENSHOT = join(docsDir, "code-samples.png");
/** The spec the reference renders: openapi/flora.yaml bundled, with `x-codeSamples` (scripts/docs/reference-spec.ts). */
const referenceSpec = join(docsDir, "openapi.json");
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

type Schema = {
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  title?: string;
};
type Content = Record<string, { schema?: Schema }>;
type Operation = {
  summary?: string;
  operationId?: string;
  tags?: string[];
  requestBody?: { content?: Content };
  responses?: Record<string, { content?: Content }>;
};

interface CodeSample {
  lang: string;
  label: string;
  source: string;
}

interface DocumentedOperation {
  summary: string;
  /** Where it sits in `paths` (or `webhooks`), to find it in the reference spec. */
  path: string;
  method: string;
  /** A path operation, so a method of the SDK (webhooks are events the SDK verifies, not calls). */
  isPathOperation: boolean;
  tag: string;
  requestProperties: string[];
  successProperties: string[];
  errorStatuses: string[];
  /** Values of every `code` enum in the error bodies, with the titles of the branches that hold them. */
  errorCodes: string[];
  codeBranches: string[];
}

function jsonSchema(content: Content | undefined): Schema | undefined {
  const mediaType = Object.keys(content ?? {}).find((type) => type.includes("json"));
  return mediaType ? content?.[mediaType]?.schema : undefined;
}

/** Top-level property names, through allOf. */
function propertyNames(schema: Schema | undefined): string[] {
  if (!schema) return [];
  return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap(propertyNames)];
}

/** Enum values and branch titles of every property named `code`, at any depth. */
function codeEnums(schema: Schema | undefined, seen = new Set<Schema>()): { codes: string[]; branches: string[] } {
  const found = { codes: [] as string[], branches: [] as string[] };
  if (!schema || seen.has(schema)) return found;
  seen.add(schema);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (name === "code") {
      const branches = [property, ...(property.anyOf ?? []), ...(property.oneOf ?? []), ...(property.allOf ?? [])];
      for (const branch of branches) {
        found.codes.push(...(branch.enum ?? []).map(String));
        if (branch !== property && branch.title) found.branches.push(branch.title);
      }
    }
    const nested = codeEnums(property, seen);
    found.codes.push(...nested.codes);
    found.branches.push(...nested.branches);
  }
  for (const child of [schema.items, ...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const nested = codeEnums(child, seen);
    found.codes.push(...nested.codes);
    found.branches.push(...nested.branches);
  }
  return found;
}

function describeOperation(
  operation: Operation,
  fallbackTag: string,
  isPathOperation: boolean,
  path: string,
  method: string,
): DocumentedOperation {
  const responses = Object.entries(operation.responses ?? {});
  const success = responses.find(([status]) => status.startsWith("2"));
  const errors = responses.filter(([status]) => /^[45]/.test(status));
  const codes = errors.map(([, response]) => codeEnums(jsonSchema(response.content)));
  return {
    summary: operation.summary ?? operation.operationId ?? "",
    path,
    method,
    isPathOperation,
    tag: operation.tags?.[0] ?? fallbackTag,
    requestProperties: propertyNames(jsonSchema(operation.requestBody?.content)),
    successProperties: propertyNames(jsonSchema(success?.[1].content)),
    errorStatuses: errors.map(([status]) => status),
    errorCodes: [...new Set(codes.flatMap((c) => c.codes))],
    codeBranches: [...new Set(codes.flatMap((c) => c.branches))],
  };
}

async function loadOperations(): Promise<DocumentedOperation[]> {
  const result = await bundle({
    ref: join(repoRoot, "openapi/flora.yaml"),
    config: await createConfig({}),
    dereference: true,
  });
  const document = result.bundle.parsed as {
    paths?: Record<string, Record<string, Operation>>;
    webhooks?: Record<string, Record<string, Operation>>;
  };
  const fromItems = (items: Record<string, Record<string, Operation>> | undefined, fallbackTag: string) =>
    Object.entries(items ?? {}).flatMap(([path, item]) =>
      HTTP_METHODS.filter((method) => item[method]).map((method) =>
        describeOperation(item[method], fallbackTag, items === document.paths, path, method),
      ),
    );
  return [...fromItems(document.paths, ""), ...fromItems(document.webhooks, "Webhooks")];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** `conflict` must not be found inside `idempotency_conflict`. */
const wordPattern = (word: string) => new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(word)}([^A-Za-z0-9_]|$)`);

let operations: DocumentedOperation[];
let page: Page;
let browser: Browser;
const externalRequests: string[] = [];

beforeAll(async () => {
  const built = await run("npm", ["run", "-s", "docs"], repoRoot);
  expect(built.code, `${built.stdout}\n${built.stderr}`).toBe(0);
  operations = await loadOperations();
  browser = await launchChromium();
  // The page must work offline: every http(s) request is refused and recorded.
  await browser.context.route(/^https?:/, async (route) => {
    externalRequests.push(route.request().url());
    await route.abort();
  });
  page = browser.page;
  await page.goto(pathToFileURL(apiHtml).href);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens an operation from the sidebar and returns its rendered section. */
async function openOperation(operation: DocumentedOperation): Promise<Locator> {
  const item = page.getByText(operation.summary, { exact: true }).first();
  if (!(await item.isVisible())) await page.getByText(operation.tag, { exact: true }).first().click();
  await item.click();
  const heading = page.getByRole("heading", { name: operation.summary }).first();
  await heading.waitFor({ state: "visible", timeout: 15_000 });
  const section = page.locator("[data-section-id]").filter({ has: heading }).last();
  await section.waitFor({ state: "visible", timeout: 15_000 });
  return section;
}

async function clickIfPresent(locator: Locator): Promise<void> {
  if ((await locator.count()) > 0 && (await locator.first().isVisible())) await locator.first().click();
}

describe("the API reference in headless Chromium", () => {
  it("is one self-contained HTML file with Redoc inlined", async () => {
    const html = await readFile(apiHtml, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/);
    expect(operations.length).toBeGreaterThan(0);
  });

  it("shows every operation's title", async () => {
    for (const operation of operations) {
      const section = await openOperation(operation);
      await expect.poll(() => section.innerText(), { timeout: 10_000 }).toContain(operation.summary);
    }
  }, 120_000);

  it("shows every operation's request and success response schema properties", async () => {
    const checked = operations.filter(
      (operation) => operation.requestProperties.length + operation.successProperties.length > 0,
    );
    expect(checked.length).toBeGreaterThan(0);
    for (const operation of checked) {
      const section = await openOperation(operation);
      const text = await section.innerText();
      for (const property of [...operation.requestProperties, ...operation.successProperties]) {
        expect(text, `${operation.summary}: ${property}`).toMatch(
          new RegExp(`(^|\\s)${escapeRegExp(property)}(\\s|$)`, "m"),
        );
      }
    }
  }, 120_000);

  it("shows every error status and every documented error code", async () => {
    const withErrors = operations.filter((operation) => operation.errorStatuses.length > 0);
    expect(withErrors.some((operation) => operation.errorCodes.length > 0)).toBe(true);
    for (const operation of withErrors) {
      const section = await openOperation(operation);
      const seen = new Set<string>();
      for (const status of operation.errorStatuses) {
        const tab = section.getByRole("tab", { name: status, exact: true }).first();
        await expect.poll(() => tab.isVisible(), { timeout: 10_000 }).toBe(true);
        await tab.click();
        await clickIfPresent(section.getByText("Expand all", { exact: true }));
        const texts = [await section.innerText()];
        for (const branch of operation.codeBranches) {
          await clickIfPresent(section.getByText(branch, { exact: true }));
          texts.push(await section.innerText());
        }
        for (const code of operation.errorCodes) if (texts.some((text) => wordPattern(code).test(text))) seen.add(code);
      }
      expect([...seen].sort(), operation.summary).toEqual([...operation.errorCodes].sort());
    }
    // Keep a picture of the first operation with error codes, its error responses open.
    const first = withErrors.find((operation) => operation.errorCodes.length > 0) ?? withErrors[0];
    const section = await openOperation(first);
    await section
      .getByRole("tab", {
        name: first.errorStatuses.find((status) => status === "409") ?? first.errorStatuses[0],
        exact: true,
      })
      .first()
      .click();
    await clickIfPresent(section.getByText("Expand all", { exact: true }));
    await section.getByText("Responses", { exact: true }).first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: SCREENSHOT });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(20_000);
  }, 180_000);

  it("shows every operation's TypeScript SDK sample and curl sample beside it", async () => {
    const reference = JSON.parse(await readFile(referenceSpec, "utf8")) as {
      paths: Record<string, Record<string, { "x-codeSamples"?: CodeSample[] }>>;
    };
    const sdkOperations = operations.filter((operation) => operation.isPathOperation);
    expect(sdkOperations.length).toBeGreaterThan(0);
    for (const operation of sdkOperations) {
      const samples = reference.paths[operation.path]?.[operation.method]?.["x-codeSamples"] ?? [];
      expect(
        samples.map((sample) => sample.lang),
        operation.summary,
      ).toEqual(expect.arrayContaining(["TypeScript", "Shell"]));
      const section = await openOperation(operation);
      // Redoc 3 lists an operation's samples in one menu, whose button shows the language picked last.
      const labels = samples.map((sample) => sample.label);
      const menu = section
        .locator('button[aria-haspopup="menu"]')
        .filter({ hasText: new RegExp(`^(${labels.map(escapeRegExp).join("|")})$`) })
        .first();
      for (const sample of samples) {
        await expect.poll(() => menu.isVisible(), { timeout: 10_000 }).toBe(true);
        await menu.click();
        await page.getByRole("menuitem", { name: sample.label, exact: true }).click();
        await expect.poll(() => menu.innerText(), { timeout: 10_000 }).toBe(sample.label);
        const text = await section.innerText();
        for (const line of sample.source.split("\n").filter((l) => l.trim() !== "")) {
          expect(text, `${operation.summary}, ${sample.label}`).toContain(line.trim());
        }
        if (sample.lang === "TypeScript" && !existsSync(SAMPLES_SCREENSHOT)) {
          await menu.scrollIntoViewIfNeeded();
          await page.screenshot({ path: SAMPLES_SCREENSHOT });
        }
      }
    }
    expect((await stat(SAMPLES_SCREENSHOT)).size).toBeGreaterThan(20_000);
  }, 120_000);

  it("links the TypeScript SDK reference, which documents the Flora client", async () => {
    await page.goto(pathToFileURL(apiHtml).href);
    const link = page.locator("#sdk-reference-link");
    await expect.poll(() => link.isVisible(), { timeout: 10_000 }).toBe(true);
    await link.click();
    await page.waitForURL(/\/sdk\/index\.html$/);
    expect(existsSync(join(docsDir, "sdk/index.html"))).toBe(true);
    await expect.poll(() => page.locator("body").innerText(), { timeout: 10_000 }).toContain("flora-sdk");
    const classPage = (await readdir(join(docsDir, "sdk/classes"))).find((file) => /(^|\.)Flora\.html$/.test(file));
    expect(classPage).toBeDefined();
    await page.goto(pathToFileURL(join(docsDir, "sdk/classes", classPage ?? "")).href);
    const text = await page.locator("body").innerText();
    for (const member of ["techniques", "webhooks", "constructor"]) expect(text).toContain(member);
  }, 60_000);

  it("documents the methods people call: techniques.runs.create and retrieve, with the spec's summaries, and the helpers", async () => {
    const classPage = (await readdir(join(docsDir, "sdk/classes"))).find((file) => /(^|\.)Flora\.html$/.test(file));
    await page.goto(pathToFileURL(join(docsDir, "sdk/classes", classPage ?? "")).href);
    // Follow the type of `flora.techniques` from the class page, as a reader would.
    await page
      .locator("a.tsd-signature-type", { hasText: /^FloraTechniques$/ })
      .first()
      .click();
    await page.waitForURL(/FloraTechniques\.html$/);
    const runs = page.locator(".tsd-panel", { has: page.locator("h3", { hasText: /^runs$/ }) }).first();
    await expect.poll(() => runs.isVisible(), { timeout: 10_000 }).toBe(true);
    const text = await runs.innerText();
    for (const method of ["create", "retrieve"]) expect(text).toMatch(new RegExp(`(^|\\s)${method}\\s*\\(`, "m"));
    const sdkOperations = operations.filter((operation) => operation.isPathOperation);
    expect(sdkOperations.length).toBeGreaterThanOrEqual(2);
    // run operations sit under `runs`, the others (techniques.list, techniques.retrieve) on FloraTechniques itself
    const whole = await page.locator(".col-content").innerText();
    for (const operation of sdkOperations) expect(whole, operation.summary).toContain(operation.summary);
    // wait, createAndWait and stream sit on RunHelpers, linked from the same type.
    await runs
      .locator("a", { hasText: /^RunHelpers$/ })
      .first()
      .click();
    await page.waitForURL(/RunHelpers\.html$/);
    const helpers = await page.locator(".col-content").innerText();
    for (const method of ["wait", "createAndWait", "stream"]) expect(helpers).toMatch(new RegExp(`^${method}$`, "m"));
  }, 60_000);

  it("gives each entry a user imports its own page: flora-sdk, flora-sdk/runtime, flora-sdk/testing and flora-sdk/webhooks", async () => {
    await page.goto(pathToFileURL(join(docsDir, "sdk/index.html")).href);
    for (const [entry, member] of [
      ["flora-sdk", "Flora"],
      ["flora-sdk/runtime", "createRuntime"],
      ["flora-sdk/testing", "startFloraTestServer"],
      ["flora-sdk/webhooks", "unwrap"],
    ]) {
      await page.goto(pathToFileURL(join(docsDir, "sdk/index.html")).href);
      await page
        .locator(".col-content a", { hasText: new RegExp(`^${escapeRegExp(entry)}$`) })
        .first()
        .click();
      await expect.poll(() => page.locator("h1").first().innerText(), { timeout: 10_000 }).toContain(entry);
      await expect.poll(() => page.locator(".col-content").innerText(), { timeout: 10_000 }).toContain(member);
    }
  }, 60_000);

  it("needs nothing from the network but Redoc's attribution logo", () => {
    expect(externalRequests.filter((url) => !url.startsWith("https://cdn.redoc.ly/redoc/logo"))).toEqual([]);
  });
});
