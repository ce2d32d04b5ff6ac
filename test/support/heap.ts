// Heap measurement for leak tests: V8's gc() without starting the test worker with --expose-gc.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Bytes of heap in use once garbage is gone: the least of several full collections, each after a turn of the
 * event loop so that closed sockets, timers and finalizers let go of what they held.
 */
export async function usedAfterGc(): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}
