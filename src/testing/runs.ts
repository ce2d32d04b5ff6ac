import { randomBytes } from "node:crypto";
import type { CreateTechniqueRunBody, TechniqueIO, TechniqueIOType, TechniqueRun, TechniqueRunOutput } from "./types.js";

/** What the server stores for each run; snapshots are derived from it and the clock. */
export interface RunRecord {
  runId: string;
  techniqueId: string;
  body: CreateTechniqueRunBody;
  idempotencyKey?: string;
  /** Unix epoch milliseconds. */
  createdAt: number;
  durationMs: number;
  fails: boolean;
  pollUrl: string;
  /** The technique's declared outputs: a completed run returns one output per entry, of its type. */
  outputs: readonly TechniqueIO[];
}

/** Share of the run spent `pending` before it starts `running`. */
const PENDING_SHARE = 0.2;
/** Progress steps while running: 0, 0.25, 0.5, 0.75, then 1 on completion. */
const PROGRESS_STEPS = 4;
const COMPLETED_COST_USD = 0.04;
const PROVIDER_ERROR_MESSAGE = "The provider failed to complete the generation.";

/** Runs of technique `fail` or `fail-…` end `failed` with `provider_error`. */
export function techniqueFails(techniqueId: string): boolean {
  return techniqueId === "fail" || techniqueId.startsWith("fail-");
}

const EXTENSIONS: Readonly<Record<TechniqueIOType, string>> = {
  imageUrl: "png",
  videoUrl: "mp4",
  audioUrl: "mp3",
  text: "txt",
  documentUrl: "pdf",
};

/** One output per declared output, in order: `out_<run>_<n>`, its declared type, a URL on `media.flora.test`. */
function runOutputs(record: RunRecord): TechniqueRunOutput[] {
  return record.outputs.map((declared, index) => ({
    output_id: `${record.runId.replace(/^run_/, "out_")}_${index + 1}`,
    type: declared.type,
    url: `https://media.flora.test/${record.runId}/${encodeURIComponent(declared.id)}.${EXTENSIONS[declared.type] ?? "bin"}`,
  }));
}

export function newRunId(): string {
  return `run_${randomBytes(12).toString("hex")}`;
}

function pendingMs(record: RunRecord): number {
  return Math.round(record.durationMs * PENDING_SHARE);
}

function stepMs(record: RunRecord): number {
  return (record.durationMs - pendingMs(record)) / PROGRESS_STEPS;
}

/** When the run reaches its terminal status, in unix epoch milliseconds. */
export function runTerminalAt(record: RunRecord): number {
  return record.createdAt + record.durationMs;
}

/** The run as the API shows it at `now`: pending, running with stepped progress, then terminal. */
export function runSnapshot(record: RunRecord, now: number): TechniqueRun {
  const elapsed = now - record.createdAt;
  const startedAt = record.createdAt + pendingMs(record);
  const base = { run_id: record.runId, created_at: record.createdAt };
  if (elapsed < pendingMs(record) && elapsed < record.durationMs) {
    return { ...base, status: "pending", progress: 0, poll_url: record.pollUrl };
  }
  if (elapsed < record.durationMs) {
    const step = Math.min(PROGRESS_STEPS - 1, Math.floor((elapsed - pendingMs(record)) / stepMs(record)));
    return {
      ...base,
      status: "running",
      progress: step / PROGRESS_STEPS,
      started_at: startedAt,
      poll_url: record.pollUrl,
    };
  }
  const terminal = { started_at: startedAt, completed_at: runTerminalAt(record) };
  if (record.fails) {
    return {
      ...base,
      status: "failed",
      progress: (PROGRESS_STEPS - 1) / PROGRESS_STEPS,
      ...terminal,
      charged_cost: 0,
      error_code: "provider_error",
      error_message: PROVIDER_ERROR_MESSAGE,
      poll_url: record.pollUrl,
    };
  }
  return {
    ...base,
    status: "completed",
    progress: 1,
    ...terminal,
    charged_cost: COMPLETED_COST_USD,
    outputs: runOutputs(record),
    poll_url: record.pollUrl,
  };
}

/** When the snapshot next changes after `now`, or undefined once the run is terminal. */
export function nextRunChangeAt(record: RunRecord, now: number): number | undefined {
  const terminalAt = runTerminalAt(record);
  if (now >= terminalAt) return undefined;
  const changes = [record.createdAt + pendingMs(record)];
  for (let step = 1; step < PROGRESS_STEPS; step += 1) {
    changes.push(record.createdAt + pendingMs(record) + step * stepMs(record));
  }
  changes.push(terminalAt);
  return changes.find((at) => at > now) ?? terminalAt;
}

/** Whether a snapshot is in a terminal status. */
export function isTerminal(run: TechniqueRun): boolean {
  return run.status === "completed" || run.status === "failed";
}
