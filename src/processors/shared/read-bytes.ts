import { open, type FileHandle } from "node:fs/promises";

/** Up to `length` bytes of an open file from `position`; fewer where the file ends first. */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The first `length` bytes of a file (all of it when shorter): what format sniffing reads. */
export async function readHead(path: string, length: number): Promise<Uint8Array> {
  const fh = await open(path, "r");
  try {
    return await readAt(fh, 0, length);
  } finally {
    await fh.close();
  }
}
