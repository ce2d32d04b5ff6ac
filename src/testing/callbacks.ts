import { createHmac, randomBytes } from "node:crypto";
import { request as httpRequest, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import type { TechniqueRun, WebhookEvent } from "./types.js";

/** API version stamped on every webhook event. */
export const WEBHOOK_API_VERSION = "2026-06-11";
const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * The `Flora-Signature` header value for `rawBody` sent at `timestampSeconds`:
 * `t=<seconds>,v1=<hex HMAC-SHA256 keyed with the whole secret over "t.rawBody">`.
 */
export function signWebhook(secret: string, rawBody: string, timestampSeconds: number): string {
  const digest = createHmac("sha256", secret).update(`${timestampSeconds}.${rawBody}`, "utf8").digest("hex");
  return `t=${timestampSeconds},v1=${digest}`;
}

/** The single terminal event for a run that has completed or failed. */
export function buildWebhookEvent(run: TechniqueRun, workspaceId: string, now: number): WebhookEvent {
  const failed = run.status === "failed";
  const data: WebhookEvent["data"] = {
    run_id: run.run_id,
    run_type: "technique",
    workspace_id: workspaceId,
    status: failed ? "failed" : "completed",
  };
  if (run.error_code !== undefined) data.error_code = run.error_code;
  if (run.error_message !== undefined) data.error_message = run.error_message;
  return {
    id: `whd_${randomBytes(12).toString("hex")}`,
    type: failed ? "run.failed" : "run.completed",
    api_version: WEBHOOK_API_VERSION,
    created_at: now,
    data,
  };
}

/** What happened to one webhook event, for tests to inspect. */
export interface CallbackDelivery {
  eventId: string;
  runId: string;
  type: WebhookEvent["type"];
  /** The URL POSTed to, after `rewriteCallbackUrl`. */
  url: string;
  attempts: number;
  /** Status code of each attempt; 0 when the attempt failed at the transport level. */
  statuses: number[];
  delivered: boolean;
  lastError?: string;
}

export interface CallbackDispatcherOptions {
  secret: string;
  workspaceId: string;
  retries: number;
  backoffMs: number;
  rewriteUrl: (url: string) => string;
}

/** POSTs once and resolves with the status code; the body is ignored. */
function postOnce(url: string, body: string, headers: OutgoingHttpHeaders, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : target.protocol === "http:" ? httpRequest : undefined;
    if (send === undefined) return reject(new Error(`Unsupported callback protocol ${target.protocol}`));
    const req = send(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body), connection: "close" },
        agent: false,
        timeout: DELIVERY_TIMEOUT_MS,
        signal,
      },
      (res) => {
        res.on("error", reject);
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.resume();
      },
    );
    req.on("timeout", () => req.destroy(new Error(`Callback timed out after ${DELIVERY_TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** Sends each terminal run's event exactly once, retrying failed deliveries with backoff. */
export class CallbackDispatcher {
  readonly #options: CallbackDispatcherOptions;
  #abort = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #deliveries: CallbackDelivery[] = [];

  constructor(options: CallbackDispatcherOptions) {
    this.#options = options;
  }

  /** Waits `delayMs`, then delivers the event for the run `snapshotAt()` returns at that time. */
  schedule(callbackUrl: string, delayMs: number, snapshotAt: (now: number) => TechniqueRun): void {
    const signal = this.#abort.signal;
    const task = this.#deliverLater(callbackUrl, delayMs, snapshotAt, signal).catch(() => undefined);
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  deliveries(): CallbackDelivery[] {
    return this.#deliveries.map((delivery) => ({ ...delivery, statuses: [...delivery.statuses] }));
  }

  /** Cancels pending and in-flight deliveries and forgets past ones. */
  cancelAll(): void {
    this.#abort.abort();
    this.#abort = new AbortController();
    this.#deliveries = [];
  }

  /** Resolves once every delivery task has finished or given up. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #deliverLater(
    callbackUrl: string,
    delayMs: number,
    snapshotAt: (now: number) => TechniqueRun,
    signal: AbortSignal,
  ): Promise<void> {
    await sleep(Math.max(0, delayMs), undefined, { signal, ref: false });
    const { secret, workspaceId, retries, backoffMs, rewriteUrl } = this.#options;
    const event = buildWebhookEvent(snapshotAt(Date.now()), workspaceId, Date.now());
    const rawBody = JSON.stringify(event);
    const delivery: CallbackDelivery = {
      eventId: event.id,
      runId: event.data.run_id,
      type: event.type,
      url: rewriteUrl(callbackUrl),
      attempts: 0,
      statuses: [],
      delivered: false,
    };
    this.#deliveries.push(delivery);
    for (let attempt = 0; attempt <= retries && !delivery.delivered; attempt += 1) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1), undefined, { signal, ref: false });
      delivery.attempts += 1;
      const headers: OutgoingHttpHeaders = {
        "content-type": "application/json",
        "user-agent": "flora-test-server",
        "flora-signature": signWebhook(secret, rawBody, Math.floor(Date.now() / 1000)),
        "flora-webhook-id": event.id,
        "flora-event": event.type,
      };
      try {
        const status = await postOnce(delivery.url, rawBody, headers, signal);
        delivery.statuses.push(status);
        delivery.delivered = status >= 200 && status < 300;
        if (!delivery.delivered) delivery.lastError = `Receiver answered ${status}`;
      } catch (error) {
        if (signal.aborted) return;
        delivery.statuses.push(0);
        delivery.lastError = error instanceof Error ? error.message : String(error);
      }
    }
  }
}
