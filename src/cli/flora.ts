// The `flora` command line: the generated commands on the Flora client, plus `--input` and `--wait` on
// `techniques runs create`, `techniques runs wait`, and `webhooks verify`.
import { commands as generated } from "../../generated/cli.js";
import type { CreateTechniqueRunBody, Run, TechniqueInput } from "../../generated/index.js";
import { readTrimmedEnv } from "../env.js";
import { Flora } from "../flora.js";
import { VERSION } from "../version.js";
import { UsageError } from "./errors.js";
import { runCommandLine } from "./run.js";
import type { CommandContext, CommandLineDefinition, CommandSpec, FlagSpec } from "./types.js";

// A Record, so that this fails to compile when the spec adds or drops an input type.
const INPUT_TYPE_SET: Record<TechniqueInput["type"], true> = { text: true, imageUrl: true, videoUrl: true };
/** The input types `--input` accepts before a colon. */
const INPUT_TYPES = Object.keys(INPUT_TYPE_SET) as TechniqueInput["type"][];

/** Why `--mode stream` (or `"mode": "stream"` in --body) is refused before anything is sent. */
const STREAM_REFUSED =
  "stream is not supported by the command line (its answer is an event stream, not JSON); use async (with --wait to follow the run), or the SDK's flora.techniques.runs.stream";

const WAIT_FLAGS: FlagSpec[] = [
  {
    flag: "poll-interval",
    in: "option",
    name: "pollInterval",
    required: false,
    description: "first delay between polls in ms (default 2000, growing ×1.5 up to 10000)",
    value: { type: "integer" },
  },
  {
    flag: "wait-timeout",
    in: "option",
    name: "waitTimeout",
    required: false,
    description: "stop waiting after this many ms (default 1800000); the run goes on",
    value: { type: "integer" },
  },
];

/**
 * `<id>=[<type>:]<value>`: `prompt=text:a lighthouse`, `ref=imageUrl:https://…`; no prefix means text. A value
 * that starts like a prefix (a word and a colon, e.g. `audio:x` or `imageurl:https://…`) but names no input type
 * is a UsageError listing the types, so a typo is never sent as text; a URL (`https://…`, scheme then `//`) is
 * a value, not a prefix.
 */
export function parseInputFlag(text: string): TechniqueInput {
  const equals = text.indexOf("=");
  if (equals <= 0)
    throw new UsageError(
      `--input ${JSON.stringify(text)} must be <id>=[<type>:]<value>, e.g. prompt=text:"A lighthouse at dusk"`,
    );
  const id = text.slice(0, equals);
  const rest = text.slice(equals + 1);
  const prefix = /^([A-Za-z_]\w*):(?!\/\/)/.exec(rest)?.[1];
  if (prefix === undefined) return { id, type: "text", value: rest };
  const type = INPUT_TYPES.find((known) => known === prefix);
  if (!type)
    throw new UsageError(
      `--input ${JSON.stringify(text)}: ${JSON.stringify(prefix)} is not an input type; the types are ${INPUT_TYPES.join(", ")} (for text that starts with "${prefix}:", write ${id}=text:${rest})`,
    );
  return { id, type, value: rest.slice(prefix.length + 1) };
}

/** Shows each snapshot `wait` reports (a bar on a terminal, lines otherwise) while `start` runs. */
async function withProgress(
  context: CommandContext<Flora>,
  start: (onProgress: (run: Run) => void) => Promise<Run>,
): Promise<Run> {
  const progress = await context.progress();
  try {
    return await start((run) => progress.update(run.progress, `${run.run_id} ${run.status}`));
  } finally {
    progress.stop();
  }
}

function waitOptions(context: CommandContext<Flora>) {
  const { pollInterval, waitTimeout } = context.options as { pollInterval?: number; waitTimeout?: number };
  return {
    ...(pollInterval !== undefined ? { intervalMs: pollInterval } : {}),
    ...(waitTimeout !== undefined ? { waitTimeoutMs: waitTimeout } : {}),
  };
}

/** A failed run is printed like a completed one, then exits 1 with its error code on stderr. */
function runOutcome(result: unknown) {
  const run = result as Partial<Run> | undefined;
  return run?.status === "failed"
    ? { exitCode: 1, message: `run ${run.run_id} failed: ${run.error_code ?? "(no code)"}: ${run.error_message ?? ""}` }
    : undefined;
}

