// `npm run generate` as a maintainer runs it: clear one-message failures, untouched output, --check, exit codes.
import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runPipeline } from "../scripts/pipeline/run.js";
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
        // A hung run (mkdir under /proc once looped forever) is killed and fails its test instead of lingering.
        timeout: 50_000,
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
        /^error: test\/fixtures\/pipeline\/swagger-2\.yaml:1:1 not an OpenAPI 3\.0\/3\.1\/3\.2 document \(swagger: 2\.0\)/m,
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
      ...(["project", "minimal", "off"] as const).flatMap((mode): [string, string[], RegExp][] => [
        [
          `a $ref chain that leads back to itself (A → B → A), --lint ${mode}`,
          ["--spec", "test/fixtures/pipeline/circular-ref.yaml", "--lint", mode],
          /^error: test\/fixtures\/pipeline\/circular-ref\.yaml:20:13 circular \$ref: #\/components\/schemas\/A → #\/components\/schemas\/B → #\/components\/schemas\/A \(each \$ref names the next; none reaches a definition\)$/m,
        ],
        [
          `a $ref to itself, --lint ${mode}`,
          ["--spec", "test/fixtures/pipeline/self-ref.yaml", "--lint", mode],
          /^error: test\/fixtures\/pipeline\/self-ref\.yaml:9:13 circular \$ref: #\/components\/schemas\/S → #\/components\/schemas\/S /m,
        ],
      ]),
      [
        "a $ref chain that leads back to itself across two files",
        ["--spec", "test/fixtures/pipeline/circular-ref-files/root.yaml", "--lint", "off"],
        /^error: test\/fixtures\/pipeline\/circular-ref-files\/pet\.yaml:2:9 circular \$ref: test\/fixtures\/pipeline\/circular-ref-files\/root\.yaml#\/components\/schemas\/Pet → #\/Pet → test\/fixtures\/pipeline\/circular-ref-files\/root\.yaml#\/components\/schemas\/Pet /m,
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

describe.concurrent("generate: --out must be a folder that can be written, checked before any stage runs", () => {
  it.each([
    ["names an existing file", (file: string) => file, (file: string) => `--out ${file} is a file, not a folder`],
    [
      "lies under a file",
      (file: string) => join(file, "sdk"),
      (file: string) => `--out ${join(file, "sdk")} cannot be created: ${file} is a file, not a folder`,
    ],
  ])("%s: exit 2 naming it, no stage run, the file untouched", async (_name, out, message) => {
    const file = join(root, `out-file-${out("").length}.txt`);
    writeFileSync(file, "not a folder\n");
    const result = await cli("--spec", FLORA, "--out", out(file));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error: ${message(file)}\n`);
    expect(result.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe("not a folder\n");
  });
});

describe.concurrent("generate: --out folders are created before any stage, one level at a time", () => {
  it.each([["/proc/flora-sdk-out/sdk"], ["/sys/flora-sdk-out"]])(
    "--out %s: exit 2 naming the folder that cannot be created, no stage run, no hang",
    async (out) => {
      const result = await cli("--spec", FLORA, "--out", out);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^error: --out ${out} cannot be created: .+\n$`));
      expect(result.stdout).toBe("");
    },
  );

  it("a run that fails after creating them removes them again", async () => {
    const top = join(root, "created-then-failed");
    const result = await cli("--spec", "test/fixtures/pipeline/lint-error.yaml", "--out", join(top, "a", "sdk"));
    expect(result.code).toBe(1);
    expect(existsSync(top)).toBe(false);
  });
});

