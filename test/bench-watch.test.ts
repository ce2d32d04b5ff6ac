// `npm run bench:generate` ends with the watch bench: the watcher on a temporary copy of flora.yaml, 20 saves, timed by
// the per-run line of `npm run generate -- --watch` (the precompiled toolchain users run). This checks that it runs
// and prints its table and goal line, not how fast it is.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/pipeline/run.js";

it("bench:generate --only watch prints a row per edit, the median and p90 of 20 saves, and the goal line", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "scripts/bench-generate.ts", "--only", "watch"],
    { cwd: REPO_ROOT, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" } },
  );
  const lines = stdout.split("\n");
  const table = lines.slice(
    lines.indexOf("| save | changes | saves | median | stages skipped | stages run, last save (ms) |"),
  );
  expect(table[1]).toBe("|---|---|---|---|---|---|");
  // A description the wrappers do not show skips emit and format; a new enum value runs every stage.
  expect(table[2]).toMatch(/^\| a description \| docs only \| 10 \| \d+ ms \| emit, format \| load \d+ · lint \d+ · /);
  expect(table[3]).toMatch(
    /^\| ± an enum value \| types \| 5 \| \d+ ms \| none \| .*emit \d+ · format \d+ · write \d+ \|$/,
  );
  expect(table[4]).toMatch(/^\| ± a property \| types \| 5 \| \d+ ms \| /);
  expect(lines).toContainEqual(
    expect.stringMatching(/^watch: median of 20 saves \d+ ms, p90 \d+ ms \(`npm run generate -- --watch`, /),
  );
  expect(lines).toContainEqual(expect.stringMatching(/^goal < 300 ms: (PASS|MISS)$/));
}, 180_000);
