import { createRequire } from "node:module";
import { Logger, NodeIO } from "@gltf-transform/core";
import { ALL_EXTENSIONS } from "@gltf-transform/extensions";
import { MeshoptDecoder, MeshoptEncoder } from "meshoptimizer";

const require = createRequire(import.meta.url);

interface DracoModules {
  createDecoderModule(): Promise<unknown>;
  createEncoderModule(): Promise<unknown>;
}

let io: Promise<NodeIO> | null = null;

/** glTF-Transform logs every prune to the console; the worker's log is for the task's own lines. */
export const QUIET = new Logger(Logger.Verbosity.ERROR);

/** One NodeIO per process with every extension glTF-Transform knows, and the Draco (draco3dgltf)
 * and meshopt codecs, so Draco- and meshopt-compressed GLBs read and can be written. */
export function gltfIO(): Promise<NodeIO> {
  io ??= (async () => {
    const draco = require("draco3dgltf") as DracoModules;
    await Promise.all([MeshoptDecoder.ready, MeshoptEncoder.ready]);
    return new NodeIO()
      .setLogger(QUIET)
      .registerExtensions(ALL_EXTENSIONS)
      .registerDependencies({
        "draco3d.decoder": await draco.createDecoderModule(),
        "draco3d.encoder": await draco.createEncoderModule(),
        "meshopt.decoder": MeshoptDecoder,
        "meshopt.encoder": MeshoptEncoder,
      });
  })();
  return io;
}
