// `npm run generate` as a maintainer runs it: clear one-message failures, untouched output, --check, exit codes.
import { execFile } from "node:child_process";
import { cpSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import { generate, snapshot, tempPackage } from "./pipeline-harness.js";

const FIXTURES = resolve(REPO_ROOT, "test/fixtures/pipeline");
const FLORA = resolve(REPO_ROOT, "openapi/flora.yaml");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/generate.ts", ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off" },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

let root: string;
let existing: string;

beforeAll(async () => {
  root = tempPackage("pipeline-cli");
  existing = join(root, "existing");
  await generate(FLORA, existing, "project");
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.concurrent(
  "generate: a broken spec stops the run with one clear message and leaves the output untouched",
  () => {
    const cases: [string, string[], RegExp][] = [
      [
        "a missing file",
        ["--spec", "test/fixtures/pipeline/no-such-spec.yaml"],
        /^error: test\/fixtures\/pipeline\/no-such-spec\.yaml spec file not found$/m,
      ],
      [
        "a YAML syntax error",
        ["--spec", "test/fixtures/pipeline/yaml-syntax-error.yaml"],
        /^error: test\/fixtures\/pipeline\/yaml-syntax-error\.yaml:8:16 YAML syntax error: /m,
      ],
      [
        "an unresolved $ref",
        ["--spec", "test/fixtures/pipeline/unresolved-ref.yaml", "--lint", "off"],
        /^ {2}test\/fixtures\/pipeline\/unresolved-ref\.yaml:10:50 error no-unresolved-refs Can't resolve \$ref$/m,
      ],
      [
        "a lint error",
        ["--spec", "test/fixtures/pipeline/lint-error.yaml"],
        /^ {2}test\/fixtures\/pipeline\/lint-error\.yaml:3:18 error rule\/server-https Servers must use https/m,
      ],
      [
        "a document that is not OpenAPI 3.x",
        ["--spec", "test/fixtures/pipeline/swagger-2.yaml"],
        /^error: test\/fixtures\/pipeline\/swagger-2\.yaml:1:1 not an OpenAPI 3\.0\/3\.1 document \(swagger: 2\.0\)/m,
      ],
      [
        "a .json spec with a trailing comma (YAML would accept it)",
        ["--spec", "test/fixtures/pipeline/trailing-comma.json"],
        /^error: test\/fixtures\/pipeline\/trailing-comma\.json:4:14 JSON syntax error: trailing comma before '}'$/m,
      ],
      [
        "an empty (whitespace-only) spec",
        ["--spec", "test/fixtures/pipeline/empty.yaml"],
        /^error: test\/fixtures\/pipeline\/empty\.yaml is empty$/m,
      ],
      [
        "a spec that is a YAML list",
        ["--spec", "test/fixtures/pipeline/list.yaml"],
        /^error: test\/fixtures\/pipeline\/list\.yaml:1:1 not an OpenAPI document: the top level is a list, not a mapping/m,
      ],
      [
        "a .json $ref target with a trailing comma in a multi-file spec",
        ["--spec", "test/fixtures/pipeline/json-ref-syntax-error/root.yaml", "--lint", "off"],
        /^ {2}test\/fixtures\/pipeline\/json-ref-syntax-error\/pet\.json:4:21 error no-unresolved-refs Failed to parse: JSON syntax error: trailing comma before '}'$/m,
      ],
    ];

    it.each(cases)(
      "%s: exit 1, file and location named, no stack trace, output byte-for-byte untouched",
      async (_name, args, expected) => {
        const before = snapshot(existing);
        const result = await cli(...args, "--out", existing);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(expected);
        expect(result.stderr.split("\n").filter((line) => line.startsWith("error:"))).toHaveLength(1);
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(snapshot(existing)).toEqual(before);
      },
    );
  },
);

describe.concurrent("generate: usage errors", () => {
  it.each([[["--no-such-flag"]], [["--lint", "strict"]], [["--spec", " "]]])(
    "%j exits 2 with the usage",
    async (args) => {
      const result = await cli(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
    },
  );
});

describe("generate --check", () => {
  it("exits 0 on up-to-date output and 1 listing each stale and extra file, writing nothing", async () => {
    const out = join(root, "check");
    cpSync(existing, out, { recursive: true });
    expect((await cli("--spec", FLORA, "--out", out, "--check")).code).toBe(0);

    writeFileSync(join(out, "resources.ts"), readFileSync(join(out, "resources.ts"), "utf8") + "// edited by hand\n");
    writeFileSync(join(out, "leftover.ts"), "// Generated by scripts/generate.ts from an older spec. Do not edit.\n");
    const before = snapshot(out);
    const result = await cli("--spec", FLORA, "--out", out, "--check");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`stale:   ${out}/resources.ts`);
    expect(result.stderr).toContain(`extra:   ${out}/leftover.ts`);
    expect(result.stderr).not.toContain("schema.d.ts");
    expect(snapshot(out)).toEqual(before);
  });
});

describe("generate: determinism and atomic writes", () => {
  it("gives byte-identical output on a second run, rewrites nothing and keeps every mtime", async () => {
    const out = join(root, "twice");
    await generate(FLORA, out, "project");
    const first = snapshot(out);
    const second = await generate(FLORA, out, "project");
    expect(second.plan.changed).toEqual([]);
    expect(snapshot(out)).toEqual(first);
  });

  it("rewrites only the files whose bytes changed, and removes files the spec no longer produces", async () => {
    const out = join(root, "partial");
    await generate(FLORA, out, "project");
    writeFileSync(join(out, "models.ts"), "// Generated by scripts/generate.ts from nothing. Do not edit.\n");
    writeFileSync(join(out, "gone.ts"), "// Generated by scripts/generate.ts from an older spec. Do not edit.\n");
    writeFileSync(join(out, "notes.md"), "kept: not generated\n");
    const schemaMtime = statSync(join(out, "schema.d.ts")).mtimeMs;
    const result = await generate(FLORA, out, "project");
    expect(result.plan).toMatchObject({ changed: ["models.ts"], stale: ["gone.ts"] });
    expect(statSync(join(out, "schema.d.ts")).mtimeMs).toBe(schemaMtime);
    expect(snapshot(out).has("gone.ts")).toBe(false);
    expect(readFileSync(join(out, "notes.md"), "utf8")).toBe("kept: not generated\n");
    expect(readFileSync(join(out, "models.ts"), "utf8")).toBe(readFileSync(join(existing, "models.ts"), "utf8"));
  });
});
