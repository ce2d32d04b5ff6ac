// The `diff` and `release:notes` commands as a user runs them: exit codes, messages, git refs and CHANGELOG writes.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { diffSpecs } from "../scripts/diff/run.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = "test/fixtures/diff";
const scratch = mkdtempSync(join(tmpdir(), "flora-diff-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { cwd: REPO, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
      (error, stdout, stderr) => {
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const diff = (...args: string[]) => run("scripts/diff.ts", args);
const pair = (name: string) => ["--base", `${FIXTURES}/${name}/base.yaml`, "--head", `${FIXTURES}/${name}/head.yaml`];

// Each case starts tsx child processes; on a loaded two-core machine that alone can take tens of seconds.
const SLOW = { timeout: 150_000 };

describe("-h, like --help", SLOW, () => {
  it.each([
    ["scripts/diff.ts", "Usage: npm run diff"],
    ["scripts/release-notes.ts", "Usage: npm run release:notes"],
    ["scripts/generate.ts", "Usage: npm run generate"],
  ])("%s -h exits 0 with the usage", async (script, usage) => {
    const [short, long] = await Promise.all([run(script, ["-h"]), run(script, ["--help"])]);
    expect(short).toMatchObject({ code: 0, stderr: "" });
    expect(short.stdout.startsWith(usage)).toBe(true);
    expect(short.stdout).toBe(long.stdout);
  });
});

describe("npm run diff", SLOW, () => {
  it("exits 2 with a clear message on bad arguments; --rules lists every rule", async () => {
    const [format, unknown, rules] = await Promise.all([diff("--format", "xml"), diff("--bogus"), diff("--rules")]);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^response-enum-value-added +warning +a response enum value was added/m);
    expect(format).toMatchObject({ code: 2, stdout: "" });
    expect(format.stderr).toContain('error: --format must be text, markdown or json, not "xml"');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--bogus'");
    expect(unknown.stderr).toContain("Usage: npm run diff");
  });

  it("exits 1 naming the side that cannot be read", async () => {
    const broken = join(scratch, "broken.yaml");
    writeFileSync(broken, "openapi: 3.1.0\npaths: [\n");
    const [missing, unparsable] = await Promise.all([
      diff("--base", "no-such-ref-or-file"),
      diff("--base", `${FIXTURES}/docs-changed/base.yaml`, "--head", broken),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: base: "no-such-ref-or-file" is neither a spec file nor a git ref');
    expect(unparsable.code).toBe(1);
    expect(unparsable.stderr).toMatch(/error: .*broken\.yaml:\d+:\d+ head: YAML syntax error/);
  });

  it("--fail-on breaking exits 1 after printing the report; without it the same diff exits 0", async () => {
    const [failing, passing, warningOnly] = await Promise.all([
      diff(...pair("operation-removed"), "--fail-on", "breaking", "--format", "json"),
      diff(...pair("operation-removed")),
      diff(...pair("response-enum-value-added"), "--fail-on", "breaking"),
    ]);
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout)).toMatchObject({
      bump: "major",
      changes: [{ rule: "operation-removed", severity: "breaking" }],
    });
    expect(failing.stderr).toContain("1 breaking change(s), 0 warning(s); failing because of --fail-on breaking");
    expect(passing.code).toBe(0);
    expect(passing.stdout).toContain("operation-removed  #/paths/~1items~1{itemId}/get");
    expect(warningOnly.code).toBe(0);
  });
});

describe("a git ref as the base", () => {
  it("materialises a multi-file spec folder at the ref and bundles it", async () => {
    const repo = join(scratch, "repo");
    mkdirSync(join(repo, "openapi", "schemas"), { recursive: true });
    const root = join(repo, "openapi", "api.yaml");
    writeFileSync(
      root,
      readFileSync(`${REPO}${FIXTURES}/docs-changed/base.yaml`, "utf8").replace(
        / {4}Item:\n[\s\S]*?(?=\n {4}ItemEvent:)/,
        '    Item:\n      $ref: "./schemas/item.yaml"',
      ),
    );
    const item = { type: "object", required: ["id"], properties: { id: { type: "string" }, note: { type: "string" } } };
    writeFileSync(join(repo, "openapi", "schemas", "item.yaml"), JSON.stringify(item));
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
        cwd: repo,
        stdio: "pipe",
      });
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "spec");
    writeFileSync(
      join(repo, "openapi", "schemas", "item.yaml"),
      JSON.stringify({ ...item, properties: { id: item.properties.id } }),
    );

    const report = await diffSpecs({ base: "HEAD", head: root, currentVersion: "1.0.0" });
    expect(report.base).toBe("HEAD:openapi/api.yaml");
    expect(report.changes.map((c) => `${c.rule} ${c.pointer}`)).toEqual([
      "response-property-removed #/components/schemas/item/properties/note",
    ]); // the bundler names the external file's schema
    expect(report.nextVersion).toBe("2.0.0");
    await expect(diffSpecs({ base: "HEAD~3", head: root })).rejects.toThrow(
      'base: "HEAD~3" is neither a spec file nor a git ref',
    );
  });
});

