// Levelled logging that can never print a secret.

export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Anything with console-like methods; `console` itself fits. */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === "string" && value in LEVEL_RANK;
}

/** A logger that drops lines below `level` and replaces every secret with `[redacted]`. */
export function createLogger(level: LogLevel, sink: Logger, secrets: readonly string[]): Logger {
  const write = (method: Exclude<LogLevel, "off">) => (message: string) => {
    if (LEVEL_RANK[method] <= LEVEL_RANK[level]) sink[method](redactSecrets(`[flora] ${message}`, secrets));
  };
  return { error: write("error"), warn: write("warn"), info: write("info"), debug: write("debug") };
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join("[redacted]");
  return result;
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
