// `generate --watch` as a child process on temp copies of specs: regenerates on every kind of save, survives a broken
// save and editor swap files, follows $ref'd files outside the spec's folder, and leaves no process behind when stopped.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "flora-watch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
// tsx start-up and the first generation are slow on a loaded machine.
const FIRST_RUN_MS = 90_000;

/** A spec of one operation, `GET /things`, whose 200 response has `schema` (YAML flow text). */
function thingsSpec(title: string, schema: string): string {
  return [
    "openapi: 3.1.0",
    `info: { title: ${title}, version: '1' }`,
    "paths:",
    "  /things:",
    "    get:",
    "      operationId: listThings",
    "      responses:",
    "        '200':",
    "          description: ok",
    "          content:",
    "            application/json:",
    `              schema: ${schema}`,
    "",
  ].join("\n");
}
const SAVE_MS = 30_000;

function snapshot(out: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(out)
      .sort()
      .map((name) => [name, readFileSync(join(out, name), "utf8")]),
  );
}

function copySpec(name: string): { spec: string; out: string; original: string } {
  cpSync(join(REPO, "openapi"), join(dir, name, "openapi"), { recursive: true });
  const spec = join(dir, name, "openapi", "flora.yaml");
  return { spec, out: join(dir, name, "out"), original: readFileSync(spec, "utf8") };
}

async function waitFor(what: string, ok: () => boolean, ms: number, context = () => ""): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Watching {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Count of finished regenerations, successful ones only. */
  runs(): number;
  exitCode(): number | null | undefined;
  until(what: string, ok: () => boolean, ms?: number): Promise<void>;
}

function startWatch(command: string, args: string[]): Watching {
  const child = spawn(command, args, { cwd: REPO, env: ENV });
  let stdout = "";
  let stderr = "";
  let exitCode: number | null | undefined;
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.on("exit", (code) => (exitCode = code));
  const context = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    runs: () => stdout.split("\n").filter((l) => l.startsWith("regenerated in ")).length,
    exitCode: () => exitCode,
    until: (what, ok, ms = SAVE_MS) => waitFor(what, ok, ms, context),
  };
}

const generateArgs = (spec: string, out: string) => ["--watch", "--lint", "off", "--spec", spec, "--out", out];
const watchWithNode = (spec: string, out: string) =>
  startWatch(process.execPath, ["--import", "tsx", "scripts/generate.ts", ...generateArgs(spec, out)]);

it("regenerates once per burst of saves, keeps the last good output on a broken save, and exits 0 on SIGINT", async () => {
  const { spec, out, original } = copySpec("burst");
  const w = watchWithNode(spec, out);
  try {
    await w.until("the first generation", () => w.runs() === 1, FIRST_RUN_MS);
    expect(w.stdout()).toMatch(/^watching .*openapi\/ and every file the spec \$refs; Ctrl-C stops$/m);
    expect(w.stdout()).toContain(`changed: ${join(out, "resources.ts")}`);

    // Three saves inside the debounce window make one regeneration.
    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged"));
    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged in"));
    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged in US dollars"));
    await w.until("the regeneration", () => w.runs() === 2);
    // A description the wrappers do not show: the warm watcher re-runs the spec stages and types, not emit or format.
    expect(w.stdout().split("regenerated in ").pop()).toMatch(
      /^\d+ ms: 1 file\(s\) changed \(ran load \d+ · lint \d+ · bundle \d+ · model \d+ · types \d+ · write \d+ ms; skipped emit, format\)\n {2}changed: .*schema\.d\.ts\n$/,
    );
    const good = snapshot(out);
    expect(good["schema.d.ts"]).toContain("Cost charged in US dollars");

    writeFileSync(spec, original.replace("paths:\n", "paths: [\n"));
    await w.until("the error", () => w.stderr().includes("kept the last good output"));
    expect(w.stderr()).toMatch(/error: .*flora\.yaml:\d+:\d+ YAML syntax error/);
    await new Promise((r) => setTimeout(r, 400));
    expect(snapshot(out)).toEqual(good);
    expect(w.runs()).toBe(2);

    w.child.kill("SIGINT");
    await w.until("the exit", () => w.exitCode() !== undefined);
    expect(w.exitCode()).toBe(0);
    expect(w.stdout()).toContain("watch stopped");
  } finally {
    w.child.kill("SIGKILL");
  }
}, 180_000);

