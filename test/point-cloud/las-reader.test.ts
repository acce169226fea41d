import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readFile } from "node:fs/promises";
import { parseLasHeader } from "../../src/processors/point-cloud/las/las-header.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { decodeChunkTable } from "../../src/processors/point-cloud/lazperf/laz-chunk-table.ts";
import { collect } from "./collect.ts";
import { pc } from "./pc-test-utils.ts";

void describe("LAS/LAZ/COPC readers", () => {
  void it("reads LAS 1.2 format 3 with colour, header and chunking", async () => {
    const src = await openLasSource(pc("laspy_simple.las"), { chunkSize: 500 });
    assert.equal(src.header.pointCount, 1065);
    assert.equal(src.header.las?.pointFormat, 3);
    const pts = await collect(src);
    assert.equal(pts.count, 1065);
    assert.equal(pts.chunks, 3);
    const b = src.header.bounds!;
    assert.ok(
      pts.x.every((x) => x >= b.min[0] - 1e-6 && x <= b.max[0] + 1e-6),
      "points lie inside the header bounds",
    );
    assert.ok(
      pts.red.some((r) => r > 0),
      "colour read",
    );
  });

  void it("reads LAS 1.4 format 7", async () => {
    const src = await openLasSource(pc("laspy_simple1_4.las"));
    assert.equal(src.header.las?.version, "1.4");
    assert.equal(src.header.las?.pointFormat, 7);
    assert.equal((await collect(src)).count, 22600);
  });

  void it("reads LAZ through laz-perf: autzen 110 000 points", async () => {
    const src = await openLasSource(pc("laspy_autzen_trim.laz"));
    assert.equal(src.header.sourceFormat, "laz");
    const pts = await collect(src);
    assert.equal(pts.count, 110000);
    const b = src.header.bounds!;
    assert.ok(pts.z.every((z) => z >= b.min[2] - 1e-6 && z <= b.max[2] + 1e-6));
  });

  void it("reads COPC (LAZ 1.4 with variable chunks) and LAZ 1.4 with EVLRs", async () => {
    const copc = await openLasSource(pc("laspy_simple.copc.laz"));
    assert.equal(copc.header.sourceFormat, "copc");
    assert.equal((await collect(copc)).count, 1065);
    const evlr = await openLasSource(pc("laspy_1_4_w_evlr.laz"));
    assert.equal((await collect(evlr)).count, 1000);
  });

  void it("decodes the LAZ chunk table: chunks tile the point data, COPC chunk counts add up", async () => {
    for (const [name, variable, chunks, points] of [
      ["laspy_autzen_trim.laz", false, 3, undefined],
      ["laspy_simple.copc.laz", true, 65, 1065],
    ] as const) {
      const b = new Uint8Array(await readFile(pc(name)));
      const h = parseLasHeader(b);
      const tableAt = Number(new DataView(b.buffer).getBigInt64(h.offsetToPointData, true));
      const table = decodeChunkTable(b.subarray(tableAt), h.offsetToPointData + 8, variable);
      assert.equal(table.length, chunks, name);
      assert.equal(
        table.reduce((n, c) => n + c.byteLength, 0),
        tableAt - h.offsetToPointData - 8,
        `${name}: chunk sizes fill the data`,
      );
      if (points !== undefined)
        assert.equal(
          table.reduce((n, c) => n + (c.points ?? 0), 0),
          points,
        );
    }
  });
});
