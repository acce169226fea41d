/**
 * Reads `metadata_props` (field 14 of onnx.ModelProto: key/value strings) from a serialised model
 * without a protobuf library: a walk over the top-level fields, skipping everything else. This is
 * where ultralytics' exports keep `names` (the class labels) and `imgsz`.
 */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const decoder = new TextDecoder();
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 1;
    for (;;) {
      if (pos >= bytes.length) throw new Error("truncated varint");
      const b = bytes[pos++]!;
      result += (b & 0x7f) * shift;
      if (b < 0x80) return result;
      shift *= 128;
      if (shift > 2 ** 63) throw new Error("varint too long");
    }
  };
  const fields = (end: number, onField: (field: number, start: number, length: number) => void) => {
    while (pos < end) {
      const tag = varint();
      const field = Math.floor(tag / 8);
      const wire = tag % 8;
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 5) pos += 4;
      else if (wire === 2) {
        const length = varint();
        const start = pos;
        if (start + length > end) throw new Error("field runs past its message");
        onField(field, start, length);
        pos = start + length;
      } else throw new Error(`unsupported wire type ${wire}`);
    }
  };
  fields(bytes.length, (field, start, length) => {
    if (field !== 14) return;
    let key = "";
    let value = "";
    fields(start + length, (f, s, l) => {
      if (f === 1) key = decoder.decode(bytes.subarray(s, s + l));
      if (f === 2) value = decoder.decode(bytes.subarray(s, s + l));
    });
    out[key] = value;
  });
  return out;
}

/** ultralytics writes names as a Python dict literal: "{0: 'person', 1: 'bicycle'}". Also takes a
 * JSON array or object. Null when absent or unreadable. */
export function parseClassNames(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === "") return null;
  try {
    const json: unknown = JSON.parse(raw);
    if (Array.isArray(json) && json.every((n) => typeof n === "string")) return json;
    if (json && typeof json === "object") return byIndex(Object.entries(json as Record<string, unknown>));
  } catch {
    // not JSON: a Python dict
  }
  const entries = [...raw.matchAll(/(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/g)].map((m) => [m[1]!, m[2] ?? m[3] ?? ""] as [string, unknown]);
  return entries.length ? byIndex(entries) : null;
}

function byIndex(entries: Array<[string, unknown]>): string[] | null {
  const names: string[] = [];
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i > 100_000 || typeof v !== "string") return null;
    names[i] = v;
  }
  for (let i = 0; i < names.length; i++) names[i] ??= `class_${i}`;
  return names;
}
