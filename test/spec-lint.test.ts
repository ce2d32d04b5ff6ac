import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  getLineColLocation,
  lint,
  lintConfig,
  lintFromString,
  loadConfig,
  type Config,
  type NormalizedProblem,
} from "@redocly/openapi-core";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";

const repoPath = (relative: string): string =>
  fileURLToPath(new URL(`../${relative}`, import.meta.url));
const specPath = repoPath("openapi/flora.yaml");
const fixturePath = (name: string): string =>
  repoPath(`test/fixtures/lint/${name}.yaml`);
// The seed lives outside the repo; the literal copies below are what the spec must carry either way.
const seedPath = repoPath("../shared/seed/start-technique-run.md");

const seedRequest = {
  inputs: [{ id: "id", type: "text", value: "value" }],
  mode: "async",
};
const seedResponse = {
  created_at: 0,
  progress: 0,
  run_id: "run_abc123",
  status: "pending",
  charged_cost: 0,
  completed_at: 0,
  error_code: "provider_error",
  error_message: "The provider failed to complete the generation.",
  outputs: [
    {
      output_id: "output_1",
      type: "imageUrl",
      url: "https://media.flora.ai/output.png",
    },
  ],
  poll_url: "https://example.com",
  started_at: 0,
};

interface ProblemSummary {
  ruleId: string;
  pointer: string | undefined;
  line: number;
  col: number;
}

function summarize(problem: NormalizedProblem): ProblemSummary {
  const location = problem.location[0]!;
  const { start } = getLineColLocation(location);
  return {
    ruleId: problem.ruleId,
    pointer: location.pointer,
    line: start.line,
    col: start.col,
  };
}

const projectRuleProblems = (problems: NormalizedProblem[]): ProblemSummary[] =>
  problems
    .filter((problem) => problem.ruleId.startsWith("rule/"))
    .map(summarize);

interface CliReport {
  exitCode: number;
  totals: { errors: number; warnings: number };
  problems: ProblemSummary[];
}

// The CLI bundles its own, newer openapi-core; it must agree with the in-process linter.
async function lintWithCli(file: string): Promise<CliReport> {
  const redocly = repoPath("node_modules/.bin/redocly");
  const env = {
    ...process.env,
    REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
    REDOCLY_TELEMETRY: "off",
  };
  const { stdout, exitCode } = await promisify(execFile)(
    redocly,
    ["lint", file, "--format=json"],
    { cwd: repoPath(""), env },
  ).then(
    ({ stdout }) => ({ stdout, exitCode: 0 }),
    (error: { stdout: string; code: number }) => ({
      stdout: error.stdout,
      exitCode: error.code,
    }),
  );
  const report = JSON.parse(stdout) as {
    totals: CliReport["totals"];
    problems: Array<{
      ruleId: string;
      location: Array<{
        pointer: string;
        start: { line: number; col: number };
      }>;
    }>;
  };
  const problems = report.problems.map(({ ruleId, location: [first] }) => ({
    ruleId,
    pointer: first!.pointer,
    line: first!.start.line,
    col: first!.start.col,
  }));
  return { exitCode, totals: report.totals, problems };
}

