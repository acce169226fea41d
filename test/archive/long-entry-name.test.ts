import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { archiveExtractProcessor } from "../../src/processors/archive/archive-extract.processor.ts";
import { runStages } from "../helpers/run-stages.ts";
import { expectAppError, listTree, withSandbox } from "./archive-harness.ts";
import { buildZip } from "./zip-builder.ts";

test("defect 8: a 5 000-character entry name is UNSAFE_ARCHIVE, and no message names a host path", async () => {
  for (const name of ["a".repeat(5000), `dir/${"b".repeat(300)}.txt`, `${"c/".repeat(2100)}x.txt`]) {
    await withSandbox(async (sb) => {
      const zip = join(sb.top, "long.zip");
      await writeFile(
        zip,
        buildZip([
          { name: "ok.txt", data: "fine\n" },
          { name, data: "moo\n" },
        ]),
      );
      const before = await listTree(sb.top);
      const e = await expectAppError(runStages(archiveExtractProcessor, zip, {}, { workDir: sb.workDir, outDir: sb.outDir }), "UNSAFE_ARCHIVE");
      assert.match(e.message, /name too long/);
      assert.ok(!e.message.includes(sb.top) && !e.message.includes("/tmp"), `no host path in: ${e.message.slice(0, 300)}`);
      assert.ok(e.message.length < 400, "the message shows a shortened name");
      assert.deepEqual(
        (await listTree(sb.top)).filter((p) => !before.includes(p) && !p.includes("/out/")),
        [],
        "nothing written beside the output",
      );
    });
  }
});
