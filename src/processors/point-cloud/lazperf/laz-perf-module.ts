import { createLazPerf, type LazPerf } from "laz-perf";

let instance: Promise<LazPerf> | undefined;

const CRASH_EVENTS = ["uncaughtException", "unhandledRejection"] as const;
type Listener = (...args: unknown[]) => void;
const listenersOf = (event: string) => process.listeners(event as "uncaughtException") as Listener[];

/** One WASM instance per process: instantiating costs ~20 ms and its heap is reused. Emscripten
 * installs process-wide crash handlers that would turn any stray rejection in the host (inline
 * workers share it) into an exit with the WASM source dumped; they are removed again here. */
export function lazPerf(): Promise<LazPerf> {
  instance ??= (async () => {
    const before = new Map(CRASH_EVENTS.map((e) => [e, new Set(listenersOf(e))]));
    const module = await createLazPerf();
    for (const event of CRASH_EVENTS) {
      for (const listener of listenersOf(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
    return module;
  })();
  return instance;
}
