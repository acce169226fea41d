import type { FileHandle } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import type { LasPreamble } from "../las/las-preamble.ts";
import { readAt } from "../../shared/read-bytes.ts";
import { decodeChunkTable, type LazChunk } from "./laz-chunk-table.ts";

export interface LazChunkIndex {
  chunks: (LazChunk & { points: number })[];
  largestChunkBytes: number;
}

/** Where each compressed chunk lies and how many points it holds, checked against the file:
 * chunks must tile the space between the point data and the table, and hold the header's count. */
export async function readLazChunkIndex(fh: FileHandle, pre: LasPreamble): Promise<LazChunkIndex> {
  const { las, fileSize } = pre;
  const laszip = pre.vlrs.find((v) => v.userId === "laszip encoded" && v.recordId === 22204);
  if (!laszip || laszip.data.byteLength < 16) throw new AppError("INPUT_CORRUPT", "LAZ file has no laszip VLR");
  const chunkSize = new DataView(laszip.data.buffer, laszip.data.byteOffset).getUint32(12, true);
  const variable = chunkSize === 0xffffffff;
  const first = las.offsetToPointData + 8;
  let tableAt = Number(new DataView((await readAt(fh, las.offsetToPointData, 8)).buffer).getBigInt64(0, true));
  // LASzip writers that cannot seek store −1 here and the table offset in the file's last 8 bytes.
  if (tableAt === -1) tableAt = Number(new DataView((await readAt(fh, fileSize - 8, 8)).buffer).getBigInt64(0, true));
  if (tableAt < first || tableAt + 8 > fileSize) {
    throw new AppError("INPUT_CORRUPT", `LAZ chunk table offset ${tableAt} lies outside the file (${fileSize} bytes): truncated file`);
  }
  const head = await readAt(fh, tableAt, 8);
  const count = new DataView(head.buffer).getUint32(4, true);
  // Each coded entry takes a few bytes; this bound keeps a lying count from reading the whole file.
  const table = await readAt(fh, tableAt, Math.min(fileSize - tableAt, 64 + count * 24));
  const decoded = decodeChunkTable(table, first, variable);
  const total = decoded.reduce((n, c) => n + c.byteLength, 0);
  if (total !== tableAt - first || decoded.some((c) => c.byteLength <= 0)) {
    throw new AppError("INPUT_CORRUPT", `LAZ chunk table does not match the data (${total} bytes in chunks, ${tableAt - first} in the file)`);
  }
  let left = las.pointCount;
  const chunks = decoded.map((c) => {
    const points = variable ? (c.points ?? 0) : Math.min(chunkSize, left);
    left -= points;
    return { ...c, points };
  });
  const held = variable ? chunks.reduce((n, c) => n + c.points, 0) : count * chunkSize;
  if (held < las.pointCount) {
    throw new AppError("INPUT_CORRUPT", `LAZ header announces ${las.pointCount} points but its ${count} chunks hold at most ${held}`, {
      details: { pointCount: las.pointCount, chunks: count },
    });
  }
  return { chunks, largestChunkBytes: Math.max(0, ...chunks.map((c) => c.byteLength)) };
}
