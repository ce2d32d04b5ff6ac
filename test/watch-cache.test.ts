// The watcher in this process, on a temp copy of flora.yaml: each run's line says which stages ran and which its stage
// cache skipped; a save that changes no byte prints nothing, and the fix of a broken save says so even when it
// only restores what was there.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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
