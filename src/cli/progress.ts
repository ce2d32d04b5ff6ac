// A long operation's progress on stderr, so stdout keeps only the result: cli-progress's bar on a terminal,
// one plain line per change otherwise (a log, a pipe, CI).
import { loadCliProgress } from "./libraries.js";
import type { ProgressReporter } from "./types.js";

/** `stream` is where progress goes (stderr); `write` prints a plain line with secrets masked. */
export async function startProgress(
  stream: NodeJS.WriteStream,
  write: (line: string) => void,
): Promise<ProgressReporter> {
  if (stream.isTTY !== true) {
    let last = "";
    return {
      update(fraction, label) {
        const line = `${label} ${Math.round(clamp(fraction) * 100)}%`;
        if (line !== last) write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const { SingleBar, Presets } = await loadCliProgress();
  const bar = new SingleBar(
    { stream, format: "{bar} {percentage}% | {label}", hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(fraction, label) {
      const value = Math.round(clamp(fraction) * 100);
      if (!started) bar.start(100, value, { label });
      else bar.update(value, { label });
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

const clamp = (fraction: number) => (Number.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0);
