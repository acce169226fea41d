import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppError } from "../../../src/contracts/app-error.ts";
import { createLazFileWriter } from "../../../src/processors/point-cloud/laz/laz-file-writer.ts";
import { decodeWithLazPerf } from "./laz-perf-reader.ts";
import { lasHeader } from "./las-fixtures.ts";
import { withCount } from "./laz-roundtrip.ts";
import { syntheticRecords } from "./synthetic-points.ts";

const dir = mkdtempSync(join(tmpdir(), "vs3d-laz-writer-"));
const isCode = (code: string) => (error: unknown) => error instanceof AppError && error.code === code;

void describe("createLazFileWriter: header and bad input", () => {
  void it("keeps the template's VLRs and padding, appends the laszip VLR and flags the format as compressed", async () => {
    const template = withVlrAndPadding(lasHeader(1, 28, 0));
    const records = syntheticRecords(1, 28, 1000);
    const path = join(dir, "header.laz");
    const writer = await createLazFileWriter(path, { headerTemplate: template, pointFormat: 1, recordLength: 28 });
    await writer.write(records);
    await writer.close(withCount(template, 1000));
    const file = new Uint8Array(readFileSync(path));
    const v = new DataView(file.buffer);
    const vlrEnd = 227 + 54 + 8;
    assert.equal(file[104], 1 | 0x80);
    assert.equal(v.getUint32(100, true), 2);
    assert.equal(v.getUint32(96, true), template.length + 54 + 34 + 6 * 2);
    assert.deepEqual(file.subarray(227, vlrEnd), template.subarray(227, vlrEnd));
    assert.equal(new TextDecoder().decode(file.subarray(vlrEnd + 2, vlrEnd + 16)), "laszip encoded");
    assert.equal(v.getUint16(vlrEnd + 18, true), 22204);
    assert.deepEqual(file.subarray(vlrEnd + 54 + 46, v.getUint32(96, true)), template.subarray(vlrEnd)); // the padding
    assert.deepEqual((await decodeWithLazPerf(file)).records, records);
  });

  void it("rejects unsupported formats, short records, partial records and a resized final header", async () => {
    const header = lasHeader(3, 34, 0);
    await assert.rejects(createLazFileWriter(join(dir, "a.laz"), { headerTemplate: header, pointFormat: 5 as 3, recordLength: 63 }), isCode("UNSUPPORTED_FORMAT"));
    await assert.rejects(createLazFileWriter(join(dir, "b.laz"), { headerTemplate: header, pointFormat: 3, recordLength: 30 }), isCode("INVALID_PARAMS"));
    await assert.rejects(createLazFileWriter(join(dir, "c.laz"), { headerTemplate: header.subarray(0, 200), pointFormat: 3, recordLength: 34 }), isCode("INVALID_PARAMS"));
    const writer = await createLazFileWriter(join(dir, "d.laz"), { headerTemplate: header, pointFormat: 3, recordLength: 34 });
    await assert.rejects(writer.write(new Uint8Array(35)), isCode("INVALID_PARAMS"));
    await assert.rejects(writer.close(new Uint8Array(300)), isCode("INVALID_PARAMS"));
    await assert.rejects(writer.write(new Uint8Array(34)), isCode("INTERNAL"));
  });
});

/** The header plus one 8-byte VLR and 3 bytes of user padding before the points. */
function withVlrAndPadding(header: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + 54 + 8 + 3);
  out.set(header);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode("vs3d-test"), header.length + 2);
  v.setUint16(header.length + 18, 4242, true);
  v.setUint16(header.length + 20, 8, true);
  out.set([1, 2, 3, 4, 5, 6, 7, 8], header.length + 54);
  out.set([0xaa, 0xbb, 0xcc], header.length + 62);
  v.setUint32(96, out.length, true);
  v.setUint32(100, 1, true);
  return out;
}
