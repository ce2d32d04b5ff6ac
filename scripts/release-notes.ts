// `npm run release:notes`: writes the spec diff as the new version's section of CHANGELOG.md (same version again: replaced).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { upsertChangelogSection } from "./diff/changelog.js";
import { bumpLine, capitalise, markdownBody } from "./diff/format.js";
import { diffSpecs } from "./diff/run.js";
import { parseCommandOptions, runCommand, usageError } from "./pipeline/errors.js";
import { DEFAULT_SPEC } from "./pipeline/run.js";

const USAGE = `Usage: npm run release:notes -- [options]

  --base REF|FILE     the last released version of the spec: a git ref, REF:PATH or a file (default HEAD)
  --head FILE         the spec being released (default ${DEFAULT_SPEC})
  --version X.Y.Z     the version heading to write (default: package.json's version with the suggested bump applied)
  --changelog FILE    the changelog to update (default CHANGELOG.md)
  --dry-run           print the section and where it would go; write nothing
  -h, --help          show this help

Running it again for the same version replaces that version's section.
Exit codes: 0 ok, 1 a spec cannot be read, 2 usage error.`;

function parseOptions(argv: string[]) {
  const values = parseCommandOptions(
    argv,
    {
      base: { type: "string", default: "HEAD" },
      head: { type: "string", default: DEFAULT_SPEC },
      version: { type: "string" },
      changelog: { type: "string", default: "CHANGELOG.md" },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    USAGE,
  );
  if (values.version !== undefined && !/^\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/.test(values.version))
    throw usageError(`--version must look like 1.2.3, not "${values.version}"`);
  if (!values.changelog.trim()) throw usageError("--changelog needs a file path");
  return values;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const report = await diffSpecs({ base: options.base, head: options.head });
  if (report.changes.length === 0 && options.version === undefined) {
    console.log(`no API changes between ${report.base} and ${report.head}: ${options.changelog} left as it is`);
    return 0;
  }
  const version = options.version ?? report.nextVersion;
  const body = `${capitalise(bumpLine(report))} (spec ${report.base} → ${report.head}).\n\n${markdownBody(report)}`;
  const before = existsSync(options.changelog) ? readFileSync(options.changelog, "utf8") : "";
  const after = upsertChangelogSection(before, version, body);
  if (options["dry-run"]) {
    console.log(`would write ## ${version} to ${options.changelog}:\n\n## ${version}\n\n${body}`);
    return 0;
  }
  if (after === before) {
    console.log(`${options.changelog}: ## ${version} already up to date`);
    return 0;
  }
  writeFileSync(options.changelog, after);
  console.log(`${options.changelog}: wrote ## ${version} (${report.changes.length} change(s); ${bumpLine(report)})`);
  return 0;
}

runCommand(main);
