import { createHash } from "node:crypto";

/** The two documented behaviours for a reused idempotency key. */
export type IdempotencyMode = "replay" | "duplicate";

/** What a reused or fresh key leads to. */
export type IdempotencyDecision =
  { kind: "new" } | { kind: "replay"; runId: string } | { kind: "duplicate" } | { kind: "conflict" };

interface IdempotencyEntry {
  fingerprint: string;
  runId: string;
  recordedAt: number;
}

/** Sorted-key JSON, so that two bodies differing only in key order count as the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Identity of a create request for replay: technique plus body, without the key itself. */
export function requestFingerprint(techniqueId: string, body: Record<string, unknown>): string {
  const { idempotency_key: _key, ...rest } = body;
  return createHash("sha256").update(techniqueId).update("\n").update(canonicalJson(rest)).digest("hex");
}

/** Keys seen within the window, each bound to the run it created. */
export class IdempotencyStore {
  readonly #windowMs: number;
  readonly #entries = new Map<string, IdempotencyEntry>();

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** How a request with `key` and `fingerprint` is treated at `now`. */
  decide(mode: IdempotencyMode, key: string, fingerprint: string, now: number): IdempotencyDecision {
    this.#prune(now);
    const entry = this.#entries.get(key);
    if (entry === undefined) return { kind: "new" };
    if (mode === "duplicate") return { kind: "duplicate" };
    return entry.fingerprint === fingerprint ? { kind: "replay", runId: entry.runId } : { kind: "conflict" };
  }

  /** Binds `key` to the run it created; call in the same tick as the run is stored. */
  record(key: string, fingerprint: string, runId: string, now: number): void {
    this.#entries.set(key, { fingerprint, runId, recordedAt: now });
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Entries are inserted in time order, so expired ones sit at the front of the map. */
  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.recordedAt < this.#windowMs) return;
      this.#entries.delete(key);
    }
  }
}
