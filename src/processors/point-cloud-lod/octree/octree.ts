import type { Bounds, PointChunk, PointCloudHeader } from "../../point-cloud/point-chunk.ts";

/** An octree node's address: depth `d` (root = 0) and integer cell coordinates in [0, 2^d) along
 * x, y, z of the root cube. The children of (d, x, y, z) are (d+1, 2x+i, 2y+j, 2z+k). */
export interface NodeKey {
  d: number;
  x: number;
  y: number;
  z: number;
}

/** "d-x-y-z": the name COPC's hierarchy, tile file names and logs use. */
export const nodeName = (k: NodeKey): string => `${k.d}-${k.x}-${k.y}-${k.z}`;

/** One node of a built octree. Every input point lies in exactly one node (ADD refinement: a node
 * holds a spatially even sample of its cube, its descendants hold the rest). */
export interface OctreeNode {
  key: NodeKey;
  /** The node's cube: the root cube split `key.d` times. */
  cube: Bounds;
  /** Tight bounds of the points this node holds (not of its descendants). */
  bounds: Bounds;
  /** Points held by this node itself. Never 0: empty nodes are not listed. */
  pointCount: number;
  /** Points in this node and all its descendants. */
  subtreePointCount: number;
  /** Sampling distance at this depth, in source units: the minimum spacing its sample keeps. */
  spacing: number;
  /** Keys of the children that exist (hold points themselves or below). */
  children: NodeKey[];
}

/** A built octree over one point cloud. Nodes are listed breadth-first (depth, then z-order within a
 * depth), so writers that iterate `nodes` in order produce the same bytes for the same input. */
export interface Octree {
  /** The source's header (CRS, scale/offset, attributes, LAS fields and extra bytes) as read. */
  header: PointCloudHeader;
  /** Points read from the source (= sum of every node's pointCount). */
  pointCount: number;
  /** Tight bounds of every point. */
  bounds: Bounds;
  /** The root cube (a cube containing `bounds`). */
  cube: Bounds;
  nodes: readonly OctreeNode[];
  /** The points a node holds, every attribute the source has (same fields as the source reader
   * yields), in a deterministic order. Memory: one node at a time. */
  readNode(key: NodeKey): Promise<PointChunk>;
}
