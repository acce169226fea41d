import { rm } from "node:fs/promises";
import { createLazFileWriter } from "../laz/laz-file-writer.ts";
import { openSequentialFile } from "../point-file.ts";

/** Where encoded LAS records go: a plain LAS file or the LAZ compressor (../laz). Both take the header block
 * + VLRs up front as a template (counts may be placeholders) and the final one on close. */
export interface RecordSink {
  write(records: Uint8Array): Promise<void>;
  close(finalHeader: Uint8Array): Promise<void>;
  abort(): Promise<void>;
}

export interface RecordSinkOptions {
  headerTemplate: Uint8Array;
  pointFormat: number;
  recordLength: number;
  compress: boolean;
}

export async function openRecordSink(path: string, o: RecordSinkOptions): Promise<RecordSink> {
  return o.compress ? openLazSink(path, o) : openPlainSink(path, o.headerTemplate);
}

async function openPlainSink(path: string, template: Uint8Array): Promise<RecordSink> {
  const file = await openSequentialFile(path);
  await file.append(template);
  return {
    write: (records) => file.append(records),
    async close(finalHeader) {
      await file.patch(finalHeader, 0);
      await file.close();
    },
    abort: () => file.abort(),
  };
}

async function openLazSink(path: string, o: RecordSinkOptions): Promise<RecordSink> {
  const writer = await createLazFileWriter(path, {
    headerTemplate: o.headerTemplate,
    pointFormat: o.pointFormat as 0 | 1 | 2 | 3 | 6 | 7 | 8,
    recordLength: o.recordLength,
  });
  return {
    write: (records) => writer.write(records),
    close: (finalHeader) => writer.close(finalHeader),
    async abort() {
      await writer.close(new Uint8Array(o.headerTemplate)).catch(() => undefined);
      await rm(path, { force: true });
    },
  };
}
