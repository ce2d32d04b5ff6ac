// The watcher's stage cache: runPipeline with one StageCache across edits skips exactly the stages whose inputs did not
// change, re-runs every stage an edit reaches (a $ref'd file, the name-override file, the lint mode, the runtime
// import), and writes byte for byte what a cold `npm run generate` writes for the same spec.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { lintConfigFor, type LintMode } from "../scripts/pipeline/lint.js";
import { REPO_ROOT, runPipeline, SKIPPED } from "../scripts/pipeline/run.js";
import { StageCache, type FrontStages } from "../scripts/pipeline/stage-cache.js";

const dir = mkdtempSync(join(tmpdir(), "flora-stage-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALL = ["load", "lint", "bundle", "model", "types", "emit", "format", "write"];

interface Run {
  ran: string[];
  skipped: string[];
  details: Map<string, string | undefined>;
  changed: string[];
}

async function run(
  cache: StageCache,
  spec: string,
  out: string,
  options: { lint?: LintMode; runtimeImport?: string } = {},
): Promise<Run> {
  const result: Run = { ran: [], skipped: [], details: new Map(), changed: [] };
  const { plan } = await runPipeline({
    spec,
    out,
    lint: options.lint ?? "project",
    runtimeImport: options.runtimeImport,
    check: false,
    cache,
    onStage: (stage, _ms, detail) => {
      (detail === SKIPPED ? result.skipped : result.ran).push(stage);
      result.details.set(stage, detail);
    },
  });
  result.changed = plan.changed;
  return result;
}

const skippedOnly = (...stages: string[]) => ({
  skipped: stages,
  ran: ALL.filter((stage) => !stages.includes(stage)),
});

function files(folder: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(folder)
      .sort()
      .map((name) => [name, readFileSync(join(folder, name), "utf8")]),
  );
}

it("skips the stages an edit does not reach, and a warm run after many edits writes what a cold generate writes", async () => {
  const folder = join(dir, "flora");
  mkdirSync(folder);
  const spec = join(folder, "flora.yaml");
  cpSync(join(REPO_ROOT, "openapi/flora.yaml"), spec);
  const out = join(dir, "flora-out");
  const cache = new StageCache();
  let text = readFileSync(spec, "utf8");
  const save = (next: string) => {
    expect(next).not.toBe(text);
    text = next;
    writeFileSync(spec, text);
  };

  const first = await run(cache, spec, out);
  expect(first).toMatchObject({ ran: ALL, skipped: [] });

  // Nothing changed: only the write stage runs, and it writes nothing.
  expect(await run(cache, spec, out)).toMatchObject({ ...skippedOnly(...ALL.slice(0, -1)), changed: [] });

  // A description the wrappers do not show: the model is unchanged, so emit and format are skipped.
  save(text.replace("description: Cost charged in USD", "description: Cost charged in US dollars"));
  expect(await run(cache, spec, out)).toMatchObject({ ...skippedOnly("emit", "format"), changed: ["schema.d.ts"] });

  // A new enum value reaches the wrappers: every stage runs, and prettier formats only the file whose text changed.
  save(
    text.replace(
      "            - pending\n            - running\n",
      "            - pending\n            - queued\n            - running\n",
    ),
  );
  const enumRun = await run(cache, spec, out);
  expect(enumRun).toMatchObject({ ran: ALL, skipped: [] });
  expect(enumRun.changed.sort()).toEqual(["operations.ts", "schema.d.ts"]);
  expect(enumRun.details.get("format")).toBe("1 changed file(s)");

  // The name-override file is read by the model stage only: the spec stages and types are skipped.
  const names = join(folder, "flora.names.yaml");
  writeFileSync(names, "retrieveTechnique: techniques.fetch\n");
  const renamed = await run(cache, spec, out);
  expect(renamed).toMatchObject(skippedOnly("load", "lint", "bundle", "types"));
  expect(renamed.changed).toContain("resources.ts");
  expect(readFileSync(join(out, "resources.ts"), "utf8")).toMatch(/^ {6}fetch\(/m);

  // The runtime import is emit's input: the model and types are reused.
  expect(await run(cache, spec, out, { runtimeImport: "flora-sdk/runtime" })).toMatchObject(
    skippedOnly("load", "lint", "bundle", "model", "types"),
  );

  // The lint mode is lint's input; the spec stages re-run together (bundling rewrites what load returned).
  expect(await run(cache, spec, out, { lint: "minimal", runtimeImport: "flora-sdk/runtime" })).toMatchObject(
    skippedOnly("model", "types", "emit", "format"),
  );

  // A broken save fails and keeps the last good entries: saving the good text back reuses them.
  const good = text;
  save(text.replace("paths:\n", "paths: [\n"));
  await expect(run(cache, spec, out, { runtimeImport: "flora-sdk/runtime" })).rejects.toThrow(/YAML syntax error/);
  save(good);
  expect(await run(cache, spec, out, { lint: "minimal", runtimeImport: "flora-sdk/runtime" })).toMatchObject(
    skippedOnly("load", "lint", "bundle", "model", "types", "emit", "format"),
  );

  // More edits of both kinds, then compare with a cold generate in a fresh process.
  save(text.replace("description: Cost charged in US dollars", "description: Cost charged, in USD"));
  await run(cache, spec, out, { runtimeImport: "flora-sdk/runtime" });
  save(text.replace("            - queued\n", ""));
  rmSync(names);
  const last = await run(cache, spec, out, { runtimeImport: "flora-sdk/runtime" });
  expect(last.ran).toEqual(ALL);
  const cold = join(dir, "flora-cold");
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "scripts/generate.ts", "--spec", spec, "--out", cold, "--runtime-import", "flora-sdk/runtime"],
    { cwd: REPO_ROOT, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
  );
  expect(files(out)).toEqual(files(cold));
}, 180_000);

it("re-runs the spec stages when a $ref'd file changes, inside the spec's folder or outside it", async () => {
  const api = join(dir, "refs", "api");
  const common = join(dir, "refs", "common");
  mkdirSync(join(api, "schemas"), { recursive: true });
  mkdirSync(common, { recursive: true });
  const spec = join(api, "openapi.yaml");
  const out = join(dir, "refs", "out");
  const response = (ref: string) =>
    `      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: { $ref: '${ref}' }\n`;
  writeFileSync(
    spec,
    "openapi: 3.1.0\ninfo: { title: Things, version: '1' }\npaths:\n" +
      `  /things:\n    get:\n      operationId: listThings\n${response("./schemas/thing.yaml")}` +
      `  /parts:\n    get:\n      operationId: listParts\n${response("../common/part.yaml")}`,
  );
  const schema = (description: string) =>
    `type: object\ndescription: ${description}\nproperties:\n  name: { type: string }\n`;
  const thing = join(api, "schemas", "thing.yaml");
  const part = join(common, "part.yaml");
  writeFileSync(thing, schema("Thing 0"));
  writeFileSync(part, schema("Part 0"));
  const cache = new StageCache();
  const types = () => readFileSync(join(out, "schema.d.ts"), "utf8");

  expect(await run(cache, spec, out, { lint: "minimal" })).toMatchObject({ ran: ALL });
  expect(await run(cache, spec, out, { lint: "minimal" })).toMatchObject(skippedOnly(...ALL.slice(0, -1)));

  // The spec stages and everything after them re-run (the description reaches the model here too).
  writeFileSync(thing, schema("Thing 1"));
  expect(await run(cache, spec, out, { lint: "minimal" })).toMatchObject({ ran: ALL, skipped: [] });
  expect(types()).toContain("Thing 1");

  writeFileSync(part, schema("Part 1"));
  expect(await run(cache, spec, out, { lint: "minimal" })).toMatchObject({ ran: ALL, skipped: [] });
  expect(types()).toContain("Part 1");

  // A rename-style save of the same bytes is no change: keys are contents, not modification times.
  writeFileSync(`${part}.tmp`, schema("Part 1"));
  renameSync(`${part}.tmp`, part);
  expect(await run(cache, spec, out, { lint: "minimal" })).toMatchObject(skippedOnly(...ALL.slice(0, -1)));
}, 120_000);

it("still refuses to overwrite a hand-written file when every stage before write is skipped", async () => {
  const spec = join(dir, "hand", "flora.yaml");
  mkdirSync(join(dir, "hand"));
  cpSync(join(REPO_ROOT, "openapi/flora.yaml"), spec);
  const out = join(dir, "hand-out");
  const cache = new StageCache();
  await run(cache, spec, out);
  const handWritten = "// my own models, not generated\nexport type Mine = 1;\n";
  writeFileSync(join(out, "models.ts"), handWritten);
  await expect(run(cache, spec, out)).rejects.toThrow(/not replacing 1 file\(s\) .* without the generated header/);
  expect(readFileSync(join(out, "models.ts"), "utf8")).toBe(handWritten);
}, 120_000);

it("builds the project lint config once per redocly.yaml text, not on every run", async () => {
  const first = lintConfigFor("project");
  expect(lintConfigFor("project")).toBe(first);
  expect((await first).rules).toBeDefined();
});

it("keys the model stage on the name-override text the model stage then parses: one read, not two", () => {
  const folder = join(dir, "names-once");
  mkdirSync(folder);
  const specFile = join(folder, "api.yaml");
  const names = join(folder, "api.names.yaml");
  const front = { spec: { file: specFile }, documentKey: "document" } as unknown as FrontStages;
  const cache = new StageCache();
  expect(cache.modelInputs(front)).toMatchObject({ nameOverrides: null });
  const none = cache.modelInputs(front).key;
  writeFileSync(names, "listThings: things.all\n");
  const first = cache.modelInputs(front);
  expect(first.nameOverrides).toBe("listThings: things.all\n");
  expect(first.key).not.toBe(none);
  // The key is a function of the text handed out with it: the same text, the same key; another text, another key.
  writeFileSync(names, "listThings: things.every\n");
  const second = cache.modelInputs(front);
  expect(second.nameOverrides).toBe("listThings: things.every\n");
  expect(second.key).not.toBe(first.key);
  writeFileSync(names, "listThings: things.all\n");
  expect(cache.modelInputs(front)).toEqual(first);
});
