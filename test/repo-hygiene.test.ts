// Scratch work never lands in the repository: .gitignore keeps it out, and this catches a forced add.
import { describe, expect, it } from "vitest";
import { repoRoot, run } from "./support/packed-package.js";

/** `.tmp*` and `scratch*` files or folders anywhere, and patch leftovers. */
const SCRATCH = /(^|\/)(\.tmp|scratch)[^/]*(\/|$)|\.(orig|rej)$/i;
const SCRATCH_EXAMPLES = [
  ".tmp-lint.ts",
  "scripts/.tmp/x.ts",
  "scratch.ts",
  "test/scratch-notes.md",
  "a.ts.orig",
  "b.rej",
];

describe("scratch work", () => {
  it("is not tracked: git ls-files has no .tmp*, scratch*, *.orig or *.rej", async () => {
    expect(SCRATCH_EXAMPLES.filter((file) => !SCRATCH.test(file))).toEqual([]);
    expect(["src/index.ts", "test/fixtures/temp.yaml", "docs/origin.md"].filter((file) => SCRATCH.test(file))).toEqual(
      [],
    );
    const listed = await run("git", ["ls-files", "-z"], repoRoot);
    expect(listed.code, listed.stderr).toBe(0);
    const files = listed.stdout.split("\0").filter(Boolean);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => SCRATCH.test(file))).toEqual([]);
  });

  it("is ignored by .gitignore, so `git add .` cannot pick it up", async () => {
    const checked = await run(
      "git",
      ["check-ignore", "--no-index", "--verbose", "--non-matching", ...SCRATCH_EXAMPLES],
      repoRoot,
    );
    const notIgnored = checked.stdout
      .split("\n")
      .filter((line) => line.startsWith("::"))
      .map((line) => line.replace(/^::\s*/, ""));
    expect(notIgnored).toEqual([]);
  });
});
