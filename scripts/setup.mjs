// `npm run setup`: everything a fresh machine with only Node and npm needs before `npm test`.
// Plain Node with no dependencies, because it runs before node_modules exists: it finds or installs the
// Chromium the docs and browser-bundle tests drive, runs `npm ci`, then regenerates generated/ (which builds the
// precompiled toolchain in .cache/ on first use: scripts/toolchain.mjs).
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
/** Debian's package puts it here; test/support/chromium.ts makes the same choice. */
const DEBIAN_CHROMIUM = "/usr/bin/chromium";

function fail(message) {
  console.error(`setup: ${message}`);
  process.exit(1);
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && isExecutable(join(dir, command)));
}

/** Runs a command in the repo root; output is shown unless `quiet`, and then only if it fails. */
function run(command, args, { quiet = false, env = process.env } = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
    shell: process.platform === "win32",
  });
  if (result.status === 0) return;
  if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
  fail(`\`${[command, ...args].join(" ")}\` failed (${result.error?.message ?? `exit ${result.status}`})`);
}

function ensureChromium() {
  const chosen = process.env.CHROMIUM_PATH;
  if (chosen) {
    if (!isExecutable(chosen)) fail(`CHROMIUM_PATH=${chosen} is not an executable file`);
    console.log(`setup: Chromium: ${chosen} (from CHROMIUM_PATH)`);
    return;
  }
  if (isExecutable(DEBIAN_CHROMIUM)) {
    console.log(`setup: Chromium: ${DEBIAN_CHROMIUM}`);
    return;
  }
  if (!onPath("apt-get")) {
    fail(
      `no Chromium at ${DEBIAN_CHROMIUM} and no apt-get to install it: install Chromium or Chrome and set CHROMIUM_PATH to its executable, then run \`npm run setup\` again`,
    );
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot && !onPath("sudo")) {
    fail(
      `no Chromium at ${DEBIAN_CHROMIUM}: run \`apt-get install -y chromium\` as root, then \`npm run setup\` again`,
    );
  }
  console.log(
    `setup: no Chromium at ${DEBIAN_CHROMIUM}; installing Debian's chromium with ${isRoot ? "" : "sudo "}apt-get`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // sudo resets the environment, so the variable is passed through env(1).
  const [command, ...prefix] = isRoot ? ["apt-get"] : ["sudo", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"];
  run(command, [...prefix, "update", "-qq"], { quiet: true, env });
  run(command, [...prefix, "install", "-y", "-qq", "chromium"], { quiet: true, env });
  if (!isExecutable(DEBIAN_CHROMIUM)) fail(`apt-get installed chromium, yet ${DEBIAN_CHROMIUM} is missing`);
}

ensureChromium();
run(npm, ["ci", "--no-audit", "--no-fund"]);
run(npm, ["run", "generate"]);