describe.concurrent("generate: --out must not be this repository's own folders", () => {
  it.each([
    [".", "this repository's root"],
    ["src", "inside src, this repository's own files"],
    ["test/fixtures/out", "inside test, this repository's own files"],
    ["openapi", "the spec's own folder"],
    ["webhooks", "inside webhooks, this repository's own files"],
    ["cli/x", "inside cli, this repository's own files"],
    [".cache/out", "inside .cache, this repository's own files"],
  ])("--out %s: exit 2 before any stage, nothing written", async (out, what) => {
    const before = snapshot(join(REPO_ROOT, out === "." ? "openapi" : out.split("/")[0]));
    const result = await cli("--spec", FLORA, "--out", out);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^error: --out \\S+ is ${what}: pick a folder of its own\\n$`));
    expect(result.stdout).toBe("");
    expect(snapshot(join(REPO_ROOT, out === "." ? "openapi" : out.split("/")[0]))).toEqual(before);
  });

  it.each([
    ["a link to openapi/", (link: string) => link, "the spec's own folder"],
    ["a folder under a link to src/", (link: string) => join(link, "sub"), "inside src, this repository's own files"],
  ])("--out through a symbolic link (%s): refused as the folder it leads to", async (_what, outOf, what) => {
    const outside = mkdtempSync(join(tmpdir(), "out-link-"));
    try {
      const target = what.includes("src") ? "src" : "openapi";
      const link = join(outside, "link");
      symlinkSync(join(REPO_ROOT, target), link, "dir");
      const before = snapshot(join(REPO_ROOT, target));
      const result = await cli("--spec", FLORA, "--out", outOf(link));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^error: --out \\S+ is ${what}: pick a folder of its own\\n$`));
      expect(snapshot(join(REPO_ROOT, target))).toEqual(before);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe("generate: an --out that becomes a link while the run goes on", () => {
  it("checks the folder again just before writing, and writes nothing into the repository", async () => {
    const outside = mkdtempSync(join(tmpdir(), "out-swap-"));
    // The link leads into .cache/ (ignored by git), so a regression litters nothing a commit could pick up.
    const target = join(REPO_ROOT, ".cache", `swap-target-${process.pid}`);
    try {
      mkdirSync(target, { recursive: true });
      const out = join(outside, "out");
      mkdirSync(out);
      const run = runPipeline({
        spec: FLORA,
        out,
        lint: "minimal",
        check: false,
        onStage: (stage) => {
          if (stage !== "model") return;
          rmSync(out, { recursive: true, force: true });
          symlinkSync(target, out, "dir");
        },
      });
      await expect(run).rejects.toThrow(/is inside \.cache, this repository's own files: pick a folder of its own/);
      expect(readdirSync(target)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
      rmSync(target, { recursive: true, force: true });
    }
  });
});

describe("generate: files it did not write", () => {
  it("names a folder that stands where it writes a file, and writes nothing", async () => {
    const out = join(root, "folder-clash");
    mkdirSync(join(out, "models.ts"), { recursive: true });
    const before = snapshot(out);
    const result = await cli("--spec", FLORA, "--out", out, "--quiet");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(out, "models.ts")} is a folder where the generator writes a file`);
    expect(snapshot(out)).toEqual(before);
  });

  it("puts every file back when a rename fails part-way: never half old, half new", async () => {
    const out = join(root, "rollback");
    const museum = await generate(resolve(REPO_ROOT, "../shared/specs/museum.yaml"), out);
    const before = snapshot(out);
    // an immutable file cannot be moved aside, even by root: the last one written fails after the others moved
    const last = [...museum.files.keys()].at(-1) as string;
    const stuck = join(out, last);
    execFileSync("chattr", ["+i", stuck]);
    try {
      const result = await cli("--spec", FLORA, "--out", out, "--quiet");
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(last);
    } finally {
      execFileSync("chattr", ["-i", stuck]);
    }
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(out).filter((name) => name.startsWith(".generate-"))).toEqual([]);
  });

  it("stops before writing anything when it would replace hand-written files; --force replaces only those", async () => {
    const out = join(root, "hand-written");
    mkdirSync(out);
    writeFileSync(join(out, "index.ts"), "export const mine = 1;\n");
    writeFileSync(join(out, "models.ts"), "// my models\n");
    writeFileSync(join(out, "notes.md"), "kept: not generated\n");
    writeFileSync(join(out, "helpers.ts"), "// hand-written, no generated header\n");
    const before = snapshot(out);

    const refused = await cli("--spec", FLORA, "--out", out);
    expect(refused.code).toBe(1);
    const lines = refused.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^error: not replacing 2 file\(s\) in .* without the generated header .*--force/);
    expect(lines.slice(1).sort()).toEqual([`  ${join(out, "index.ts")}`, `  ${join(out, "models.ts")}`]);
    expect(snapshot(out)).toEqual(before);

    const forced = await cli("--spec", FLORA, "--out", out, "--force", "--quiet");
    expect(forced.code).toBe(0);
    expect(readFileSync(join(out, "index.ts"), "utf8")).toMatch(/^\/\/ Generated by scripts\/generate\.ts/);
    expect(readFileSync(join(out, "models.ts"), "utf8")).toMatch(/^\/\/ Generated by scripts\/generate\.ts/);
    expect(readFileSync(join(out, "notes.md"), "utf8")).toBe("kept: not generated\n");
    expect(readFileSync(join(out, "helpers.ts"), "utf8")).toBe("// hand-written, no generated header\n");
  });
});

describe("generate: the runtime import", () => {
  it("is the package name when --out is outside the repository, and stays relative inside it", async () => {
    const out = join(root, "outside");
    const result = await cli("--spec", FLORA, "--out", out);
    expect(result.code).toBe(0);
    const name = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { name: string }).name;
    expect(result.stdout.split("\n").filter((line) => line.includes(`${name}/runtime`))).toEqual([
      `runtime import: ${name}/runtime (--out is outside this repository; --runtime-import changes it)`,
    ]);
    const imports = readdirSync(out).flatMap(
      (file) => readFileSync(join(out, file), "utf8").match(/from "[^"]*runtime[^"]*"/g) ?? [],
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(new Set(imports)).toEqual(new Set([`from "${name}/runtime"`]));

    // generated/ is inside the repo and imports ../src/runtime/index.js: --check finds it current.
    const inside = await cli("--check");
    expect(inside.code).toBe(0);
    expect(inside.stdout).not.toContain("runtime import:");
  });
});

describe.concurrent("generate: lint warnings under --lint minimal", () => {
  const spec = "test/fixtures/pipeline/lint-warnings.yaml";

  it("are summarised as a count per rule, pointing at --verbose", async () => {
    const result = await cli("--spec", spec, "--out", join(root, "warnings"), "--lint", "minimal");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("lint warnings: 10 under --lint minimal, by rule (--verbose lists each):\n");
    expect(result.stdout).toContain("\n       3  operation-summary\n");
    expect(result.stdout).toContain("\n       1  no-server-example.com\n");
    expect(result.stdout).not.toContain(" warning operation-summary ");
    expect(result.stdout).not.toContain("--lint project");
  });

  it("--verbose prints each one as file:line:col", async () => {
    const result = await cli("--spec", spec, "--out", join(root, "warnings-verbose"), "--lint", "minimal", "--verbose");
    expect(result.code).toBe(0);
    const warnings = result.stdout.split("\n").filter((line) => line.startsWith(`${spec}:`));
    expect(warnings).toHaveLength(10);
    expect(warnings).toContain(
      `${spec}:12:5 warning operation-summary Operation object should contain \`summary\` field.`,
    );
  });
});

describe("generate --check", () => {
  it("exits 0 on up-to-date output and 1 listing each stale and extra file, writing nothing", async () => {
    const out = join(root, "check");
    expect((await cli("--spec", FLORA, "--out", out, "--quiet")).code).toBe(0);
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

  it("reports every entry the spec does not produce as extra (dotfiles aside) and a deleted file as missing", async () => {
    const out = join(root, "check-strays");
    expect((await cli("--spec", FLORA, "--out", out, "--quiet")).code).toBe(0);
    writeFileSync(join(out, "extra.ts"), "export const mine = 1;\n");
    writeFileSync(join(out, "x.mts"), "export {};\n");
    writeFileSync(join(out, "extra.json"), "{}\n");
    mkdirSync(join(out, "sub"));
    writeFileSync(join(out, ".gitkeep"), "");
    rmSync(join(out, "servers.ts"));
    const before = snapshot(out);
    const result = await cli("--spec", FLORA, "--out", out, "--check");
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split("\n").slice(1)).toEqual([
      `  missing: ${out}/servers.ts`,
      `  extra:   ${out}/extra.json`,
      `  extra:   ${out}/extra.ts`,
      `  extra:   ${out}/sub/`,
      `  extra:   ${out}/x.mts`,
    ]);
    expect(snapshot(out)).toEqual(before);

    // Without --check the same folder is written, and nothing the generator did not write is removed.
    expect((await cli("--spec", FLORA, "--out", out, "--quiet")).code).toBe(0);
    for (const name of ["extra.ts", "x.mts", "extra.json", "sub", ".gitkeep", "servers.ts"])
      expect(existsSync(join(out, name)), name).toBe(true);
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
