// Redocly's CLI as the npm scripts run it (`npm run lint:spec`, the docs build): telemetry and the update
// check off, as .ci/run sets them, and without the boxed notices it prints on every run (Node 20's end of
// life, "build-docs now renders docs with Redoc 3"), which no option or variable turns off.
import { spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const redoclyBin = join(root, "node_modules/@redocly/cli/bin/cli.js");

export const REDOCLY_QUIET_ENV = { REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", REDOCLY_TELEMETRY: "off" } as const;

/** Drops every box Redocly draws (╔ … ╚) and the blank line after it; passes every other line through. */
export function createNoticeFilter(write: (line: string) => void): (line: string) => void {
  let inBox = false;
  let afterBox = false;
  return (line) => {
    const text = line.trim();
    if (inBox) {
      if (text.startsWith("╚")) {
        inBox = false;
        afterBox = true;
      }
      return;
    }
    if (text.startsWith("╔")) {
      inBox = true;
      return;
    }
    if (afterBox && text === "") return;
    afterBox = false;
    write(line);
  };
}

/** Runs `redocly …args` in the repo root and resolves with its exit code. */
export function runRedocly(args: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [redoclyBin, ...args], {
      cwd: root,
      stdio: ["inherit", "inherit", "pipe"],
      env: { ...process.env, ...REDOCLY_QUIET_ENV },
    });
    const filter = createNoticeFilter((line) => process.stderr.write(`${line}\n`));
    const lines = createInterface({ input: child.stderr, crlfDelay: Infinity });
    lines.on("line", filter);
    const closed = new Promise((done) => lines.once("close", done));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      void closed.then(() => resolvePromise(code ?? (signal ? 1 : 0)));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runRedocly(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
