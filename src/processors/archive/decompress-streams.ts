import { createReadStream } from "node:fs";
import { type Readable, Transform, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { execa } from "execa";
import { Decompress } from "fzstd";
import type { Compression } from "./archive-format.ts";
import { holdOutput } from "./chunk-reader.ts";

export interface ByteSource {
  chunks: AsyncIterable<Uint8Array>;
  /** Resolves when the producer finished cleanly; rejects with its error (e.g. a tool's exit code). */
  finish(): Promise<void>;
  /** Stops the producer early (the consumer failed); safe to call twice. */
  stop(): void;
}

function fromStream(stream: Readable, chunks?: AsyncIterable<Uint8Array>): ByteSource {
  return {
    chunks: chunks ?? (stream as AsyncIterable<Uint8Array>),
    finish: () => Promise.resolve(),
    stop: () => void stream.destroy(),
  };
}

/** The file's bytes, reporting how many were read so progress can follow the compressed input. */
function readCounted(path: string, onRead: (n: number) => void): Transform {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onRead(chunk.length);
      cb(null, chunk);
    },
  });
  return pipeline(createReadStream(path, { highWaterMark: 256 * 1024 }), counter, () => {});
}

// Small input slices bound what one push can inflate to (a zstd RLE block turns 4 bytes into 128 KiB),
// so memory stays small even for a bomb; the consumer's budget stops it.
const ZSTD_SLICE = 256;

async function* zstdChunks(input: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    out.push(data);
  });
  for await (const chunk of input) {
    for (let i = 0; i < chunk.length; i += ZSTD_SLICE) {
      decoder.push(chunk.subarray(i, i + ZSTD_SLICE));
      if (out.length > 0) {
        const ready = out;
        out = [];
        yield* ready;
      }
    }
  }
  decoder.push(new Uint8Array(0), true);
  yield* out;
}

/**
 * Decompressed bytes of a gz / xz / zst file. gzip is zlib, zstd is the pure-JS fzstd decoder (Node 20's
 * zlib has no zstd), xz is `7zz -so` because no maintained pure-JS xz decoder streams.
 */
export function decompressFile(path: string, compression: Compression | null, signal: AbortSignal, onRead: (n: number) => void, size = 0): ByteSource {
  if (compression === null) return fromStream(readCounted(path, onRead));
  if (compression === "gz") return fromStream(pipeline(readCounted(path, onRead), createGunzip(), () => {}));
  if (compression === "zst") {
    const raw = readCounted(path, onRead);
    return fromStream(raw, zstdChunks(raw as AsyncIterable<Uint8Array>));
  }
  const child = execa("7zz", ["x", "-so", "-txz", "-bsp2", "-y", "--", path], {
    cancelSignal: signal,
    stdin: "ignore",
    buffer: { stdout: false, stderr: true },
    stripFinalNewline: false,
  });
  holdOutput(child.stdout);
  // 7-Zip reports percent of input on stderr (-bsp2); turn it into input bytes like the other paths.
  let reported = 0;
  child.stderr.on("data", (chunk: Buffer) => {
    const last = [...chunk.toString("latin1").matchAll(/(\d{1,3})%/g)].at(-1)?.[1];
    const bytes = last === undefined ? reported : Math.floor((Number(last) / 100) * size);
    if (bytes > reported) onRead(bytes - reported);
    reported = Math.max(reported, bytes);
  });
  const exited = child.then(() => undefined);
  exited.catch(() => {}); // observed by finish(); a stopped child must not be an unhandled rejection
  return { chunks: child.stdout as AsyncIterable<Uint8Array>, finish: () => exited, stop: () => void child.kill() };
}
