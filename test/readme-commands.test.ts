// Every shell command in README.md's maintainer section ("For maintainers: the toolchain" and below) works
// in a fresh clone: each runs there and must exit 0. Commands are the lines of ```sh/bash/shell blocks and the
// `$ `-prompted lines of other blocks; commands quoted inline in prose are references, not instructions.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneRepo, type FreshClone } from "./support/fresh-clone.js";
import { repoRoot, run } from "./support/packed-package.js";

const MAINTAINER_HEADING = "## For maintainers: the toolchain";

/** Commands that need what only a maintainer at a terminal has, each with the reason and what covers it. */
const EXCLUDED: Record<string, string> = {
  // Runs until Ctrl-C; test/watch.test.ts drives the watcher through saves, a broken save and a fix.
  "npm run generate -- --watch": "long-running watcher",
};

/** Lines of sh/bash/shell blocks (comments dropped), and `$ `-prompted lines of text/console/untagged blocks. */
export function extractShellCommands(markdown: string): string[] {
  const commands: string[] = [];
  let fence: { marker: string; kind: "shell" | "transcript" | "other" } | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    if (fence) {
      if (line.trim() === fence.marker) fence = undefined;
      else if (fence.kind === "shell") {
        const command = line.replace(/(^|\s)#.*$/, "").trim();
        if (command) commands.push(command);
      } else if (fence.kind === "transcript" && line.startsWith("$ ")) commands.push(line.slice(2).trim());
      continue;
    }
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (!open) continue;
    const tag = open[2];
    const kind = ["sh", "bash", "shell"].includes(tag)
      ? "shell"
      : ["", "text", "console"].includes(tag)
        ? "transcript"
        : "other";
    fence = { marker: open[1], kind };
  }
  return commands;
}

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const start = readme.indexOf(MAINTAINER_HEADING);
const commands = start === -1 ? [] : extractShellCommands(readme.slice(start));
const hasShared = existsSync(join(repoRoot, "../shared"));

let clone: FreshClone;

beforeAll(async () => {
  clone = await cloneRepo();
}, 120_000);

afterAll(async () => {
  await clone?.remove();
});

describe("README.md's maintainer section", () => {
  it("has shell commands to check, and every excluded command is still among them", () => {
    expect(start, `no "${MAINTAINER_HEADING}" heading`).toBeGreaterThan(-1);
    expect(commands.length).toBeGreaterThan(Object.keys(EXCLUDED).length);
    expect(Object.keys(EXCLUDED).filter((command) => !commands.includes(command))).toEqual([]);
    const sample = [
      "`npm run inline`",
      "```sh",
      "npm run a -- --x   # why",
      "",
      "npm run b",
      "```",
      "```text",
      "$ npm run c",
      "output",
      "```",
      "```ts",
      "$ x();",
      "```",
    ];
    expect(extractShellCommands(sample.join("\n"))).toEqual(["npm run a -- --x", "npm run b", "npm run c"]);
  });

  for (const command of commands.filter((command) => !(command in EXCLUDED))) {
    // The shared specs are data beside the repo (../shared), as in CI; without them there is nothing to run.
    it.skipIf(command.includes("../shared") && !hasShared)(
      `\`${command}\` exits 0 in a fresh clone`,
      async () => {
        const result = await run("sh", ["-c", command], clone.dir);
        expect(result.code, `\`${command}\` exited ${result.code}:\n${result.stdout}\n${result.stderr}`).toBe(0);
      },
      120_000,
    );
  }
});
