import { randomUUID } from "node:crypto";
import { fixture } from "../helpers/fixtures.ts";
import type { ChaosStack } from "./chaos-stack.ts";
import type { Rng } from "./seeded-rng.ts";

export interface ChaosTask {
  kind: string;
  taskType: string;
  message: Record<string, unknown> & { task_id: string };
}

/** The inputs every tenant of the run shares (uploaded once per tenant prefix). */
const INPUTS = {
  photo: fixture("images", "recurser_Landscape_3.jpg"),
  zip: fixture("archives", "filetype_fixture.zip"),
  raster: fixture("geotiff", "riocogeo_image_2000px.tif"),
  cloud: fixture("pointcloud", "laspy_autzen_trim.laz"),
};

export async function uploadInputs(stack: ChaosStack, tenant: string): Promise<void> {
  const base = `tenants/${tenant}/files/`;
  await stack.storage.upload("in", `${base}photo.jpg`, INPUTS.photo);
  await stack.storage.upload("in", `${base}bundle.zip`, INPUTS.zip);
  await stack.storage.upload("in", `${base}raster.tif`, INPUTS.raster);
  await stack.storage.upload("in", `${base}cloud.laz`, INPUTS.cloud);
  await stack.storage.upload("in", `${base}set/photo.jpg`, INPUTS.photo);
  await stack.storage.upload("in", `${base}set/raster.tif`, INPUTS.raster);
}

/** One task of the mixed workload: thumbnails (several stages), an archive extract or compress, a
 * COG (four stages, the later ones reading the earlier ones' outputs) or a point cloud conversion. */
export function mixedTask(stack: ChaosStack, tenant: string, rng: Rng): ChaosTask {
  const kinds = ["thumbnails", "thumbnails", "archive_extract", "archive_compress", "cog", "point_cloud"] as const;
  const kind = kinds[rng.int(kinds.length)]!;
  const id = randomUUID();
  const files = `tenants/${tenant}/files/`;
  const common = {
    task_id: id,
    tenant_id: tenant,
    file_id: randomUUID(),
    priority: 5,
    submitted_at: new Date().toISOString(),
    destination: { bucket: "out", base_key: `tenants/${tenant}/processed/${id}/` },
    webhook: { callback_queue: stack.platform.callbackQueue },
    retry: { attempt: 1, max_attempts: 3 },
  };
  const make = (taskType: string, key: string, params: Record<string, unknown>): ChaosTask => ({ kind, taskType, message: { ...common, task_type: taskType, source: { bucket: "in", key }, params } });
  switch (kind) {
    case "thumbnails":
      return make("image_thumbnail", `${files}photo.jpg`, { sizes: [64, 128, 256, 512], format: "webp" });
    case "archive_extract":
      return make("archive_extract", `${files}bundle.zip`, {});
    case "archive_compress":
      return make("archive_compress", `${files}set/photo.jpg`, { format: "zip", source_prefix: `${files}set/` });
    case "cog":
      return make("geotiff_cog", `${files}raster.tif`, {});
    case "point_cloud":
      return make("point_cloud_convert", `${files}cloud.laz`, { output_format: "las" });
  }
}
