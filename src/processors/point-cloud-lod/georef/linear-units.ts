/** Metres per foot (international) and per US survey foot. */
export const FOOT = 0.3048;
export const US_SURVEY_FOOT = 1200 / 3937;

/** Metres per unit from a unit's name and its stated factor. Names win: files in the wild carry
 * `UNIT["US survey foot",1.0]` and similar slips, and a rounded 0.30480060960 should snap to
 * 1200/3937 exactly. Undefined when neither tells a linear unit. */
export function linearUnitFromName(name: string, factor?: number): number | undefined {
  const n = name.toLowerCase().replace(/[\s_-]+/g, " ");
  if (/(us survey|survey foot|survey feet|foot us|feet us|ftus|us ft|us foot)/.test(n)) return US_SURVEY_FOOT;
  if (/\b(foot|feet|ft)\b/.test(n)) return FOOT;
  if (/\b(metre|meter|m)\b/.test(n)) return 1;
  if (/degree|radian|grad/.test(n)) return undefined;
  if (factor !== undefined && Number.isFinite(factor) && factor > 0) {
    if (Math.abs(factor - US_SURVEY_FOOT) < 1e-9) return US_SURVEY_FOOT;
    return factor;
  }
  return undefined;
}

/** EPSG unit-of-measure codes (GeoTIFF ProjLinearUnits / VerticalUnits keys). */
export function linearUnitFromEpsgUnit(code: number): number | undefined {
  switch (code) {
    case 9001:
      return 1;
    case 9002:
      return FOOT;
    case 9003:
      return US_SURVEY_FOOT;
    case 9036:
      return 1000;
    default:
      return undefined;
  }
}

/** `+units=` / `+to_meter=` of a proj4 string; undefined for geographic (`+proj=longlat`). */
export function linearUnitFromProj4(def: string): number | undefined {
  if (/\+proj=(longlat|latlong|lonlat|latlon)\b/.test(def)) return undefined;
  const toMeter = /\+to_meter=([\d.eE+-]+)/.exec(def);
  if (toMeter?.[1]) return linearUnitFromName("", Number(toMeter[1]));
  const units = /\+units=([\w-]+)/.exec(def)?.[1];
  if (units === "us-ft") return US_SURVEY_FOOT;
  if (units === "ft") return FOOT;
  if (units === "km") return 1000;
  return 1;
}
