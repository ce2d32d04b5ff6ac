/** Wire types the test server speaks, defined here so the testing entry stands alone. */

/** Lifecycle status of a technique run; `completed` and `failed` are terminal. */
export type TechniqueRunStatus = "pending" | "running" | "completed" | "failed";

/** Input types the create route accepts, including the documented snake_case aliases. */
export type TechniqueInputType = "text" | "imageUrl" | "videoUrl" | "image_url" | "video_url";

/** One input of a technique run, as sent in the create body. */
export interface TechniqueInput {
  id: string;
  type: TechniqueInputType;
  value: string;
}

/** Body of `POST /techniques/{techniqueId}/runs`. */
export interface CreateTechniqueRunBody {
  inputs: TechniqueInput[];
  mode: "async" | "stream";
  callback_url?: string;
  idempotency_key?: string;
}

/** One output of a completed run. */
export interface TechniqueRunOutput {
  output_id: string;
  type: "imageUrl" | "videoUrl" | "audioUrl" | "text" | "documentUrl";
  url: string;
}

/**
 * A run as the server returns it.
 *
 * Units: `progress` is a fraction from 0 to 1; `created_at`, `started_at` and `completed_at`
 * are unix epoch milliseconds.
 */
export interface TechniqueRun {
  run_id: string;
  status: TechniqueRunStatus;
  progress: number;
  created_at: number;
  started_at?: number;
  completed_at?: number;
  outputs?: TechniqueRunOutput[];
  charged_cost?: number;
  error_code?: string;
  error_message?: string;
  poll_url: string;
}

/** One entry of an error envelope's `fields`. */
export interface FieldError {
  field: string;
  message: string;
}

/** Body of every error response. */
export interface ErrorEnvelope {
  error: { code: string; message: string; fields?: FieldError[] };
}

/** Type of a completion webhook event. */
export type WebhookEventType = "run.completed" | "run.failed";

/** Payload POSTed to a run's `callback_url` when it reaches a terminal status. */
export interface WebhookEvent {
  id: string;
  type: WebhookEventType;
  api_version: "2026-06-11";
  /** Unix epoch milliseconds. */
  created_at: number;
  data: {
    run_id: string;
    run_type: "technique";
    workspace_id: string;
    status: "completed" | "failed";
    error_code?: string;
    error_message?: string;
  };
}

/** Media type of a technique's declared input or output. */
export type TechniqueIOType = "imageUrl" | "videoUrl" | "audioUrl" | "text" | "documentUrl";

/** One declared input or output of a technique. */
export interface TechniqueIO {
  id: string;
  name: string;
  type: TechniqueIOType;
  description?: string;
  /** When true, a run may omit this input. */
  optional?: boolean;
  /** When true, a run may give several values for this input. */
  allow_multiple?: boolean;
  accepts_element?: boolean;
  specified_aspect_ratio?: string;
  /** Seconds. */
  specified_duration?: number;
}

/** Body of `GET /techniques/{techniqueId}`, and one item of a technique page. */
export interface Technique {
  technique_id: string;
  name: string;
  description?: string;
  /** Cost per run in USD. */
  run_cost: number;
  inputs: TechniqueIO[];
  outputs: TechniqueIO[];
}

/** Body of `GET /techniques`: one page, and the cursor of the next (null on the last page). */
export interface TechniquePage {
  techniques: Technique[];
  meta: { next_cursor: string | null; total_estimate?: number | null };
}
