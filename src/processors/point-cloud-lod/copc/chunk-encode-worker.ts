import { parentPort } from "node:worker_threads";
import { createChunkEncoder, type ChunkEncoder } from "../../point-cloud/laz/chunk-encoder.ts";
import type { LazPointFormat } from "../../point-cloud/laz/point-formats.ts";

/** Worker side of the chunk encode pool: raw LAS records in, one compressed LAZ chunk out. */
export type EncodeRequest = { type: "init"; format: LazPointFormat; recordLength: number } | { type: "chunk"; id: number; records: Uint8Array };
export type EncodeReply = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; message: string };

let encoder: ChunkEncoder | undefined;
parentPort?.on("message", (m: EncodeRequest) => {
  if (m.type === "init") {
    encoder = createChunkEncoder(m.format, m.recordLength);
    return;
  }
  try {
    if (!encoder) throw new Error("chunk encode worker: chunk before init");
    const bytes = encoder.encodeChunk(m.records).slice();
    parentPort!.postMessage({ id: m.id, ok: true, bytes } satisfies EncodeReply, [bytes.buffer]);
  } catch (error) {
    parentPort!.postMessage({ id: m.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies EncodeReply);
  }
});
