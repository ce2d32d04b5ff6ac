// The watcher in this process, on a temp copy of flora.yaml: each run's line says which stages ran and which its stage
// cache skipped; a save that changes no byte prints nothing, and the fix of a broken save says so even when it
// only restores what was there.
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { PROJECT_CONFIG } from "../scripts/pipeline/lint.js";
import { REPO_ROOT } from "../scripts/pipeline/run.js";
import { watchSpec, type WatchRun } from "../scripts/watch.js";

const dir = mkdtempSync(join(tmpdir(), "flora-watch-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("reports ran and skipped stages per save, stays quiet on a save that changes nothing, and confirms a fix", async () => {
  mkdirSync(join(dir, "openapi"));
  const spec = join(dir, "openapi", "flora.yaml");
  cpSync(join(REPO_ROOT, "openapi/flora.yaml"), spec);
  const good = readFileSync(spec, "utf8");
  const lines: string[] = [];
  const errors: string[] = [];
  const runs: WatchRun[] = [];
  let wake = () => {};
  const watcher = watchSpec({
    spec,
    out: join(dir, "out"),
    lint: "project",
    log: (line) => lines.push(line),
    error: (line) => errors.push(line),
    onRun: (run) => {
      runs.push(run);
      wake();
    },
  });
  const saved = async (text: string) => {
    const count = runs.length;
    writeFileSync(spec, text);
    await new Promise<void>((done) => {
      wake = () => runs.length > count && done();
      wake();
    });
    return runs[count];
  };
  try {
    await watcher.ready;
    expect(runs).toHaveLength(1);
    expect(lines.at(-1)).toMatch(
      /^regenerated in \d+ ms: 11 file\(s\) changed \(ran load \d+ · lint \d+ · .* · write \d+ ms\)\n/,
    );

    const described = good.replace("Cost charged in USD", "Cost charged in US dollars");
    const docs = await saved(described);
    expect(docs).toMatchObject({ ok: true, skipped: ["emit", "format"], changed: ["schema.d.ts"] });
    expect(lines.at(-1)).toMatch(
      /^regenerated in \d+ ms: 1 file\(s\) changed \(ran load \d+ · lint \d+ · bundle \d+ · model \d+ · types \d+ · write \d+ ms; skipped emit, format\)\n {2}changed: .*schema\.d\.ts$/,
    );

    // The same bytes again: every stage but write is skipped, nothing changes, and no line is printed.
    const printed = lines.length;
    const touch = await saved(described);
    expect(touch).toMatchObject({
      ok: true,
      changed: [],
      skipped: ["load", "lint", "bundle", "model", "types", "emit", "format"],
    });
    expect(lines).toHaveLength(printed);

    // Written as soon as the previous run ends: with a debounce under chokidar's 50 ms change throttle, it was lost.
    const broken = await saved(described.replace("paths:\n", "paths: [\n"));
    expect(broken.ok).toBe(false);
    expect(errors.at(-1)).toMatch(/YAML syntax error[\s\S]*kept the last good output/);

    // Saving the good text back reuses every cached stage, and still says the output is good again.
    await saved(described);
    expect(lines.at(-1)).toMatch(
      /^regenerated in \d+ ms: output unchanged \(ran write \d+ ms; skipped load, lint, bundle, model, types, emit, format\)$/,
    );

    // Under --lint project, redocly.yaml is part of the lint stage's key: saving it is a save. Here its own bytes,
    // renamed over it, so that other tests reading it meanwhile see it whole and unchanged.
    const count = runs.length;
    const temporary = `${PROJECT_CONFIG}.tmp-${process.pid}`;
    writeFileSync(temporary, readFileSync(PROJECT_CONFIG));
    renameSync(temporary, PROJECT_CONFIG);
    await vi.waitFor(() => expect(runs.length).toBeGreaterThan(count), { timeout: 15_000, interval: 50 });
    expect(runs.at(-1)).toMatchObject({ ok: true, changed: [] });
  } finally {
    await watcher.close();
  }
}, 120_000);

