// The command line's own error: a usage problem (bad or missing flag, unreadable --body), exit code 2.

/** Bad or missing arguments: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Exit codes: 0 success, 1 an API (or transport) error, 2 usage, 130 interrupted (Ctrl-C). */
export const EXIT = { ok: 0, apiError: 1, usage: 2, interrupted: 130 } as const;
