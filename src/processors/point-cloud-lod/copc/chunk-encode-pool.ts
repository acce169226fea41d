import { AppError } from "../../../contracts/app-error.ts";
import { startTypeScriptWorker } from "../../shared/typescript-worker.ts";
import { createChunkEncoder } from "../../point-cloud/laz/chunk-encoder.ts";
import type { LazPointFormat } from "../../point-cloud/laz/point-formats.ts";
import type { EncodeReply, EncodeRequest } from "./chunk-encode-worker.ts";

const WORKER_URL = new URL("./chunk-encode-worker.ts", import.meta.url);

/** Compresses LAZ chunks, on worker threads when `threads` > 0 (in submission order or not; each
 * promise is its own chunk's), else inline. `close()` ends the workers. */
export interface ChunkEncodePool {
  /** `records` is transferred to a worker: the caller must not use it afterwards. */
  encode(records: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

export function createChunkEncodePool(format: LazPointFormat, recordLength: number, threads: number): ChunkEncodePool {
  if (threads <= 0) {
    const encoder = createChunkEncoder(format, recordLength);
    return { encode: (records) => Promise.resolve(encoder.encodeChunk(records).slice()), close: () => Promise.resolve() };
  }
  const pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; worker: number }>();
  const load: number[] = [];
  let failure: Error | undefined;
  const fail = (error: Error): void => {
    failure ??= error;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const workers = Array.from({ length: threads }, (_, w) => {
    const worker = startTypeScriptWorker(WORKER_URL);
    load.push(0);
    worker.on("message", (m: EncodeReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      load[w]!--;
      if (m.ok) p.resolve(m.bytes);
      else p.reject(new AppError("INTERNAL", `LAZ chunk encoding failed: ${m.message}`, { stage: "copc" }));
    });
    worker.on("error", (e: Error) => fail(new AppError("INTERNAL", `LAZ chunk encode worker failed: ${e.message}`, { stage: "copc", cause: e })));
    worker.on("exit", (code) => {
      if (pending.size > 0) fail(new AppError("INTERNAL", `LAZ chunk encode worker exited (code ${code}) with chunks in flight`, { stage: "copc" }));
    });
    worker.postMessage({ type: "init", format, recordLength } satisfies EncodeRequest);
    return worker;
  });
  let nextId = 0;
  return {
    encode(records) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      let w = 0;
      for (let i = 1; i < load.length; i++) if (load[i]! < load[w]!) w = i;
      load[w]!++;
      return new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: w });
        const bytes = records.byteOffset === 0 && records.byteLength === records.buffer.byteLength ? records : records.slice();
        workers[w]!.postMessage({ type: "chunk", id, records: bytes } satisfies EncodeRequest, [bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      pending.clear();
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
