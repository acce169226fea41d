/** LAS 1.4 extra-bytes descriptors (LASF_Spec / 4): 192 bytes each. Types 11–30 (arrays of 2 or
 * 3 of types 1–10) were deprecated in R14 and readers such as the `copc` npm package refuse the
 * whole file over them; each becomes 2 or 3 scalar descriptors over the same bytes. */
const DESCRIPTOR_SIZE = 192;
const NAME_AT = 4,
  NAME_SIZE = 32;
/** Per-element fields (no_data, min, max, scale, offset): 3 slots of 8 bytes each. */
const SLOT_FIELDS = [40, 64, 88, 112, 136];

export function expandDeprecatedExtraBytes(descriptor: Uint8Array): Uint8Array {
  const count = Math.floor(descriptor.byteLength / DESCRIPTOR_SIZE);
  const out: Uint8Array[] = [];
  let changed = false;
  for (let i = 0; i < count; i++) {
    const d = descriptor.subarray(i * DESCRIPTOR_SIZE, (i + 1) * DESCRIPTOR_SIZE);
    const type = d[2]!;
    if (type < 11 || type > 30) {
      out.push(d);
      continue;
    }
    changed = true;
    const elements = type <= 20 ? 2 : 3;
    const base = type - (elements === 2 ? 10 : 20);
    const name = new TextDecoder("latin1").decode(d.subarray(NAME_AT, NAME_AT + NAME_SIZE)).replace(/\0.*$/s, "");
    for (let k = 0; k < elements; k++) {
      const e = d.slice();
      e[2] = base;
      const suffix = `_${k}`;
      const label = name.slice(0, NAME_SIZE - 1 - suffix.length) + suffix;
      e.fill(0, NAME_AT, NAME_AT + NAME_SIZE);
      for (let c = 0; c < label.length; c++) e[NAME_AT + c] = label.charCodeAt(c) & 0x7f;
      for (const at of SLOT_FIELDS) {
        e.fill(0, at, at + 24);
        e.set(d.subarray(at + 8 * k, at + 8 * k + 8), at);
      }
      out.push(e);
    }
  }
  if (!changed) return descriptor;
  const joined = new Uint8Array(out.length * DESCRIPTOR_SIZE);
  out.forEach((e, i) => joined.set(e, i * DESCRIPTOR_SIZE));
  return joined;
}
