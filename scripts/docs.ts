// `npm run docs`: one self-contained HTML reference of openapi/flora.yaml (Redocly build-docs, Redoc
// inlined, no CDN) at docs-dist/index.html, linking to a TypeDoc reference of the SDK at docs-dist/sdk/.
// The reference renders docs-dist/openapi.json, the spec bundled with a TypeScript and a curl sample on
// every operation (scripts/docs/reference-spec.ts); openapi/flora.yaml itself is only read.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildReferenceSpec } from "./docs/reference-spec.js";
import { runRedocly } from "./redocly.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DOCS_DIR = join(root, "docs-dist");
export const API_HTML = join(DOCS_DIR, "index.html");
export const SDK_DIR = join(DOCS_DIR, "sdk");
export const REFERENCE_SPEC = join(DOCS_DIR, "openapi.json");
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

/**
 * Writes the spec with its code samples, then renders it. Redoc 3 shows only the sample languages its
 * `codeSamples.languages` option lists, so a Redocly config of our own lists each sample's label, then the
 * request payload Redoc draws from the schema.
 */
async function buildApiReference(): Promise<void> {
  const reference = await buildReferenceSpec();
  await writeFile(REFERENCE_SPEC, `${JSON.stringify(reference.document, null, 2)}\n`);
  const configDir = await mkdtemp(join(tmpdir(), "flora-docs-"));
  try {
    const config = join(configDir, "redocly.yaml");
    const languages = [...reference.languages, { lang: "Payload", label: "Payload" }];
    await writeFile(config, JSON.stringify({ openapi: { codeSamples: { languages } } }, null, 2));
    const code = await runRedocly([
      "build-docs",
      REFERENCE_SPEC,
      "--config",
      config,
      "--inlineBundle",
      "--output",
      API_HTML,
      "--template",
      "scripts/docs/redoc-template.hbs",
      `--templateOptions.sdkHref=${SDK_HREF}`,
    ]);
    if (code !== 0) throw new Error(`redocly build-docs exited with ${code}`);
  } finally {
    await rm(configDir, { recursive: true, force: true });
  }
}

// Every entry a user imports: the client, the runtime generated code builds on, and the test server.
// Warnings are errors, so a public type that points at something undocumented fails the build.
const typedocArgs = [
  "--entryPoints",
  "src/index.ts",
  "--entryPoints",
  "src/runtime/index.ts",
  "--entryPoints",
  "src/testing/index.ts",
  "--entryPoints",
  "src/webhooks.ts",
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
