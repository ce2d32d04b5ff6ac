// Every ```ts block of README.md compiles, under strict, against the packed and installed package.
// Each block stands alone: it imports what it uses (a `declare const` may stand in for a value).
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  installPackedPackage,
  repoRoot,
  typeCheck,
  type Diagnostic,
  type PackedProject,
} from "./support/packed-package.js";

export interface CodeBlock {
  /** 1-based README line of the block's first code line. */
  line: number;
  code: string;
}

/** The fenced blocks tagged ts or typescript, in order. */
export function extractTsBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split(/\r?\n/);
  let open: { fence: string; line: number; body: string[] } | undefined;
  lines.forEach((text, index) => {
    if (open) {
      if (text.trim() === open.fence) {
        blocks.push({ line: open.line, code: open.body.join("\n") });
        open = undefined;
      } else open.body.push(text);
      return;
    }
    const start = /^\s*(`{3,}|~{3,})\s*(ts|typescript)\b.*$/.exec(text);
    if (start) open = { fence: start[1], line: index + 2, body: [] };
  });
  return blocks;
}

const readmePath = join(repoRoot, "README.md");
const readme = (() => {
  try {
    return readFileSync(readmePath, "utf8");
  } catch {
    return "";
  }
})();
// The ready-client example imports a folder generated from museum.yaml: test/ready-client.test.ts compiles and runs it.
const blocks = extractTsBlocks(readme).filter((block) => !block.code.includes('from "./museum/index.js"'));
const blockFile = (index: number) => `readme-block-${index + 1}.ts`;

let project: PackedProject;
let diagnostics: Diagnostic[] = [];
let output = "";

beforeAll(async () => {
  if (blocks.length === 0) return;
  project = await installPackedPackage({ type: "module" });
  // `export {}` makes each block its own module, so names never clash and top-level await works.
  await Promise.all(
    blocks.map((block, index) => writeFile(join(project.dir, blockFile(index)), `${block.code}\nexport {};\n`)),
  );
  const tsconfig = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      module: "Node16",
      moduleResolution: "Node16",
      types: ["node"],
      noEmit: true,
      skipLibCheck: false,
    },
    files: blocks.map((_, index) => blockFile(index)),
  };
  await writeFile(join(project.dir, "tsconfig.readme.json"), JSON.stringify(tsconfig, null, 2));
  const result = await typeCheck(project.dir, "tsconfig.readme.json");
  diagnostics = result.diagnostics;
  output = result.output;
  if (result.code !== 0 && diagnostics.length === 0) throw new Error(`tsc failed without diagnostics:\n${output}`);
}, 240_000);

afterAll(async () => {
  await project?.remove();
});

describe("README.md", () => {
  it("has ```ts blocks to check", () => {
    expect(readme, "README.md is missing or empty").not.toBe("");
    expect(blocks.length).toBeGreaterThan(0);
  });

  describe.each(blocks.map((block, index) => ({ ...block, index, number: index + 1 })))(
    "```ts block $number (README line $line)",
    ({ index, line }) => {
      it("type-checks under strict against the installed package", () => {
        const problems = diagnostics
          .filter((d) => d.file === blockFile(index))
          .map((d) => `README.md:${line + d.line - 1}: ${d.code} ${d.message}`);
        expect(problems, output).toEqual([]);
      });
    },
  );
});

describe("extractTsBlocks", () => {
  it("finds ts and typescript fences with their README lines, and skips other languages", () => {
    const markdown = [
      "# t",
      "```ts",
      "const a = 1;",
      "```",
      "```sh",
      "npm i",
      "```",
      "~~~typescript",
      "let b = 2;",
      "b++;",
      "~~~",
    ].join("\n");
    expect(extractTsBlocks(markdown)).toEqual([
      { line: 3, code: "const a = 1;" },
      { line: 9, code: "let b = 2;\nb++;" },
    ]);
  });
});
