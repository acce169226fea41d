/** A stand-in `point_cloud_lod` for the viewer test, loaded through PROCESSOR_MODULES: one `tiles`
 * stage that reads the LAS/LAZ input, builds the small test octree and writes the tileset with the
 * real `writeTileset`, so the service uploads and records a tileset exactly as the real processor's
 * tiles stage does. */
import { z } from "zod";
import { defineProcessor } from "../../src/processors/processor.ts";
import { writeTileset } from "../../src/processors/point-cloud-lod/tiles/write-tileset.ts";
import { fakeOctree, readAll } from "./tiles-fake-octree.ts";

const Params = z.object({ tiles: z.object({ srs_in: z.string().optional() }).default({}) });

export const tilesOnlyProcessor = defineProcessor({
  taskType: "point_cloud_lod",
  params: Params,
  profile: { cpu_percent: 10, ram_gb: 0.5, max_concurrent: 2, timeout_seconds: 120 },
  stages: () => [
    {
      name: "tiles",
      label: "3D Tiles",
      async run(input, ctx) {
        const { header, points } = await readAll(input.filePath);
        const octree = fakeOctree(header, points, { maxPerNode: 4000, cells: 16 });
        const result = await writeTileset(octree, input.outDir, { srsIn: input.params.tiles.srs_in }, ctx);
        return { outputs: result.outputs };
      },
    },
  ],
});

export const processors = [tilesOnlyProcessor];
