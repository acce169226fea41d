// Runs image_ocr once on the file given; prints the recognised text. Spawned by ocr-offline.test.ts.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { imageOcrProcessor } from "../../src/processors/image-ops/ocr/image-ocr.processor.ts";
import { runStages } from "../helpers/run-stages.ts";

// The guard is in force here (a refused call throws synchronously); it is not logged as an attempt.
let guarded = false;
try {
  void fetch("guard-check");
} catch {
  guarded = true;
}
if (!guarded) throw new Error("the no-network preload is not active");
const r = await runStages(imageOcrProcessor, process.argv[2]!, {});
process.stdout.write(`${(JSON.parse(await readFile(join(r.outDir, "ocr.json"), "utf8")) as { text: string }).text}\n`);
await r.cleanup();
