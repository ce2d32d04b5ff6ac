// `npm run docs`: one self-contained HTML reference of openapi/flora.yaml (Redocly build-docs, Redoc
// inlined, no CDN) at docs-dist/index.html, linking to a TypeDoc reference of the SDK at docs-dist/sdk/.
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runRedocly } from "./redocly.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DOCS_DIR = join(root, "docs-dist");
export const API_HTML = join(DOCS_DIR, "index.html");
export const SDK_DIR = join(DOCS_DIR, "sdk");
const SDK_HREF = "sdk/index.html";
const typedocCli = join(dirname(createRequire(import.meta.url).resolve("typedoc/package.json")), "dist/cli.js");

/** TypeDoc's CLI under tsx, so that it can load the TypeScript plugin in scripts/docs/. */
function runTypedoc(args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", typedocCli, ...args], { cwd: root, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`typedoc exited with ${code}`))));
  });
}

async function buildApiReference(): Promise<void> {
  const code = await runRedocly(redocArgs);
  if (code !== 0) throw new Error(`redocly build-docs exited with ${code}`);
}

const redocArgs = [
  "build-docs",
  "openapi/flora.yaml",
  "--inlineBundle",
  "--output",
  API_HTML,
  "--template",
  "scripts/docs/redoc-template.hbs",
  `--templateOptions.sdkHref=${SDK_HREF}`,
];

// Every entry a user imports: the client, the runtime generated code builds on, and the test server.
// Warnings are errors, so a public type that points at something undocumented fails the build.
const typedocArgs = [
  "--entryPoints",
  "src/index.ts",
  "--entryPoints",
  "src/runtime/index.ts",
  "--entryPoints",
  "src/testing/index.ts",
  "--plugin",
  "./scripts/docs/typedoc-object-aliases.ts",
  "--treatWarningsAsErrors",
  "--tsconfig",
  "tsconfig.build.json",
  "--out",
  SDK_DIR,
  "--name",
  "flora-sdk",
  "--readme",
  "none",
  "--disableSources",
  "--excludePrivate",
  "--excludeInternal",
  "--logLevel",
  "Warn",
];

async function main(): Promise<void> {
  await rm(DOCS_DIR, { recursive: true, force: true });
  await mkdir(DOCS_DIR, { recursive: true });
  await Promise.all([buildApiReference(), runTypedoc(typedocArgs)]);
  console.log(`docs: ${API_HTML} (API), ${join(SDK_DIR, "index.html")} (SDK)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
