import { constants } from "node:fs";
import { access, chmod, copyFile, mkdir, readFile, rename } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Document } from "@gltf-transform/core";
import { AppError } from "../../contracts/app-error.ts";
import { runTool } from "../shared/run-tool.ts";
import type { MissingResource } from "./companion-files.ts";
import { gltfIO } from "./gltf-io.ts";
import { checkInputGltf } from "./gltf-validate.ts";

const require = createRequire(import.meta.url);

/**
 * The FBX2glTF binary the `fbx2gltf` package ships. npm installs it without its execute bit
 * (-rw-r--r--), so when it is not executable it is copied once per version to the temp dir and
 * chmodded there (node_modules may be read-only in an image).
 */
export async function fbx2gltfBinary(): Promise<string> {
  const pkg = require.resolve("fbx2gltf/package.json");
  const version = (require("fbx2gltf/package.json") as { version: string }).version;
  const shipped = join(dirname(pkg), "bin", "Linux", "FBX2glTF");
  if (process.platform !== "linux") throw new AppError("UNSUPPORTED_FORMAT", "binary FBX is read with FBX2glTF, whose Linux binary only this service runs");
  if (
    await access(shipped, constants.X_OK).then(
      () => true,
      () => false,
    )
  )
    return shipped;
  const copy = join(tmpdir(), `vs3d-fbx2gltf-${version}`, "FBX2glTF");
  if (
    await access(copy, constants.X_OK).then(
      () => true,
      () => false,
    )
  )
    return copy;
  await mkdir(dirname(copy), { recursive: true });
  const partial = `${copy}.${process.pid}.partial`;
  await copyFile(shipped, partial);
  await chmod(partial, 0o755);
  await rename(partial, copy); // atomic: concurrent workers never run a half-copied binary
  return copy;
}

/**
 * Binary FBX through Autodesk's SDK (FBX2glTF): it keeps blend shapes and skins valid where
 * assimp's FBX importer writes morph targets with the wrong vertex count. It finds textures beside
 * the FBX; those it cannot find it names in its output, and they are reported.
 */
export async function readWithFbx2gltf(modelPath: string, workDir: string, signal: AbortSignal): Promise<{ doc: Document; missing: MissingResource[] }> {
  const outDir = join(workDir, "fbx2gltf");
  await mkdir(join(outDir, "sdk-temp"), { recursive: true });
  const base = join(outDir, "model");
  const args = ["--binary", "--input", modelPath, "--output", base, "--pbr-metallic-roughness", "--fbx-temp-dir", join(outDir, "sdk-temp")];
  const { stdout, stderr } = await runTool(await fbx2gltfBinary(), args, {
    signal,
    cwd: dirname(modelPath),
    scrubPaths: true,
    rules: [{ when: /Failed to parse FBX|Failed to initialize|Unable to|not a valid/i, code: "INPUT_CORRUPT", message: (_t, tail) => `the FBX file could not be read (FBX2glTF: ${tail})` }],
  });
  const missing: MissingResource[] = [];
  for (const m of `${stdout}\n${stderr}`.matchAll(/could not find a image file for texture: ?(.*)$/gm)) {
    const uri = m[1]!.trim().replace(/\.$/, "");
    missing.push({ kind: "texture", uri: uri === "" ? "(unnamed)" : uri });
  }
  const bytes = new Uint8Array(
    await readFile(`${base}.glb`).catch(() => {
      throw new AppError("INPUT_CORRUPT", "FBX2glTF read the FBX file but wrote no GLB");
    }),
  );
  await checkInputGltf(bytes);
  return { doc: await (await gltfIO()).readBinary(bytes), missing };
}
