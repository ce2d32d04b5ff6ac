// `npm run docs`: one self-contained HTML reference of openapi/flora.yaml (Redocly build-docs, Redoc
// inlined, no CDN) at docs-dist/index.html, linking to a TypeDoc reference of the SDK at docs-dist/sdk/.
import { spawn } from "node:child_process";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DOCS_DIR = join(root, "docs-dist");
export const API_HTML = join(DOCS_DIR, "index.html");
export const SDK_DIR = join(DOCS_DIR, "sdk");
const SDK_HREF = "sdk/index.html";

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(root, "node_modules/.bin", bin), args, {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off" },
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`${bin} exited with ${code}`))));
  });
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

// Both entries a user imports: the client and the test server.
const typedocArgs = [
  "--entryPoints",
  "src/index.ts",
  "--entryPoints",
  "src/testing/index.ts",
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
  await Promise.all([run("redocly", redocArgs), run("typedoc", typedocArgs)]);
  console.log(`docs: ${API_HTML} (API), ${join(SDK_DIR, "index.html")} (SDK)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
