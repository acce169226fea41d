/** A node of an OGC WKT (1 or 2) text: `KEYWORD[arg, arg, …]`. `text` is the node's own source slice,
 * so a sub-CRS (the PROJCS of a COMPD_CS) can be handed to proj4 as written. */
export interface WktNode {
  keyword: string;
  args: (string | number | WktNode)[];
  text: string;
}

/** Parses WKT into a tree; undefined when the text is not bracket-balanced WKT. */
export function parseWkt(wkt: string): WktNode | undefined {
  let i = 0;
  const skip = (): void => {
    while (i < wkt.length && /\s/.test(wkt[i]!)) i++;
  };
  const node = (): WktNode | undefined => {
    skip();
    const start = i;
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(wkt.slice(i, i + 64));
    if (!m) return undefined;
    i += m[0].length;
    skip();
    const open = wkt[i];
    if (open !== "[" && open !== "(") return undefined;
    const close = open === "[" ? "]" : ")";
    i++;
    const args: WktNode["args"] = [];
    for (;;) {
      skip();
      const ch = wkt[i];
      if (ch === undefined) return undefined;
      if (ch === close) {
        i++;
        break;
      }
      if (ch === ",") {
        i++;
        continue;
      }
      if (ch === '"') {
        const end = wkt.indexOf('"', i + 1);
        if (end < 0) return undefined;
        args.push(wkt.slice(i + 1, end));
        i = end + 1;
      } else if (/[-+.\d]/.test(ch)) {
        const n = /^[-+]?[\d.]+(?:[eE][-+]?\d+)?/.exec(wkt.slice(i, i + 40));
        if (!n) return undefined;
        args.push(Number(n[0]));
        i += n[0].length;
      } else {
        const before = i;
        const child = node();
        if (child) args.push(child);
        else {
          i = before;
          // A bare enum word (EAST, NORTH, UP): keep it as a string.
          const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(wkt.slice(i, i + 64));
          if (!word) return undefined;
          args.push(word[0]);
          i += word[0].length;
        }
      }
    }
    return { keyword: m[0].toUpperCase(), args, text: wkt.slice(start, i) };
  };
  const root = node();
  skip();
  return root && i === wkt.length ? root : undefined;
}

export const children = (n: WktNode, ...keywords: string[]): WktNode[] => n.args.filter((a): a is WktNode => typeof a === "object" && keywords.includes(a.keyword));

/** Depth-first search for the first node with one of `keywords`. */
export function findNode(n: WktNode, ...keywords: string[]): WktNode | undefined {
  if (keywords.includes(n.keyword)) return n;
  for (const a of n.args) {
    if (typeof a !== "object") continue;
    const hit = findNode(a, ...keywords);
    if (hit) return hit;
  }
  return undefined;
}
