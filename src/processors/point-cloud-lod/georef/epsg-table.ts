/** proj4 definitions of the EPSG codes aerial and terrestrial scans most often carry. proj4 itself
 * knows only 4326, 4269 and 3857; UTM zones are generated. Anything else is asked of GDAL
 * (`resolve-crs.ts`) or comes from the file's WKT. */
const TABLE: Record<number, string> = {
  4326: "+proj=longlat +datum=WGS84 +no_defs",
  4269: "+proj=longlat +datum=NAD83 +no_defs",
  4258: "+proj=longlat +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +no_defs",
  3857: "+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +no_defs",
  // Oregon GIC Lambert (autzen and most Oregon LiDAR): NAD83 and NAD83(HARN), metres and feet.
  2991: "+proj=lcc +lat_0=41.75 +lon_0=-120.5 +lat_1=43 +lat_2=45.5 +x_0=400000 +y_0=0 +datum=NAD83 +units=m +no_defs",
  2992: "+proj=lcc +lat_0=41.75 +lon_0=-120.5 +lat_1=43 +lat_2=45.5 +x_0=399999.9999984 +y_0=0 +datum=NAD83 +units=ft +no_defs",
  2993: "+proj=lcc +lat_0=41.75 +lon_0=-120.5 +lat_1=43 +lat_2=45.5 +x_0=400000 +y_0=0 +ellps=GRS80 +units=m +no_defs",
  2994: "+proj=lcc +lat_0=41.75 +lon_0=-120.5 +lat_1=43 +lat_2=45.5 +x_0=399999.9999984 +y_0=0 +ellps=GRS80 +units=ft +no_defs",
  // New Mexico Central, US survey feet (laspy's LAS 1.4 sample).
  2903: "+proj=tmerc +lat_0=31 +lon_0=-106.25 +k=0.9999 +x_0=500000.00001016 +y_0=0 +ellps=GRS80 +units=us-ft +no_defs",
  27700: "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs",
  2056: "+proj=somerc +lat_0=46.9524055555556 +lon_0=7.43958333333333 +k_0=1 +x_0=2600000 +y_0=1200000 +ellps=bessel +towgs84=674.374,15.056,405.346,0,0,0,0 +units=m +no_defs",
  28992:
    "+proj=sterea +lat_0=52.1561605555556 +lon_0=5.38763888888889 +k=0.9999079 +x_0=155000 +y_0=463000 +ellps=bessel +towgs84=565.417,50.3319,465.552,-0.398957,0.343988,-1.8774,4.0725 +units=m +no_defs",
};

/** Vertical CRSs by EPSG code → metres per unit of height. */
export const VERTICAL_UNITS: Record<number, number> = {
  5703: 1, // NAVD88 height
  6360: 1200 / 3937, // NAVD88 height (ftUS)
  8228: 0.3048, // NAVD88 height (ft)
  5773: 1, // EGM96 height
  3855: 1, // EGM2008 height
  5714: 1, // MSL height
};

/** A proj4 definition for an EPSG code this table knows; undefined otherwise. */
export function proj4FromEpsg(code: number): string | undefined {
  const known = TABLE[code];
  if (known) return known;
  const utm = (zone: number, rest: string): string | undefined => (zone >= 1 && zone <= 60 ? `+proj=utm +zone=${zone} ${rest} +units=m +no_defs` : undefined);
  if (code > 32600 && code <= 32660) return utm(code - 32600, "+datum=WGS84");
  if (code > 32700 && code <= 32760) return utm(code - 32700, "+south +datum=WGS84");
  if (code >= 26901 && code <= 26923) return utm(code - 26900, "+datum=NAD83");
  if (code >= 25828 && code <= 25838) return utm(code - 25800, "+ellps=GRS80 +towgs84=0,0,0,0,0,0,0");
  return undefined;
}
