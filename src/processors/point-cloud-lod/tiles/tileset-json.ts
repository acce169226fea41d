import type { Bounds } from "../../point-cloud/point-chunk.ts";

/** What the tileset needs to know of one written tile. */
export interface TileSummary {
  name: string;
  /** Tight local-frame box of the tile's own points. */
  contentBox: Bounds;
  /** Geometric error before scaling, in metres (0 for a leaf). */
  error: number;
  children: string[];
}

export interface TilesetJsonOptions {
  rootName: string;
  transform?: readonly number[];
  geometricErrorScale: number;
  /** Written to `asset.generator`. */
  generator: string;
  extras?: Record<string, unknown>;
}

/** A 3D Tiles 1.1 box: centre, then the three half-axis vectors (axis-aligned here). */
export function boxOf(b: Bounds): number[] {
  const c = [0, 1, 2].map((a) => (b.min[a]! + b.max[a]!) / 2);
  const h = [0, 1, 2].map((a) => (b.max[a]! - b.min[a]!) / 2);
  return [c[0]!, c[1]!, c[2]!, h[0]!, 0, 0, 0, h[1]!, 0, 0, 0, h[2]!];
}

export function unionBounds(a: Bounds, b: Bounds): Bounds {
  return {
    min: [Math.min(a.min[0], b.min[0]), Math.min(a.min[1], b.min[1]), Math.min(a.min[2], b.min[2])],
    max: [Math.max(a.max[0], b.max[0]), Math.max(a.max[1], b.max[1]), Math.max(a.max[2], b.max[2])],
  };
}

/** The tileset.json object: ADD refinement, each tile's box the union of its content and its
 * children's boxes, geometric errors strictly decreasing down every path and 0 at the leaves. */
export function tilesetJson(tiles: ReadonlyMap<string, TileSummary>, options: TilesetJsonOptions): Record<string, unknown> {
  const tileBoxes = new Map<string, Bounds>();
  const boxFor = (name: string): Bounds => {
    const done = tileBoxes.get(name);
    if (done) return done;
    const t = tiles.get(name)!;
    let b = t.contentBox;
    for (const c of t.children) b = unionBounds(b, boxFor(c));
    tileBoxes.set(name, b);
    return b;
  };
  const diagonal = (b: Bounds): number => Math.hypot(b.max[0] - b.min[0], b.max[1] - b.min[1], b.max[2] - b.min[2]);
  const build = (name: string, parentError: number, depth: number): Record<string, unknown> => {
    const t = tiles.get(name)!;
    const box = boxFor(name);
    let error = 0;
    if (t.children.length > 0) {
      // Spacing-based; a degenerate node (duplicates: spacing 0) falls back to its box, and a node
      // never claims as much error as its parent, so every path strictly decreases.
      const base = t.error > 0 ? t.error : Math.max(diagonal(box) / 16, 1e-3 / 2 ** depth);
      error = base * options.geometricErrorScale;
      if (!(error < parentError)) error = parentError / 2;
    }
    const tile: Record<string, unknown> = {
      boundingVolume: { box: boxOf(box) },
      geometricError: error,
      content: { uri: `${name}.glb`, boundingVolume: { box: boxOf(t.contentBox) } },
    };
    if (t.children.length > 0) tile.children = t.children.map((c) => build(c, error, depth + 1));
    return tile;
  };
  const rootBox = boxFor(options.rootName);
  const root = tiles.get(options.rootName)!;
  const rootBase = root.error > 0 ? root.error : Math.max(diagonal(rootBox) / 16, 1e-3);
  const tilesetError = Math.max(rootBase * options.geometricErrorScale * 2, 1e-3);
  const rootTile = build(options.rootName, tilesetError, 0);
  const ordered: Record<string, unknown> = { boundingVolume: rootTile.boundingVolume };
  if (options.transform) ordered.transform = [...options.transform];
  Object.assign(ordered, { ...rootTile, boundingVolume: rootTile.boundingVolume, refine: "ADD" });
  const out: Record<string, unknown> = {
    asset: { version: "1.1", generator: options.generator },
    geometricError: tilesetError,
    root: ordered,
  };
  if (options.extras) out.extras = options.extras;
  return out;
}
