import { execa } from "execa";

export const WKT_FROM_EPSG_DEFAULTS = {
  /** gdalsrsinfo normally answers in ~100 ms. Default: 15 000 ms. */
  timeoutMs: 15_000,
};

/** LAS 1.4 formats 6–10 must carry the CRS as OGC WKT, but many LAS 1.2 files only have GeoTIFF
 * keys: ask GDAL for the WKT of their EPSG code. Undefined when GDAL is missing or does not know it. */
export async function wktFromEpsg(epsg: number, signal?: AbortSignal, options = WKT_FROM_EPSG_DEFAULTS): Promise<string | undefined> {
  try {
    const { stdout } = await execa("gdalsrsinfo", ["-o", "wkt1", `EPSG:${epsg}`], {
      timeout: options.timeoutMs,
      ...(signal ? { cancelSignal: signal } : {}),
    });
    const wkt = stdout.trim().replace(/\n\s*/g, "");
    return wkt.startsWith("PROJCS[") || wkt.startsWith("GEOGCS[") || wkt.startsWith("COMPD_CS[") ? wkt : undefined;
  } catch {
    return undefined;
  }
}
