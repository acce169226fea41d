import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";

/** Class values of the generated land-cover raster: averaging any two of them gives a value that is
 * not a class (5, 15, 25), so blended overviews are easy to detect. */
export const CLASSES = [0, 10, 20, 30];

/** Writes a stripped, georeferenced 1200x900 Byte GeoTIFF with a colour table: an ASCII grid of
 * class ids (boundaries every 7 and 5 px, so 2x2 overview windows straddle them) wrapped in a VRT
 * that adds the palette, then translated by GDAL. */
export async function makePalettedGeoTiff(dir: string, width = 1200, height = 900): Promise<string> {
  const rows: string[] = [];
  for (let y = 0; y < height; y++) {
    const row = new Array<number>(width);
    for (let x = 0; x < width; x++) row[x] = CLASSES[(Math.floor(x / 7) + Math.floor(y / 5)) % CLASSES.length]!;
    rows.push(row.join(" "));
  }
  await writeFile(join(dir, "classes.asc"), `ncols ${width}\nnrows ${height}\nxllcorner 500000\nyllcorner 5000000\ncellsize 10\n${rows.join("\n")}\n`);
  const entries = Array.from({ length: 31 }, (_, i) => {
    const colour = i === 0 ? [20, 120, 20] : i === 10 ? [200, 180, 60] : i === 20 ? [30, 60, 200] : i === 30 ? [220, 30, 30] : [128, 128, 128];
    return `<Entry c1="${colour[0]}" c2="${colour[1]}" c3="${colour[2]}" c4="255"/>`;
  });
  const vrt = `<VRTDataset rasterXSize="${width}" rasterYSize="${height}">
  <VRTRasterBand dataType="Byte" band="1">
    <ColorInterp>Palette</ColorInterp>
    <ColorTable>${entries.join("")}</ColorTable>
    <SimpleSource><SourceFilename relativeToVRT="1">classes.asc</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
  </VRTRasterBand>
</VRTDataset>`;
  await writeFile(join(dir, "classes.vrt"), vrt);
  const out = join(dir, "landcover_paletted.tif");
  await execa("gdal_translate", ["-q", "-of", "GTiff", "-a_srs", "EPSG:32633", join(dir, "classes.vrt"), out]);
  return out;
}

/** Pixel values present in band 1 of a raster or one of its overviews (from GDAL's histogram). */
export async function valuesPresent(path: string, overviewLevel?: number): Promise<number[]> {
  const args = ["-json", "-hist", ...(overviewLevel === undefined ? [] : ["-oo", `OVERVIEW_LEVEL=${overviewLevel}`]), path];
  const { stdout } = await execa("gdalinfo", args, { env: { GDAL_PAM_ENABLED: "NO" } });
  const band = (JSON.parse(stdout) as { bands: { histogram: { min: number; max: number; buckets: number[] } }[] }).bands[0]!;
  const { min, max, buckets } = band.histogram;
  const width = (max - min) / buckets.length;
  return buckets.flatMap((count, i) => (count > 0 ? [Math.round(min + (i + 0.5) * width)] : []));
}
