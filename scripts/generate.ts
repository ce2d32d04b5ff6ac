// `npm run generate`: regenerate generated/ from openapi/flora.yaml (or any OpenAPI 3.0/3.1/3.2 spec).
import { resolve } from "node:path";
import { parseCommandOptions, runCommand, usageError } from "./pipeline/errors.js";
import type { LintMode } from "./pipeline/lint.js";
import { DEFAULT_OUT, DEFAULT_SPEC, packageRuntimeImport, runPipeline } from "./pipeline/run.js";

const USAGE = `Usage: npm run generate -- [options]

  --spec FILE            OpenAPI 3.0/3.1/3.2 description (default ${DEFAULT_SPEC})
  --out DIR              output folder (default ${DEFAULT_OUT}/)
                         (missing folders are created before any stage, and removed if the run fails)
  --lint MODE            project | minimal | off (default project; structural errors always stop the run)
  --runtime-import SPEC  import specifier of the runtime in generated code (default: this repo's src/runtime
                         when --out is inside the repo, else flora-sdk/runtime)
  --check                write nothing; exit 1 listing each file that is stale or missing, and each
                         entry the spec does not produce as extra (files and folders; dotfiles such as
                         .gitkeep are ignored). Without --check, only files that carry the generated
                         header are ever removed
  --force                replace files in --out that lack the generated header (written by hand); files
                         the generator never writes are left alone either way
  --names                print every SDK method beside its HTTP method and path (and how each name was
                         chosen), then exit without linting or writing anything; the spec's
                         <basename>.names.yaml overrides apply
  --watch                regenerate on every save in the spec's folder or to a file it $refs (debounced); Ctrl-C stops
  --verbose              list every lint warning (default: a count per rule)
  --quiet                print only problems
  -h, --help             show this help

Exit codes: 0 ok, 1 spec/lint problem, stale output or a hand-written file in the way, 2 usage error.`;

function parseOptions(argv: string[]) {
  const values = parseCommandOptions(
    argv,
    {
      spec: { type: "string", default: DEFAULT_SPEC },
      out: { type: "string", default: DEFAULT_OUT },
      lint: { type: "string", default: "project" },
      "runtime-import": { type: "string" },
      check: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      watch: { type: "boolean", default: false },
      names: { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (!["project", "minimal", "off"].includes(values.lint))
    throw usageError(`--lint must be project, minimal or off, not "${values.lint}"`);
  if (!values.spec.trim()) throw usageError("--spec needs a file path");
  if (!values.out.trim()) throw usageError("--out needs a folder path");
  if (values.watch && values.check) throw usageError("--watch and --check cannot be combined");
  if (values.names && (values.watch || values.check))
    throw usageError(`--names cannot be combined with --${values.watch ? "watch" : "check"}`);
  return { ...values, lint: values.lint as LintMode };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.names) {
    // Only this path needs the naming report, and only --watch needs the watcher (chokidar): each loads on use.
    const { namingReport } = await import("./pipeline/names-report.js");
    process.stdout.write(await namingReport(options.spec));
    return 0;
  }
  const log = options.quiet ? () => {} : (line: string) => console.log(line);
  const packageImport = options["runtime-import"] ? undefined : packageRuntimeImport(resolve(options.out));
  const runtimeImport = options["runtime-import"] ?? packageImport;
  const logRuntimeImport = () => {
    if (packageImport)
      log(`runtime import: ${packageImport} (--out is outside this repository; --runtime-import changes it)`);
  };
  if (options.watch) {
    logRuntimeImport();
    const { runWatch } = await import("./watch.js");
    return runWatch({
      spec: options.spec,
      out: options.out,
      lint: options.lint,
      force: options.force,
      runtimeImport,
      log,
    });
  }
  const started = performance.now();
  const result = await runPipeline({
    spec: options.spec,
    out: options.out,
    lint: options.lint,
    check: options.check,
    force: options.force,
    runtimeImport,
    onStage: (stage, ms, detail) =>
      log(`${stage.padEnd(7)} ${ms.toFixed(0).padStart(6)} ms${detail ? `  ${detail}` : ""}`),
  });
  logRuntimeImport();
  for (const line of result.model.warnings) log(`warning: ${line}`);
  // Under project every warning already failed the run and was printed.
  if (options.lint !== "project" && result.lintCount) {
    if (options.verbose) for (const line of result.lintLines) console.log(line);
    else {
      log(`lint warnings: ${result.lintCount} under --lint ${options.lint}, by rule (--verbose lists each):`);
      for (const [rule, count] of result.lintByRule) log(`  ${String(count).padStart(6)}  ${rule}`);
    }
  }
  const total = `${(performance.now() - started).toFixed(0)} ms`;
  const { changed, missing, extra } = result.plan;
  if (options.check) {
    if (changed.length || extra.length) {
      console.error(`generated output is stale (${options.out}): run npm run generate`);
      for (const name of changed) if (!missing.includes(name)) console.error(`  stale:   ${options.out}/${name}`);
      for (const name of missing) console.error(`  missing: ${options.out}/${name}`);
      // A committed output folder holds only what the spec produces: anything else is reported, never removed.
      for (const name of extra) console.error(`  extra:   ${options.out}/${name}`);
      return 1;
    }
    log(`check   ok: ${options.out}/ matches ${options.spec} (${result.files.size} files) in ${total}`);
    return 0;
  }
  log(
    `done    ${result.operations} operation(s) → ${options.out}/ (${changed.length} written, ${result.plan.unchanged.length} unchanged) in ${total}`,
  );
  return 0;
}

runCommand(main);
