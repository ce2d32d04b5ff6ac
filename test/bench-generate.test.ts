// `npm run bench:generate` runs the pipeline as `npm run generate` does beside its peers, and prints its tables and a
// PASS or MISS line per goal. One run of one spec: the figures themselves are the bench's, never asserted here.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

describe("bench:generate", () => {
  it("measures the precompiled pipeline on flora.yaml and prints the tables and each goal's verdict", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/bench-generate.ts", "--only", "openapi/flora", "--runs", "1"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    // As package.json's generate script starts it (with its Node flags), not as some other command.
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: { generate: string };
    };
    expect(scripts.generate).toMatch(/^exec node (--\S+ )*scripts\/toolchain\.mjs scripts\/generate\.ts$/);
    expect(stdout).toContain(`the pipeline runs as \`${scripts.generate.replace(/^exec /, "")}\``);
    expect(stdout).toMatch(/^\| openapi\/flora\.yaml \| \d+\.\d\d s \| .* \| \d+\.\d\d× \|/m);
    expect(stdout).toMatch(/^\| openapi\/flora\.yaml \| load \d+ · lint \d+ · bundle \d+ · model \d+ · types \d+/m);
    expect(stdout).toMatch(
      /^(PASS|MISS) {2}openapi\/flora\.yaml: \d+\.\d\d× openapi-typescript's time \(limit 1\.50×\)$/m,
    );
    expect(stdout).toMatch(/^(PASS|MISS) {2}openapi\/flora\.yaml: peak RSS \d+\.\d\d× openapi-typescript's/m);
    expect(stdout).toMatch(/^goal time ≤ 1\.3× openapi-typescript .*: (PASS|MISS) \(/m);
    expect(stdout).toMatch(/^goal faster than @hey-api\/openapi-ts on every shared spec it runs on: (PASS|MISS)/m);
    expect(stdout).toMatch(/^goal peak RSS ≤ 1\.5× openapi-typescript's: (PASS|MISS) \(/m);
    // A goal over specs this run left out is never a PASS on the one it measured.
    expect(stdout).toMatch(/^goal time ≤ 1\.3× .*: MISS \(.*not measured in this run: openai\.yaml, DigitalOcean/m);
    expect(stdout).toMatch(/^goal peak RSS ≤ 1\.5× .*: MISS \(.*not measured in this run: .*museum\.yaml/m);
  }, 120_000);
});
