/** Parses GDAL's terminal progress ("0...10...20...30...40...50...60...70...80...90...100 - done.")
 * as it arrives in arbitrary chunks. Each number is a 10 % mark and each dot between marks 2.5 %. */
export function parseGdalProgress(text: string): number | null {
  const marks = [...text.matchAll(/(\d{1,3})(\.*)/g)];
  const last = marks.at(-1);
  if (!last) return null;
  const value = Number(last[1]);
  if (value > 100 || value % 10 !== 0) return null;
  return Math.min(100, value + 2.5 * Math.min(3, last[2]?.length ?? 0));
}

/** Feeds chunks of a tool's stdout and calls `onPercent` whenever the percentage moves forward.
 * Only the tail of the output is kept: a progress line is all that matters. */
export function gdalProgressListener(onPercent: (percent: number) => void): (chunk: string) => void {
  let line = "";
  let lastPercent = -1;
  return (chunk) => {
    // Other lines share stdout ("Input file size is 6000, 6000"): a line counts only when it is made
    // of the progress alphabet from its start.
    const lines = (line + chunk).split("\n");
    line = (lines.at(-1) ?? "").slice(-256);
    for (const candidate of lines) {
      const text = candidate.replace(/\s*-\s*done\.?\s*$/, "");
      if (!/^0[\d.]*$/.test(text)) continue;
      const percent = parseGdalProgress(text);
      if (percent !== null && percent > lastPercent) {
        lastPercent = percent;
        onPercent(percent);
      }
    }
  };
}