it("prints each kind of failure once per save when its own output is logged beside the spec, and still sees the fix", async () => {
  const api = join(dir, "echo", "api");
  mkdirSync(api, { recursive: true });
  const spec = join(api, "flora.yaml");
  cpSync(join(REPO_ROOT, "openapi/flora.yaml"), spec);
  const good = readFileSync(spec, "utf8");
  const ref = '$ref: "#/components/responses/BadRequest"';
  expect(good).toContain(ref);
  // As with `npm run generate -- --watch > api/watch.log 2>&1`: every line the watcher prints is a write in the folder
  // it watches.
  const logFile = join(api, "watch.log");
  const lines: string[] = [];
  const errors: string[] = [];
  const print = (into: string[]) => (line: string) => {
    into.push(line);
    appendFileSync(logFile, `${line}\n`);
  };
  const watcher = watchSpec({
    spec,
    out: join(dir, "echo", "out"),
    lint: "project",
    log: print(lines),
    error: print(errors),
  });
  const toolchain = Symbol.for("flora-sdk.toolchain");
  /** Makes one save and waits for the first line it prints, then for a quiet second: that line must be the only one. */
  const once = async (what: string, save: () => void, printed: string[], expected: RegExp) => {
    const [lineCount, errorCount] = [lines.length, errors.length];
    save();
    await vi.waitFor(() => expect(printed.length, what).toBeGreaterThan(printed === lines ? lineCount : errorCount), {
      timeout: 30_000,
      interval: 50,
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect([...lines.slice(lineCount), ...errors.slice(errorCount)], what).toEqual([expect.stringMatching(expected)]);
  };
  try {
    await watcher.ready;
    expect(lines.at(-1)).toMatch(/^regenerated in /);

    await once(
      "a YAML syntax error",
      () => writeFileSync(spec, "openapi: 3.1.0\ninfo: [\n"),
      errors,
      /YAML syntax error/,
    );
    // A later good save regenerates once, then the folder is quiet again.
    const better = good.replace("Cost charged in USD", "Cost charged in US dollars");
    await once("the fix", () => writeFileSync(spec, better), lines, /^regenerated in \d+ ms: 1 file\(s\) changed/);

    await once(
      "a missing $ref target",
      () => writeFileSync(spec, good.replace(ref, "$ref: './nope.yaml'")),
      errors,
      /nope\.yaml/,
    );
    await once(
      "a lint error under --lint project",
      () => writeFileSync(spec, good.replace("operationId: listTechniques", "operationId: list techniques")),
      errors,
      /operation-operationId-url-safe/,
    );
    await once("the spec deleted", () => rmSync(spec), errors, /spec file not found/);
    await once("the spec re-created", () => writeFileSync(spec, good), lines, /^regenerated in /);
    await once(
      "a names.yaml error",
      () => writeFileSync(join(api, "flora.names.yaml"), "operations: [\n"),
      errors,
      /flora\.names\.yaml:\d+:\d+ YAML syntax error/,
    );
    await once("the names.yaml removed", () => rmSync(join(api, "flora.names.yaml")), lines, /^regenerated in /);
    // A $ref target that cannot be read (a folder where a file should be: root reads any file whatever its mode).
    mkdirSync(join(api, "folder.yaml"));
    await once(
      "an unreadable $ref target",
      () => writeFileSync(spec, good.replace(ref, "$ref: './folder.yaml'")),
      errors,
      /folder\.yaml/,
    );
    await once(
      "a $ref into a folder that does not exist yet",
      () => writeFileSync(spec, good.replace(ref, "$ref: '../new/deeper/late.yaml'")),
      errors,
      /late\.yaml/,
    );
    await once(
      "the $ref'd file created with its folder",
      () => {
        mkdirSync(join(dir, "echo", "new", "deeper"), { recursive: true });
        writeFileSync(join(dir, "echo", "new", "deeper", "late.yaml"), "description: Late\n");
      },
      lines,
      /^regenerated in /,
    );
    // The generator's code changed since the watcher started (what scripts/toolchain.mjs reports): refused once a save.
    (globalThis as Record<symbol, unknown>)[toolchain] = { codeChanged: () => ["scripts/watch.ts"] };
    await once("a save after a code change", () => writeFileSync(spec, better), errors, /generator's code changed/);
    delete (globalThis as Record<symbol, unknown>)[toolchain];
    await once("the next save after a restart", () => writeFileSync(spec, good), lines, /^regenerated in /);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[toolchain];
    await watcher.close();
  }
}, 180_000);
