/** Unref'd timers that can all be cancelled at once, so close() never leaves one behind. */
export class TimerRegistry {
  readonly #timers = new Set<NodeJS.Timeout>();

  /** Runs `callback` once after `delayMs`, without keeping the process alive. */
  setTimeout(callback: () => void, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        callback();
      },
      Math.max(0, delayMs),
    );
    timer.unref();
    this.#timers.add(timer);
    return timer;
  }

  /** Runs `callback` every `intervalMs`, without keeping the process alive. */
  setInterval(callback: () => void, intervalMs: number): NodeJS.Timeout {
    const timer = setInterval(callback, intervalMs);
    timer.unref();
    this.#timers.add(timer);
    return timer;
  }

  clear(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  clearAll(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