it("with its output logged beside the spec, prints a broken save's error once and a later fix once", async () => {
  const { spec, out, original } = copySpec("logged");
  // `generate --watch > openapi/watch.log 2>&1`: each line the watcher prints is a write in the folder it watches.
  const logFile = join(dirname(spec), "watch.log");
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/generate.ts", ...generateArgs(spec, out)], {
    cwd: REPO,
    env: ENV,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const log = () => readFileSync(logFile, "utf8");
  const count = (pattern: RegExp) =>
    log()
      .split("\n")
      .filter((line) => pattern.test(line)).length;
  const until = (what: string, ok: () => boolean, ms = SAVE_MS) => waitFor(what, ok, ms, log);
  try {
    await until("the first generation", () => count(/^regenerated in /) === 1, FIRST_RUN_MS);
    writeFileSync(spec, "openapi: 3.1.0\ninfo: [\n");
    await until("the error", () => log().includes("kept the last good output"));
    await new Promise((r) => setTimeout(r, 1500));
    expect(count(/YAML syntax error/), log()).toBe(1);
    expect(count(/^kept the last good output/)).toBe(1);

    writeFileSync(spec, original.replace("Cost charged in USD", "Cost charged in US dollars"));
    await until("the fix", () => count(/^regenerated in /) === 2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(count(/^regenerated in /), log()).toBe(2);
    expect(count(/^error: /)).toBe(1);
  } finally {
    child.kill("SIGKILL");
  }
}, 180_000);

it("sees every save however it is written, and ignores editor swap, backup and lock files", async () => {
  const { spec, out, original } = copySpec("saves");
  const folder = dirname(spec);
  const at = (name: string) => join(folder, name);
  const text = (label: string) => original.replace("Cost charged in USD", label);
  let current = "Cost charged in USD";
  let emacsBackedUp = false;

  // Each one writes the spec with `label` where `current` was, the way that tool does.
  const saves: Record<string, (label: string) => void> = {
    "in-place write": (label) => writeFileSync(spec, text(label)),
    "sed -i (temp file renamed over the spec)": (label) => execFileSync("sed", ["-i", `s/${current}/${label}/`, spec]),
    "atomic save (write a temp file, rename it over the spec)": (label) => {
      writeFileSync(at(".flora.yaml.tmp-4242"), text(label));
      renameSync(at(".flora.yaml.tmp-4242"), spec);
    },
    "delete and recreate": (label) => {
      rmSync(spec);
      writeFileSync(spec, text(label));
    },
    // Vim with writebackup: probe file 4913, original renamed to a `~` backup, new file written, backup removed.
    "vim save": (label) => {
      writeFileSync(at(".flora.yaml.swp"), `swap before ${label}`);
      writeFileSync(at("4913"), "");
      rmSync(at("4913"));
      renameSync(spec, at("flora.yaml~"));
      writeFileSync(spec, text(label));
      rmSync(at("flora.yaml~"));
    },
    // Emacs: a dangling-symlink lock, an auto-save file, a `~` backup on the first save of the session.
    "emacs save": (label) => {
      symlinkSync("user@host.4242:1700000000", at(".#flora.yaml"));
      writeFileSync(at("#flora.yaml#"), text(label));
      if (!emacsBackedUp) renameSync(spec, at("flora.yaml~"));
      emacsBackedUp = true;
      writeFileSync(spec, text(label));
      rmSync(at("#flora.yaml#"));
      rmSync(at(".#flora.yaml"));
    },
  };

  const w = watchWithNode(spec, out);
  try {
    await w.until("the first generation", () => w.runs() === 1, FIRST_RUN_MS);
    const kinds = [...Object.entries(saves), ["in-place write after all that", saves["in-place write"]] as const];
    for (const [k, [kind, save]] of kinds.entries()) {
      for (const n of [1, 2, 3]) {
        const label = `Cost after save ${k}-${n}`;
        const before = w.runs();
        save(label);
        current = label;
        await w.until(
          `${kind} #${n} to regenerate`,
          () => w.runs() > before && readFileSync(join(out, "schema.d.ts"), "utf8").includes(label),
        );
      }
    }

    // Editor files alone, while the user types (a second vim's swap, emacs's lock and auto-save): no regeneration.
    const before = w.runs();
    writeFileSync(at(".flora.yaml.swp"), "swap while typing");
    writeFileSync(at(".flora.yaml.swo"), "swap of a second vim");
    writeFileSync(at("#flora.yaml#"), text("auto-saved"));
    symlinkSync("user@host.4242:1700000000", at(".#flora.yaml"));
    await new Promise((r) => setTimeout(r, 2000));
    expect(w.runs()).toBe(before);
    writeFileSync(spec, text("Cost after the swap files"));
    await w.until("the save after swap files", () =>
      readFileSync(join(out, "schema.d.ts"), "utf8").includes("Cost after the swap files"),
    );

    expect(w.stdout()).not.toContain("output unchanged");
    expect(w.stderr()).not.toContain("error");
  } finally {
    w.child.kill("SIGKILL");
  }
}, 300_000);

it("follows files the spec $refs outside its folder, through rename-style saves", async () => {
  const api = join(dir, "refs", "api");
  const shared = join(dir, "refs", "shared");
  mkdirSync(join(api, "schemas"), { recursive: true });
  mkdirSync(shared, { recursive: true });
  const spec = join(api, "openapi.yaml");
  const out = join(dir, "refs", "out");
  writeFileSync(
    spec,
    [
      "openapi: 3.1.0",
      "info: { title: Things, version: '1' }",
      "paths:",
      "  /things:",
      "    get:",
      "      operationId: listThings",
      "      responses:",
      "        '200':",
      "          description: ok",
      "          content:",
      "            application/json:",
      "              schema: { $ref: '../shared/thing.yaml' }",
      "  /parts:",
      "    get:",
      "      operationId: listParts",
      "      responses:",
      "        '200':",
      "          description: ok",
      "          content:",
      "            application/json:",
      "              schema: { $ref: './schemas/part.yaml' }",
      "",
    ].join("\n"),
  );
  const schema = (description: string) =>
    `type: object\ndescription: ${description}\nproperties:\n  name: { type: string }\n`;
  writeFileSync(join(shared, "thing.yaml"), schema("Thing 0"));
  writeFileSync(join(api, "schemas", "part.yaml"), schema("Part 0"));

  const w = watchWithNode(spec, out);
  try {
    await w.until("the first generation", () => w.runs() === 1, FIRST_RUN_MS);
    const generated = () => readFileSync(join(out, "schema.d.ts"), "utf8");
    expect(generated()).toContain("Thing 0");
    const thing = join(shared, "thing.yaml");
    const part = join(api, "schemas", "part.yaml");
    // Rename-style saves first: they are what used to lose the file.
    const saves = [
      (file: string, from: string, to: string) => execFileSync("sed", ["-i", `s/${from}/${to}/`, file]),
      (file: string, _from: string, to: string) => {
        writeFileSync(`${file}.tmp`, schema(to));
        renameSync(`${file}.tmp`, file);
      },
      (file: string, _from: string, to: string) => {
        rmSync(file);
        writeFileSync(file, schema(to));
      },
      (file: string, _from: string, to: string) => writeFileSync(file, schema(to)),
    ];
    for (const [n, save] of [...saves, ...saves].entries()) {
      save(thing, `Thing ${n}`, `Thing ${n + 1}`);
      await w.until(`$ref'd file outside the folder, save ${n + 1}`, () => generated().includes(`Thing ${n + 1}`));
      save(part, `Part ${n}`, `Part ${n + 1}`);
      await w.until(`$ref'd file in a subfolder, save ${n + 1}`, () => generated().includes(`Part ${n + 1}`));
    }
    expect(w.stderr()).not.toContain("error");
  } finally {
    w.child.kill("SIGKILL");
  }
}, 300_000);

it("follows a newly $ref'd file outside the folder even when it is broken at first, and sees its fix", async () => {
  const api = join(dir, "late", "api");
  const common = join(dir, "late", "common");
  mkdirSync(api, { recursive: true });
  mkdirSync(common, { recursive: true });
  const spec = join(api, "openapi.yaml");
  const out = join(dir, "late", "out");
  const specWith = (schema: string) => thingsSpec("Late", schema);
  writeFileSync(spec, specWith("{ type: string }"));
  const w = watchWithNode(spec, out);
  try {
    await w.until("the first generation", () => w.runs() === 1, FIRST_RUN_MS);
    const target = join(common, "thing.yaml");
    writeFileSync(target, "type: object\nproperties: [broken\n");
    writeFileSync(spec, specWith("{ $ref: '../common/thing.yaml' }"));
    await w.until("the broken save's error", () => w.stderr().includes("kept the last good output"));
    writeFileSync(target, "type: object\ndescription: Fixed thing\nproperties:\n  name: { type: string }\n");
    await w.until("the fix of the newly $ref'd file", () =>
      readFileSync(join(out, "schema.d.ts"), "utf8").includes("Fixed thing"),
    );
  } finally {
    w.child.kill("SIGKILL");
  }
}, 300_000);

it("sees a $ref'd file created, with its folder, after the $ref was written", async () => {
  const api = join(dir, "unborn", "api");
  mkdirSync(api, { recursive: true });
  const spec = join(api, "openapi.yaml");
  const out = join(dir, "unborn", "out");
  const specWith = (schema: string) => thingsSpec("Unborn", schema);
  writeFileSync(spec, specWith("{ type: string }"));
  const w = watchWithNode(spec, out);
  try {
    await w.until("the first generation", () => w.runs() === 1, FIRST_RUN_MS);
    // Two folders that do not exist yet: the nearest existing ancestor is watched.
    writeFileSync(spec, specWith("{ $ref: '../new/deeper/late.yaml' }"));
    await w.until("the unresolved $ref's error", () => w.stderr().includes("kept the last good output"));
    mkdirSync(join(dir, "unborn", "new", "deeper"), { recursive: true });
    writeFileSync(
      join(dir, "unborn", "new", "deeper", "late.yaml"),
      "type: object\ndescription: Late thing\nproperties:\n  name: { type: string }\n",
    );
    await w.until("the file created in a new folder", () =>
      readFileSync(join(out, "schema.d.ts"), "utf8").includes("Late thing"),
    );
  } finally {
    w.child.kill("SIGKILL");
  }
}, 300_000);

/** Every live descendant of `root`, read from /proc (zombies count as gone: they run nothing). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = Number(procStat(Number(name))?.[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length;) {
    const next = children.get(queue.shift() as number) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** The fields of /proc/PID/stat after the command name: [state, ppid, …]; undefined once the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

const alive = (pid: number) => {
  const state = procStat(pid)?.[0];
  return state !== undefined && state !== "Z";
};

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  it(`${signal} to \`npm run generate -- --watch\` stops the watcher and leaves no process behind`, async () => {
    const { spec, out } = copySpec(`npm-${signal}`);
    const w = startWatch("npm", ["run", "generate", "--", ...generateArgs(spec, out)]);
    let tree: number[] = [];
    try {
      await w.until("the first generation", () => w.runs() === 1, FIRST_RUN_MS);
      tree = descendants(w.child.pid as number);
      const watcher = tree.find((pid) =>
        readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("scripts/generate.ts"),
      );
      expect(watcher, `no node process running scripts/generate.ts under npm: ${tree.join(", ")}`).toBeDefined();

      w.child.kill(signal);
      await w.until(`npm to exit on ${signal}`, () => w.exitCode() !== undefined);
      await w.until(`every process npm started to end (${tree.join(", ")})`, () => !tree.some(alive));
      expect(w.stdout()).toContain("watch stopped");
      expect(w.exitCode()).toBe(0);
    } finally {
      w.child.kill("SIGKILL");
      for (const pid of tree.filter(alive)) process.kill(pid, "SIGKILL");
    }
  }, 180_000);
}
