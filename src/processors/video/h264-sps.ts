/** What an H.264 sequence parameter set says of the picture, as ffprobe reports it: the profile and
 * level, and the displayed size (coded macroblocks less the cropping window). */
export interface H264Sps {
  profileIdc: number;
  /** constraint_set0..5 flags, set0 as the high bit of the byte. */
  constraints: number;
  levelIdc: number;
  width: number;
  height: number;
  /** False for interlaced (field or MBAFF) coding. */
  frameMbsOnly: boolean;
  chromaFormatIdc: number;
  bitDepthLuma: number;
}

/** The first SPS of an `avcC` box's payload (AVCDecoderConfigurationRecord), or null when the
 * record or the SPS is not one this reader follows to its end. */
export function firstSpsOfAvcC(avcC: Uint8Array): H264Sps | null {
  if (avcC.length < 8 || avcC[0] !== 1) return null;
  const count = avcC[5]! & 0x1f;
  if (count < 1) return null;
  const length = (avcC[6]! << 8) | avcC[7]!;
  if (length < 4 || 8 + length > avcC.length) return null;
  return parseSps(avcC.subarray(8, 8 + length));
}

/** A NAL unit of type 7, header byte included. Null on anything unexpected: the caller asks ffprobe. */
export function parseSps(nal: Uint8Array): H264Sps | null {
  if ((nal[0]! & 0x1f) !== 7) return null;
  const r = new BitReader(unescape(nal.subarray(1)));
  try {
    const profileIdc = r.bits(8);
    const constraints = r.bits(8);
    const levelIdc = r.bits(8);
    r.ue(); // seq_parameter_set_id
    let chromaFormatIdc = 1;
    let bitDepthLuma = 8;
    if (HIGH_PROFILES.has(profileIdc)) {
      chromaFormatIdc = r.ue();
      if (chromaFormatIdc > 3) return null;
      if (chromaFormatIdc === 3) r.bits(1); // separate_colour_plane_flag
      bitDepthLuma = r.ue() + 8;
      r.ue(); // bit_depth_chroma_minus8
      r.bits(1); // qpprime_y_zero_transform_bypass_flag
      if (r.bits(1)) {
        // seq_scaling_matrix_present_flag: lists are skipped, read only to stay in step.
        for (let i = 0; i < (chromaFormatIdc === 3 ? 12 : 8); i++) if (r.bits(1)) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.bits(1);
      r.se();
      r.se();
      const cycle = r.ue();
      if (cycle > 255) return null;
      for (let i = 0; i < cycle; i++) r.se();
    } else if (pocType !== 2) return null;
    r.ue(); // max_num_ref_frames
    r.bits(1); // gaps_in_frame_num_value_allowed_flag
    const widthMbs = r.ue() + 1;
    const heightMapUnits = r.ue() + 1;
    const frameMbsOnly = r.bits(1) === 1;
    if (!frameMbsOnly) r.bits(1); // mb_adaptive_frame_field_flag
    r.bits(1); // direct_8x8_inference_flag
    let [left, right, top, bottom] = [0, 0, 0, 0];
    if (r.bits(1)) [left, right, top, bottom] = [r.ue(), r.ue(), r.ue(), r.ue()];
    // Crop units (7.4.2.1.1): chroma subsampling across, and twice as tall for field coding.
    const subWidth = chromaFormatIdc === 1 || chromaFormatIdc === 2 ? 2 : 1;
    const subHeight = chromaFormatIdc === 1 ? 2 : 1;
    const [cropX, cropY] = chromaFormatIdc === 0 ? [1, 2 - Number(frameMbsOnly)] : [subWidth, subHeight * (2 - Number(frameMbsOnly))];
    const width = widthMbs * 16 - cropX * (left + right);
    const height = (2 - Number(frameMbsOnly)) * heightMapUnits * 16 - cropY * (top + bottom);
    if (width <= 0 || height <= 0) return null;
    return { profileIdc, constraints, levelIdc, width, height, frameMbsOnly, chromaFormatIdc, bitDepthLuma };
  } catch {
    return null; // ran past the end
  }
}

/** Profiles whose SPS carries the chroma format, bit depths and scaling matrices (7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size && next !== 0; j++) {
    next = (last + r.se() + 256) % 256;
    if (next !== 0) last = next;
  }
}

/** Drops the emulation-prevention bytes (00 00 03 → 00 00). */
function unescape(bytes: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of bytes) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}

class BitReader {
  #bytes: Uint8Array;
  #at = 0;
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }
  bits(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#bytes[this.#at >> 3];
      if (byte === undefined) throw new RangeError("past the end");
      value = value * 2 + ((byte >> (7 - (this.#at & 7))) & 1);
      this.#at++;
    }
    return value;
  }
  /** Exp-Golomb, unsigned. */
  ue(): number {
    let zeros = 0;
    while (this.bits(1) === 0) if (++zeros > 31) throw new RangeError("exp-Golomb code too long");
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}
