import type { RasterInfo } from "./raster-info.ts";

/** The facts the fidelity rule compares. */
export type FidelityFacts = Pick<RasterInfo, "hasPalette" | "nodata" | "hasAlpha" | "hasMask" | "dataType">;

/** What a conversion must not lose: the palette (or class colours become grey indices), nodata
 * (or holes become black/-9999 "data" in the viewer) and the alpha band. Pure; returns problems. */
export function fidelityProblems(input: FidelityFacts, output: FidelityFacts): string[] {
  const problems: string[] = [];
  if (input.hasPalette && !output.hasPalette) problems.push("the colour palette was lost");
  if (input.nodata !== null && !sameNodata(input.nodata, output.nodata)) {
    problems.push(`nodata ${String(input.nodata)} became ${String(output.nodata)}`);
  }
  if (input.hasAlpha && !output.hasAlpha && !output.hasMask) problems.push("the alpha band was lost");
  if (input.dataType !== output.dataType) problems.push(`data type ${input.dataType} became ${output.dataType}`);
  return problems;
}

function sameNodata(a: number | "nan", b: number | "nan" | null): boolean {
  if (b === null) return false;
  if (a === "nan" || b === "nan") return a === b;
  // A relative tolerance of an infinity is infinite: only the same infinity is the same nodata.
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return a === b || Math.abs(a - b) <= Math.abs(a) * 1e-6;
}
