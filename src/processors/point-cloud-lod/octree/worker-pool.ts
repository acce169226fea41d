import type { Worker } from "node:worker_threads";
import { startTypeScriptWorker } from "../../shared/typescript-worker.ts";
import type { IndexedNodeMeta, IndexJob } from "./index-worker.ts";

const WORKER_URL = new URL("./index-worker.ts", import.meta.url);

/** Runs index jobs on `threads` worker threads (largest first is the caller's choice of order);
 * results come back in job order. The first failure stops the pool. */
export async function runIndexJobs(jobs: readonly IndexJob[], threads: number, signal: AbortSignal, onDone: (job: IndexJob) => void): Promise<IndexedNodeMeta[][]> {
  const results: IndexedNodeMeta[][] = new Array<IndexedNodeMeta[]>(jobs.length);
  let next = 0;
  const workers: Worker[] = [];
  const runOne = async (): Promise<void> => {
    const worker = startTypeScriptWorker(WORKER_URL);
    workers.push(worker);
    try {
      while (next < jobs.length) {
        signal.throwIfAborted();
        const i = next++;
        const job = jobs[i]!;
        results[i] = await new Promise<IndexedNodeMeta[]>((resolve, reject) => {
          const onError = (e: Error) => reject(e);
          const onExit = (code: number) => reject(new Error(`index worker exited with code ${code}`));
          worker.once("error", onError);
          worker.once("exit", onExit);
          worker.once("message", (m: { ok: true; nodes: IndexedNodeMeta[] } | { ok: false; message: string }) => {
            worker.off("error", onError);
            worker.off("exit", onExit);
            if (m.ok) resolve(m.nodes);
            else reject(new Error(m.message));
          });
          worker.postMessage(job);
        });
        onDone(job);
      }
    } finally {
      await worker.terminate();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(threads, jobs.length)) }, runOne));
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  return results;
}
