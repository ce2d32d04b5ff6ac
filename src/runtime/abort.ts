// One "abort" listener per signal, however many calls share it: Node warns past 10 listeners on one signal, and an
// app that passes one AbortController's signal to many concurrent calls is doing nothing wrong.

interface Link {
  callbacks: Set<() => void>;
  listener: () => void;
}

const links = new WeakMap<AbortSignal, Link>();
const noop = () => undefined;

/**
 * Calls `callback` once when `signal` aborts. Returns the unlink, which the caller must call when done; the last
 * unlink removes the signal's one listener, so nothing is left on a long-lived signal.
 */
export function onAbort(signal: AbortSignal | undefined, callback: () => void): () => void {
  if (!signal) return noop;
  let link = links.get(signal);
  if (!link) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      links.delete(signal);
      for (const each of [...callbacks]) each();
      callbacks.clear();
    };
    link = { callbacks, listener };
    links.set(signal, link);
    signal.addEventListener("abort", listener, { once: true });
  }
  const { callbacks, listener } = link;
  // a callback of its own, so linking the same function twice is two links
  const entry = () => callback();
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    signal.removeEventListener("abort", listener);
    if (links.get(signal) === link) links.delete(signal);
  };
}