describe("npm run release:notes", SLOW, () => {
  it("writes the section once, replaces it on a second run, and --dry-run writes nothing", async () => {
    const changelog = join(scratch, "CHANGELOG.md");
    writeFileSync(changelog, "# Changelog\n\n## 0.1.0\n\nFirst release.\n");
    const notes = (...extra: string[]) =>
      run("scripts/release-notes.ts", [...pair("operation-added"), "--changelog", changelog, ...extra]);

    const dry = await notes("--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would write ## 0.1.1 to ${changelog}`);
    expect(readFileSync(changelog, "utf8")).toBe("# Changelog\n\n## 0.1.0\n\nFirst release.\n");

    const first = await notes();
    expect(first.stdout).toContain("wrote ## 0.1.1");
    const written = readFileSync(changelog, "utf8");
    expect(written).toMatch(
      /^# Changelog\n\n## 0\.1\.1\n\nSuggested bump: minor \(applied as patch under the 0\.x rule\): 0\.1\.0 → 0\.1\.1/,
    );
    expect(written).toContain("### Non-breaking (1)\n\n- DELETE /items/{itemId} (deleteItem) added — `deleteItem`");
    expect(written).toContain("## 0.1.0\n\nFirst release.\n");

    const again = await notes();
    expect(again.stdout).toContain("## 0.1.1 already up to date");
    expect(readFileSync(changelog, "utf8")).toBe(written);
  });
});

describe("the CI workflow", () => {
  it("runs only npm commands and scripts that package.json defines, and reports the diff on pull requests", () => {
    const workflow = parse(readFileSync(`${REPO}.github/workflows/sdk.yml`, "utf8")) as {
      jobs: Record<string, { steps: { run?: string; if?: string }[] }>;
    };
    const scripts = (JSON.parse(readFileSync(`${REPO}package.json`, "utf8")) as { scripts: Record<string, string> })
      .scripts;
    const steps = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => step.run);
    for (const { run: command } of steps) {
      expect(command).toMatch(/^npm (ci|test|run (--silent )?[\w:]+)\b/);
      const script = command?.match(/^npm run (?:--silent )?([\w:]+)/)?.[1];
      if (script) expect(Object.keys(scripts)).toContain(script);
    }
    const commands = steps.map((step) => step.run);
    expect(commands).toEqual(expect.arrayContaining(["npm run lint:spec", "npm run generate -- --check", "npm test"]));
    const report = steps.find((step) => step.run?.includes("npm run --silent diff"));
    expect(report?.if).toBe("github.event_name == 'pull_request'");
    expect(report?.run).toContain('--base "origin/$BASE_REF" --format markdown | tee -a "$GITHUB_STEP_SUMMARY"');
  });
});
