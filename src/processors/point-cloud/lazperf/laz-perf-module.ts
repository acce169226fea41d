import { createLazPerf, type LazPerf } from "laz-perf";

let instance: Promise<LazPerf> | undefined;

/** One WASM instance per process: instantiating costs ~20 ms and its heap is reused. */
export function lazPerf(): Promise<LazPerf> {
  instance ??= createLazPerf();
  return instance;
}
