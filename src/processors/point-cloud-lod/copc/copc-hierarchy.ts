import { AppError } from "../../../contracts/app-error.ts";
import { nodeName, type NodeKey } from "../octree/octree.ts";
import { withDefaults } from "../../../shared/with-defaults.ts";

/** One node's hierarchy entry: where its LAZ chunk lies. pointCount 0 = a node without points
 * whose descendants have some (offset and byteSize 0). */
export interface HierarchyEntry {
  key: NodeKey;
  offset: number;
  byteSize: number;
  pointCount: number;
}

export const COPC_HIERARCHY_DEFAULTS = {
  /** A subtree with at most this many nodes is one page. Default: 8192 (256 KiB). */
  maxPageEntries: 8192,
  /** A larger subtree's page covers this many levels; the nodes below start child pages. Default: 4. */
  pageLevels: 4,
};
export type CopcHierarchyOptions = typeof COPC_HIERARCHY_DEFAULTS;

/** A hierarchy page: node entries and pointers to child pages, in breadth-first order. A child
 * page holds its own root node's entry and that node's descendants. */
export interface HierarchyPage {
  key: NodeKey;
  items: ({ node: HierarchyEntry } | { page: HierarchyPage })[];
}

export const ENTRY_SIZE = 32;

const parentOf = (k: NodeKey): NodeKey => ({ d: k.d - 1, x: k.x >> 1, y: k.y >> 1, z: k.z >> 1 });
const childIndex = (k: NodeKey): number => (k.x & 1) | ((k.y & 1) << 1) | ((k.z & 1) << 2);

/** Pages for a set of node entries. Ancestors that hold no points get pointCount-0 entries, so a
 * reader walking down from the root reaches every node. */
export function planHierarchy(nodes: readonly HierarchyEntry[], options: Partial<CopcHierarchyOptions> = {}): HierarchyPage {
  const { maxPageEntries, pageLevels } = withDefaults(COPC_HIERARCHY_DEFAULTS, options);
  if (!(maxPageEntries >= 1 && pageLevels >= 1)) throw new AppError("INVALID_PARAMS", "COPC hierarchy: maxPageEntries and pageLevels must be at least 1");
  const root: NodeKey = { d: 0, x: 0, y: 0, z: 0 };
  const byName = new Map<string, HierarchyEntry>();
  const children = new Map<string, NodeKey[]>();
  const add = (e: HierarchyEntry): void => {
    const name = nodeName(e.key);
    if (byName.has(name)) {
      if (e.pointCount > 0) throw new AppError("INTERNAL", `COPC hierarchy: node ${name} is listed twice`);
      return;
    }
    byName.set(name, e);
    if (e.key.d === 0) return;
    const parent = parentOf(e.key);
    const siblings = children.get(nodeName(parent));
    if (siblings) siblings.push(e.key);
    else children.set(nodeName(parent), [e.key]);
    if (!byName.has(nodeName(parent))) add({ key: parent, offset: 0, byteSize: 0, pointCount: 0 });
  };
  for (const e of nodes) {
    const k = e.key,
      size = 2 ** k.d;
    if (!(Number.isInteger(k.d) && k.d >= 0 && [k.x, k.y, k.z].every((c) => Number.isInteger(c) && c >= 0 && c < size))) {
      throw new AppError("INTERNAL", `COPC hierarchy: invalid node key ${nodeName(k)}`);
    }
    add(e);
  }
  if (!byName.has(nodeName(root))) add({ key: root, offset: 0, byteSize: 0, pointCount: 0 });
  for (const list of children.values()) list.sort((a, b) => childIndex(a) - childIndex(b));

  const subtree = new Map<string, number>();
  const sizeOf = (k: NodeKey): number => {
    const name = nodeName(k);
    let n = subtree.get(name);
    if (n === undefined) {
      n = 1;
      for (const c of children.get(name) ?? []) n += sizeOf(c);
      subtree.set(name, n);
    }
    return n;
  };
  const build = (top: NodeKey): HierarchyPage => {
    const split = sizeOf(top) > maxPageEntries;
    const page: HierarchyPage = { key: top, items: [] };
    for (let queue = [top], i = 0; i < queue.length; i++) {
      const k = queue[i]!;
      if (split && k.d - top.d === pageLevels) {
        page.items.push({ page: build(k) });
        continue;
      }
      page.items.push({ node: byName.get(nodeName(k))! });
      queue.push(...(children.get(nodeName(k)) ?? []));
    }
    return page;
  };
  return build(root);
}

/** Serialises every page, root first then each child page's subtree in order, as the payload of
 * the hierarchy EVLR whose data starts at absolute file offset `dataOffset`. */
export function encodeHierarchy(root: HierarchyPage, dataOffset: number): { bytes: Uint8Array; rootOffset: number; rootSize: number; pages: number } {
  const order: HierarchyPage[] = [];
  const offsets = new Map<HierarchyPage, number>();
  let at = dataOffset;
  const place = (p: HierarchyPage): void => {
    order.push(p);
    offsets.set(p, at);
    at += p.items.length * ENTRY_SIZE;
    for (const item of p.items) if ("page" in item) place(item.page);
  };
  place(root);
  const bytes = new Uint8Array(at - dataOffset);
  const v = new DataView(bytes.buffer);
  let pos = 0;
  for (const p of order) {
    for (const item of p.items) {
      const e = "node" in item ? item.node : { key: item.page.key, offset: offsets.get(item.page)!, byteSize: item.page.items.length * ENTRY_SIZE, pointCount: -1 };
      v.setInt32(pos, e.key.d, true);
      v.setInt32(pos + 4, e.key.x, true);
      v.setInt32(pos + 8, e.key.y, true);
      v.setInt32(pos + 12, e.key.z, true);
      v.setBigUint64(pos + 16, BigInt(e.offset), true);
      v.setInt32(pos + 24, e.byteSize, true);
      v.setInt32(pos + 28, e.pointCount, true);
      pos += ENTRY_SIZE;
    }
  }
  return { bytes, rootOffset: dataOffset, rootSize: root.items.length * ENTRY_SIZE, pages: order.length };
}