/** `techniques runs create` with `--input` (repeatable), `mode` defaulting to async, and `--wait`. */
function createCommand(spec: CommandSpec<Flora>): CommandSpec<Flora> {
  return {
    ...spec,
    flags: [
      ...spec.flags.map((flag) =>
        flag.in === "body" && flag.name === "mode"
          ? {
              ...flag,
              required: false,
              description: `Technique run execution mode; default here: async. ${STREAM_REFUSED}`,
            }
          : flag,
      ),
      {
        flag: "input",
        in: "option",
        name: "input",
        required: false,
        placeholder: "id=[type:]value",
        description: `one technique input, <id>=[<type>:]<value>, type ${INPUT_TYPES.join(", ")} (default text), e.g. prompt=text:"A lighthouse"; appended to --inputs`,
        value: { type: "array", items: { type: "string" } },
      },
      {
        flag: "wait",
        in: "option",
        name: "wait",
        required: false,
        description:
          "wait for the run to finish and print it: a progress bar on a terminal, one line per change otherwise (stderr); the create is sent once, so a retry never starts a second run",
        value: { type: "boolean" },
      },
      ...WAIT_FLAGS,
    ],
    complete: (body, options) => {
      const inputs = ((options.input as string[] | undefined) ?? []).map(parseInputFlag);
      if (inputs.length === 0 && body?.inputs === undefined)
        throw new UsageError("missing --input <id>=[<type>:]<value> (or --inputs <json>, or --body)");
      // a stream answer is not JSON: sending it would start a run that this command cannot report
      if (body?.mode === "stream") throw new UsageError(`mode "stream": ${STREAM_REFUSED}`);
      const given = Array.isArray(body?.inputs) ? (body.inputs as unknown[]) : [];
      return { ...body, mode: body?.mode ?? "async", inputs: [...given, ...inputs] };
    },
    call: (context) => {
      const techniqueId = context.path.techniqueId as string;
      const body = context.body as CreateTechniqueRunBody;
      if (context.options.wait !== true)
        return context.client.techniques.runs.create(techniqueId, body, context.request);
      return withProgress(context, (onProgress) =>
        context.client.techniques.runs.createAndWait(techniqueId, body, {
          ...context.request,
          ...waitOptions(context),
          onProgress,
        }),
      );
    },
    outcome: runOutcome,
  };
}

const waitCommand: CommandSpec<Flora> = {
  path: ["techniques", "runs", "wait"],
  summary: "Wait for a technique run to finish",
  description:
    "Polls the run (every 2 s, growing ×1.5 up to 10 s) until it is completed or failed, then prints it. A failed run exits 1.",
  args: [{ name: "runId", description: "Run identifier", value: { type: "string" } }],
  flags: [
    {
      flag: "technique",
      in: "option",
      name: "technique",
      required: true,
      description: "the technique id or slug the run belongs to",
      value: { type: "string" },
    },
    ...WAIT_FLAGS,
  ],
  call: (context) =>
    withProgress(context, (onProgress) => {
      const { waitTimeoutMs, ...options } = waitOptions(context);
      return context.client.techniques.runs.wait(
        { run_id: context.path.runId as string, techniqueId: context.options.technique as string },
        { ...options, timeoutMs: waitTimeoutMs, signal: context.request.signal, onProgress },
      );
    }),
  outcome: runOutcome,
};

const verifyCommand: CommandSpec<Flora> = {
  path: ["webhooks", "verify"],
  summary: "Verify a webhook delivery read from stdin",
  description:
    "Checks the Flora-Signature header value (--signature) over the raw body on stdin with the endpoint's signing secret, and prints the event. A signature that does not match, or a timestamp outside the tolerance, exits 1. Needs no API key.",
  args: [],
  flags: [
    {
      flag: "secret",
      in: "option",
      name: "secret",
      required: false,
      description:
        "the endpoint's signing secret, whsec_… (default: the FLORA_WEBHOOK_SECRET environment variable); never printed",
      value: { type: "string" },
    },
    {
      flag: "signature",
      in: "option",
      name: "signature",
      required: true,
      description: "the Flora-Signature header value, t=<seconds>,v1=<hex>",
      value: { type: "string" },
    },
    {
      flag: "tolerance",
      in: "option",
      name: "tolerance",
      required: false,
      description: "largest distance in seconds between the signed timestamp and now (default 300)",
      value: { type: "integer" },
    },
  ],
  call: async (context) => {
    const secret = (context.options.secret as string | undefined) ?? process.env.FLORA_WEBHOOK_SECRET;
    if (!secret) throw new UsageError("missing --secret (or the FLORA_WEBHOOK_SECRET environment variable)");
    const { unwrapWebhook } = await import("../runtime/webhooks.js");
    const tolerance = context.options.tolerance as number | undefined;
    return unwrapWebhook(
      await context.stdin(),
      { "flora-signature": context.options.signature as string },
      secret,
      tolerance !== undefined ? { toleranceSeconds: tolerance } : {},
    );
  },
};

/** The `flora` program: every generated command (on `new Flora(…)`), with Flora's extras. */
export const floraCommandLine: CommandLineDefinition<Flora> = {
  name: "flora",
  description: "Flora's technique-runs API from the command line (flora-sdk)",
  version: VERSION,
  commands: [
    ...generated.map((spec) => (spec.path.join(" ") === "techniques runs create" ? createCommand(spec) : spec)),
    waitCommand,
    verifyCommand,
  ],
  createClient: (options) => {
    if (options.apiKey === undefined && !readTrimmedEnv("FLORA_API_KEY"))
      throw new UsageError("No API key: pass --api-key or set the FLORA_API_KEY environment variable.");
    return new Flora(options);
  },
  apiKeyEnv: "FLORA_API_KEY",
  secretEnv: ["FLORA_WEBHOOK_SECRET"],
  secretFlags: ["secret"],
  resumeHint: (runId, context) => {
    const technique = context.path.techniqueId ?? context.options.technique;
    return typeof technique === "string"
      ? `Resume with: flora techniques runs wait ${runId} --technique ${technique}`
      : undefined;
  },
};

/** Runs `flora` with `argv` as `process.argv` gives it and resolves with the exit code. */
export function runFloraCommandLine(argv: readonly string[] = process.argv): Promise<number> {
  return runCommandLine(floraCommandLine, argv);
}
