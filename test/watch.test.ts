// `generate --watch` as a child process on a temp copy of the spec: regenerates on save, survives a broken save, exits 0 on Ctrl-C.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "flora-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(out: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(out)
      .sort()
      .map((name) => [name, readFileSync(join(out, name), "utf8")]),
  );
}

it("regenerates once per burst of saves, keeps the last good output on a broken save, and exits 0 on SIGINT", async () => {
  cpSync(join(REPO, "openapi"), join(dir, "openapi"), { recursive: true });
  const spec = join(dir, "openapi", "flora.yaml");
  const out = join(dir, "out");
  const original = readFileSync(spec, "utf8");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/generate.ts", "--watch", "--lint", "off", "--spec", spec, "--out", out],
    {
      cwd: REPO,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const runs = () => stdout.split("\n").filter((l) => l.startsWith("regenerated in ")).length;
  const until = async (what: string, ok: () => boolean, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  try {
    await until("the first generation", () => runs() === 1, 60_000); // tsx start-up is slow on a loaded machine
    expect(stdout).toMatch(/^watching .*openapi\/ \(recursive\); Ctrl-C stops$/m);
    expect(stdout).toContain(`changed: ${join(out, "resources.ts")}`);

    // Three saves inside the debounce window make one regeneration.
    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged"));
    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged in"));
    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged in US dollars"));
    await until("the regeneration", () => runs() === 2);
    expect(stdout.split("regenerated in ").pop()).toMatch(
      /^\d+ ms: 1 file\(s\) changed\n {2}changed: .*schema\.d\.ts\n$/,
    );
    const good = snapshot(out);
    expect(good["schema.d.ts"]).toContain("Cost charged in US dollars");

    writeFileSync(spec, original.replace("paths:\n", "paths: [\n"));
    await until("the error", () => stderr.includes("kept the last good output"));
    expect(stderr).toMatch(/error: .*flora\.yaml:\d+:\d+ YAML syntax error/);
    await new Promise((r) => setTimeout(r, 400));
    expect(snapshot(out)).toEqual(good);
    expect(runs()).toBe(2);

    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stdout).toContain("watch stopped");
  } finally {
    child.kill("SIGKILL");
  }
}, 120_000);
