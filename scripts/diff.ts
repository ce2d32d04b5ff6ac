// `npm run diff`: what changed between two versions of the spec, and what that means for SDK users and the version.
import { FORMATS, formatReport, type Format } from "./diff/format.js";
import { RULES } from "./diff/rules.js";
import { FAIL_ON, failsThreshold, type FailOn } from "./diff/report.js";
import { diffSpecs } from "./diff/run.js";
import { parseCommandOptions, runCommand, usageError } from "./pipeline/errors.js";
import { DEFAULT_SPEC } from "./pipeline/run.js";

const USAGE = `Usage: npm run diff -- [options]

  --base REF|FILE       the old version: a git ref (main, origin/main, v0.1.0, HEAD~1), REF:PATH, or a spec file (default HEAD)
  --head FILE           the new version (default ${DEFAULT_SPEC}); at a git ref the base is read from this same path
  --format FORMAT       text | markdown | json (default text)
  --fail-on LEVEL       breaking | warning | never (default never): exit 1 when a change is at least that severe
  --version X.Y.Z       the current version the bump applies to (default: package.json's)
  --rules               list every rule with its severity
  -h, --help            show this help

Both versions are bundled (multi-file $refs joined) and compared with local $refs resolved.
Exit codes: 0 ok, 1 --fail-on threshold reached or a spec cannot be read, 2 usage error.`;

interface DiffCliOptions {
  base: string;
  head: string;
  format: Format;
  failOn: FailOn;
  version?: string;
  rules: boolean;
  help: boolean;
}

function parseDiffOptions(argv: string[]): DiffCliOptions {
  const values = parseCommandOptions(
    argv,
    {
      base: { type: "string", default: "HEAD" },
      head: { type: "string", default: DEFAULT_SPEC },
      format: { type: "string", default: "text" },
      "fail-on": { type: "string", default: "never" },
      version: { type: "string" },
      rules: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (!FORMATS.includes(values.format as Format))
    throw usageError(`--format must be text, markdown or json, not "${values.format}"`);
  if (!FAIL_ON.includes(values["fail-on"] as FailOn))
    throw usageError(`--fail-on must be breaking, warning or never, not "${values["fail-on"]}"`);
  if (!values.base.trim()) throw usageError("--base needs a git ref or a file path");
  if (!values.head.trim()) throw usageError("--head needs a file path");
  if (values.version !== undefined && !/^\d+\.\d+\.\d+/.test(values.version))
    throw usageError(`--version must look like 1.2.3, not "${values.version}"`);
  return {
    base: values.base,
    head: values.head,
    format: values.format as Format,
    failOn: values["fail-on"] as FailOn,
    version: values.version,
    rules: values.rules,
    help: values.help,
  };
}

function ruleTable(): string {
  return Object.entries(RULES)
    .map(([id, rule]) => `${id.padEnd(34)} ${rule.severity.padEnd(13)} ${rule.summary}`)
    .join("\n");
}

async function main(argv: string[]): Promise<number> {
  const options = parseDiffOptions(argv);
  if (options.help || options.rules) {
    console.log(options.help ? USAGE : ruleTable());
    return 0;
  }
  const report = await diffSpecs({ base: options.base, head: options.head, currentVersion: options.version });
  console.log(formatReport(report, options.format));
  if (!failsThreshold(report, options.failOn)) return 0;
  console.error(
    `diff: ${report.counts.breaking} breaking change(s), ${report.counts.warning} warning(s); failing because of --fail-on ${options.failOn}`,
  );
  return 1;
}

runCommand(main);
