import { open, rm } from "node:fs/promises";
import { AppError } from "../../contracts/app-error.ts";

/** A file written front to back whose header may be patched in place once the end is known.
 * abort() leaves nothing behind, so a failed conversion uploads no half-written file. */
export interface SequentialFile {
  append(bytes: Uint8Array): Promise<void>;
  /** Overwrites bytes already written (a header field), without moving the append position. */
  patch(bytes: Uint8Array, at: number): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export async function openSequentialFile(path: string): Promise<SequentialFile> {
  const fh = await open(path, "w");
  let position = 0;
  return {
    async append(bytes) {
      await fh.write(bytes, 0, bytes.byteLength, position);
      position += bytes.byteLength;
    },
    async patch(bytes, at) {
      await fh.write(bytes, 0, bytes.byteLength, at);
    },
    close: () => fh.close(),
    async abort() {
      await fh.close().catch(() => undefined);
      await rm(path, { force: true });
    },
  };
}

/** Digits kept for a point count not known up front: enough for any file this service writes. */
const COUNT_WIDTH = 12;

/** The point count as a text header states it: the count the source announced, else a zero-padded
 * slot of fixed width that `closeWithPointCount` fills in. */
export function pointCountText(announced: number | undefined): string {
  return announced !== undefined ? String(announced) : "0".repeat(COUNT_WIDTH);
}

/** Closes a text point file whose header holds `pointCountText(announced)` at byte `at`: fills the
 * slot with the delivered count, or fails when the source delivered other than it announced. */
export async function closeWithPointCount(file: SequentialFile, announced: number | undefined, delivered: number, at: number): Promise<void> {
  if (announced === undefined) {
    await file.patch(new TextEncoder().encode(String(delivered).padStart(COUNT_WIDTH, "0")), at);
  } else if (announced !== delivered) {
    await file.close();
    throw new AppError("INPUT_CORRUPT", `The source announced ${announced} points but delivered ${delivered}`);
  }
  await file.close();
}
