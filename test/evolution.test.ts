// End to end: remove GET /techniques/{techniqueId} from a copy of the spec, then add it back: regenerate, compile, diff both ways.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { diffSpecs } from "../scripts/diff/run.js";
import { runPipeline } from "../scripts/pipeline/run.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const RUNTIME = join(REPO, "src", "runtime", "index.js");
const dir = mkdtempSync(join(tmpdir(), "flora-evolution-"));
const before = { spec: join(dir, "v1", "openapi", "flora.yaml"), out: join(dir, "out-v1") };
const after = { spec: join(dir, "v2", "openapi", "flora.yaml"), out: join(dir, "out-v2") };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The repo's spec without its documented read operation GET /techniques/{techniqueId}: the "before" of adding
 * that operation.
 */
function withoutRetrieveTechnique(yaml: string): string {
  const doc = parseDocument(yaml);
  doc.deleteIn(["paths", "/techniques/{techniqueId}"]);
  return doc.toString({ lineWidth: 0 });
}

const generate = (v: { spec: string; out: string }) =>
  runPipeline({
    spec: v.spec,
    out: v.out,
    lint: "project",
    check: false,
    runtimeImport: relative(v.out, RUNTIME).replace(/^(?!\.)/, "./"),
  });
const read = (out: string) =>
  Object.fromEntries(
    readdirSync(out)
      .sort()
      .map((f) => [f, readFileSync(join(out, f), "utf8")]),
  );

/** The lines of `after` that are not in `before`; throws unless every line of `before` survives, in order. */
function addedLines(beforeText: string, afterText: string): string[] {
  const old = beforeText.split("\n");
  const added: string[] = [];
  let i = 0;
  for (const line of afterText.split("\n")) {
    if (i < old.length && line === old[i]) i++;
    else added.push(line);
  }
  if (i < old.length) throw new Error(`line ${i + 1} of the old output is gone or moved: ${JSON.stringify(old[i])}`);
  return added;
}

/** One `key: { … },` entry of `operationDescriptors`, by its two-space indentation. */
function descriptorBlock(operations: string, key: string): string {
  const match = operations.match(new RegExp(`\\n {2}${key}: \\{\\n[\\s\\S]*?\\n {2}\\},\\n`));
  if (!match) throw new Error(`no descriptor ${key}`);
  return match[0];
}

describe("adding GET /techniques/{techniqueId}", () => {
  let v1: Record<string, string>;
  let v2: Record<string, string>;

  beforeAll(async () => {
    cpSync(join(REPO, "openapi"), join(dir, "v1", "openapi"), { recursive: true });
    cpSync(join(REPO, "openapi"), join(dir, "v2", "openapi"), { recursive: true });
    writeFileSync(before.spec, withoutRetrieveTechnique(readFileSync(before.spec, "utf8")));
    expect((await generate(before)).lintLines).toEqual([]);
    const result = await generate(after);
    expect(result.lintLines).toEqual([]);
    v1 = read(before.out);
    v2 = read(after.out);
  });

  it("adds a typed techniques.retrieve method that compiles under tsc --strict", () => {
    expect(v2["resources.ts"]).toMatch(
      /\n {4}techniques: \{\n[\s\S]*\n {6}retrieve\(\n {8}techniqueId: RetrieveTechniqueOperation\["parameters"\]\["path"\]\["techniqueId"\],/,
    );
    expect(v2["resources.ts"]).toContain(
      "return invoker.invoke(operationDescriptors.retrieveTechnique, { path: { techniqueId } }, options);",
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      join(dir, "usage.ts"),
      [
        `import type { OperationInvoker } from "${relative(dir, RUNTIME)}";`,
        `import { createResources, type RetrieveTechniqueResponse } from "./out-v2/index.js";`,
        "declare const invoker: OperationInvoker;",
        "const flora = createResources(invoker);",
        `const technique: Promise<RetrieveTechniqueResponse> = flora.techniques.retrieve("art-directors-critique");`,
        "export const name: Promise<string> = technique.then((t) => t.name);",
        "// @ts-expect-error the technique id is a string",
        "flora.techniques.retrieve(42);",
        "// @ts-expect-error the response has no such field",
        "export const missing = technique.then((t) => t.no_such_field);",
        "export const runs = flora.techniques.runs.retrieve;",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          types: ["node"],
          typeRoots: [join(REPO, "node_modules", "@types")],
          skipLibCheck: false,
          verbatimModuleSyntax: true,
        },
        include: ["usage.ts", "out-v2/**/*.ts"],
      }),
    );
    const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { stdio: "pipe" });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(output).toBe("");
  });

  it("leaves the existing output as it was, only adding to it", () => {
    expect(Object.keys(v2)).toEqual(Object.keys(v1));
    for (const file of Object.keys(v1)) expect(() => addedLines(v1[file], v2[file]), file).not.toThrow();
    expect(descriptorBlock(v2["operations.ts"], "createTechniqueRun")).toBe(
      descriptorBlock(v1["operations.ts"], "createTechniqueRun"),
    );
    expect(descriptorBlock(v2["operations.ts"], "retrieveTechniqueRun")).toBe(
      descriptorBlock(v1["operations.ts"], "retrieveTechniqueRun"),
    );
    expect(addedLines(v1["operations.ts"], v2["operations.ts"]).join("\n")).toContain('id: "retrieveTechnique"');
    expect(addedLines(v1["resources.ts"], v2["resources.ts"]).join("\n")).toContain(
      "@see GET /techniques/{techniqueId}",
    );
    expect(v2["idempotency.ts"]).toBe(v1["idempotency.ts"]);
  });

  it("is reported as a minor change, and removing it again as breaking", async () => {
    const added = await diffSpecs({ base: before.spec, head: after.spec, currentVersion: "0.1.0" });
    expect(added.counts.breaking).toBe(0);
    expect(added.changes.map((c) => `${c.rule} ${c.pointer}`)).toEqual(
      expect.arrayContaining(["operation-added #/paths/~1techniques~1{techniqueId}/get"]),
    );
    expect([added.bump, added.appliedBump, added.nextVersion]).toEqual(["minor", "patch", "0.1.1"]);

    const removed = await diffSpecs({ base: after.spec, head: before.spec, currentVersion: "0.1.0" });
    expect(removed.changes.filter((c) => c.severity === "breaking").map((c) => `${c.rule} ${c.pointer}`)).toEqual([
      "operation-removed #/paths/~1techniques~1{techniqueId}/get",
    ]);
    expect([removed.bump, removed.appliedBump, removed.nextVersion]).toEqual(["major", "minor", "0.2.0"]);
    const stable = await diffSpecs({ base: after.spec, head: before.spec, currentVersion: "1.3.0" });
    expect(stable.nextVersion).toBe("2.0.0");
  });
});