type Yaml = Record<string, unknown>;
const spec = parse(readFileSync(specPath, "utf8")) as Yaml;
const at = (node: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>(
    (value, key) => (value as Yaml | undefined)?.[key],
    node,
  );

let config: Config;

beforeAll(async () => {
  config = await loadConfig({ configPath: repoPath("redocly.yaml") });
});

describe("redocly.yaml", () => {
  it("is a valid Redocly configuration", async () => {
    expect((await lintConfig({ config })).map(summarize)).toEqual([]);
  });

  it("extends recommended-strict and defines the project rules", () => {
    const raw = parse(readFileSync(repoPath("redocly.yaml"), "utf8")) as Yaml;
    expect(raw.extends).toEqual(["recommended-strict"]);
    expect(Object.keys(raw.rules as Yaml).sort()).toEqual([
      "rule/mutation-idempotency-key",
      "rule/operation-4xx-declared",
      "rule/operation-documented",
      "rule/schema-property-description",
      "rule/server-https",
    ]);
  });
});

describe("openapi/flora.yaml", () => {
  it("lints with no errors and no warnings", async () => {
    const problems = await lint({ ref: specPath, config });
    expect(
      problems.map((problem) => `${problem.ruleId}: ${problem.message}`),
    ).toEqual([]);
  });

  it("lints clean with the redocly CLI too, run from the repo root", async () => {
    const report = await lintWithCli("openapi/flora.yaml");
    expect(report).toEqual({
      exitCode: 0,
      totals: expect.objectContaining({ errors: 0, warnings: 0 }),
      problems: [],
    });
  });

  it("fails the idempotency rule once the create operation drops its Idempotency-Key", async () => {
    const source = readFileSync(specPath, "utf8");
    const withoutKey = source.replace(
      '        - $ref: "#/components/parameters/IdempotencyKey"\n',
      "",
    );
    expect(withoutKey).not.toBe(source);
    const problems = await lintFromString({
      source: withoutKey,
      absoluteRef: specPath,
      config,
    });
    expect(projectRuleProblems(problems)).toMatchObject([
      {
        ruleId: "rule/mutation-idempotency-key",
        pointer: "#/paths/~1techniques~1{techniqueId}~1runs/post/parameters",
      },
    ]);
  });

  it("carries the seed's example request and response", () => {
    const createRequest = at(
      spec,
      "components",
      "requestBodies",
      "CreateTechniqueRun",
      "content",
      "application/json",
    );
    expect(at(createRequest, "examples", "seed", "value")).toEqual(seedRequest);
    expect(at(spec, "components", "examples", "SeedRun", "value")).toEqual(
      seedResponse,
    );
    const started = at(
      spec,
      "components",
      "responses",
      "RunStarted",
      "content",
      "application/json",
    );
    expect(at(started, "examples", "seed", "$ref")).toBe(
      "#/components/examples/SeedRun",
    );
  });

  it.skipIf(!existsSync(seedPath))(
    "copies the seed's examples verbatim",
    () => {
      const seed = readFileSync(seedPath, "utf8");
      const curlBody = /-d '(\{[\s\S]*?\})'/.exec(seed)?.[1];
      const responseBody = /#### Response\s+```json\n([\s\S]*?)```/.exec(
        seed,
      )?.[1];
      expect(JSON.parse(curlBody ?? "null")).toEqual(seedRequest);
      expect(JSON.parse(responseBody ?? "null")).toEqual(seedResponse);
    },
  );

  it("keeps the names the generator derives the SDK surface from", () => {
    expect(
      at(
        spec,
        "paths",
        "/techniques/{techniqueId}/runs",
        "post",
        "operationId",
      ),
    ).toBe("createTechniqueRun");
    expect(
      at(
        spec,
        "paths",
        "/techniques/{techniqueId}/runs/{runId}",
        "get",
        "operationId",
      ),
    ).toBe("retrieveTechniqueRun");
    expect(
      at(
        spec,
        "components",
        "parameters",
        "IdempotencyKey",
        "x-idempotency-window-seconds",
      ),
    ).toBe(7200);
    const started = at(
      spec,
      "components",
      "responses",
      "RunStarted",
      "content",
    ) as Yaml;
    expect(Object.keys(started)).toEqual([
      "application/json",
      "text/event-stream",
    ]);
  });

  // Descriptions, summaries and titles reach users (TSDoc, MCP tools, CLI help, docs); where a statement comes
  // from stays in `#` comments beside it.
  it("keeps provenance notes out of user-facing text and in YAML comments", () => {
    const provenance =
      /\[(assumption|secondary|seed|documented)\]|api-evangelist|third-party|\bthe seed\b|official SDK|our (reading|guess)/i;
    const found: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((item, index) => walk(item, `${path}/${index}`));
      else if (node !== null && typeof node === "object")
        for (const [key, value] of Object.entries(node)) {
          if (["description", "summary", "title"].includes(key) && typeof value === "string" && provenance.test(value))
            found.push(`${path}/${key}: ${value.trim().split("\n")[0]}`);
          walk(value, `${path}/${key.replaceAll("/", "~1")}`);
        }
    };
    walk(spec, "#");
    expect(found).toEqual([]);
    const generated = ["resources.ts", "models.ts", "schema.d.ts", "mcp.ts", "cli.ts", "servers.ts"].flatMap(
      (file) =>
        readFileSync(repoPath(`generated/${file}`), "utf8")
          .split("\n")
          .flatMap((line, index) => (provenance.test(line) ? [`generated/${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(generated).toEqual([]);
    const comments = readFileSync(specPath, "utf8")
      .split("\n")
      .filter((line) => /^\s*#/.test(line));
    expect(comments.filter((line) => line.includes("[assumption]")).length).toBeGreaterThan(5);
    expect(comments.filter((line) => line.includes("[secondary]")).length).toBeGreaterThan(5);
  });
});

describe("project rules fire on fixtures that break them", () => {
  const lintFixture = async (name: string): Promise<NormalizedProblem[]> =>
    lint({ ref: fixturePath(name), config });

  it("passes the fixtures' common, valid base", async () => {
    expect((await lintFixture("valid")).map(summarize)).toEqual([]);
  });

  it("rule/operation-documented: an operation without a description", async () => {
    expect(
      projectRuleProblems(await lintFixture("operation-documented")),
    ).toEqual([
      {
        ruleId: "rule/operation-documented",
        pointer: "#/paths/~1things/post",
        line: 19,
        col: 5,
      },
    ]);
  });

  it("rule/operation-4xx-declared: an operation without a 4XX response", async () => {
    const problems = await lintFixture("operation-4xx-declared");
    expect(projectRuleProblems(problems)).toEqual([
      {
        ruleId: "rule/operation-4xx-declared",
        pointer: "#/paths/~1things/post/responses",
        line: 31,
        col: 9,
      },
    ]);
  });

  it("rule/mutation-idempotency-key: mutations without the header, not GETs, $refs or webhooks", async () => {
    expect(
      projectRuleProblems(await lintFixture("mutation-idempotency-key")),
    ).toEqual([
      {
        ruleId: "rule/mutation-idempotency-key",
        pointer: "#/paths/~1things/post/parameters",
        line: 21,
        col: 7,
      },
      {
        ruleId: "rule/mutation-idempotency-key",
        pointer: "#/paths/~1things~1{id}/delete/parameters",
        line: 66,
        col: 9,
      },
    ]);
  });

  it("rule/mutation-idempotency-key: the CLI reports the same problems", async () => {
    const fixture = "test/fixtures/lint/mutation-idempotency-key.yaml";
    const [cli, inProcess] = await Promise.all([
      lintWithCli(fixture),
      lintFixture("mutation-idempotency-key"),
    ]);
    expect(cli.exitCode).toBe(1);
    expect(cli.problems).toEqual(inProcess.map(summarize));
  });

  it("rule/server-https: a plain-http server", async () => {
    const [problem] = await lintFixture("server-https");
    expect(problem?.message).toContain(
      '"http://api.example.org/v1" should match a regex ^https://',
    );
    expect(projectRuleProblems(problem ? [problem] : [])).toEqual([
      {
        ruleId: "rule/server-https",
        pointer: "#/servers/0/url",
        line: 11,
        col: 10,
      },
    ]);
  });

  it("rule/schema-property-description: a property without a description", async () => {
    const problems = await lintFixture("schema-property-description");
    expect(problems.map((problem) => problem.message)).toEqual([
      "Every schema property has a description: `id` property must have required property 'description'",
    ]);
    expect(projectRuleProblems(problems)).toEqual([
      {
        ruleId: "rule/schema-property-description",
        pointer:
          "#/paths/~1things/post/responses/200/content/application~1json/schema/properties/id",
        line: 40,
        col: 21,
      },
    ]);
  });
});
