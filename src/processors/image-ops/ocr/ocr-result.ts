/** Pixel box in the upright input image: left, top, right, bottom (exclusive). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface OcrWord {
  text: string;
  /** 0–100. */
  confidence: number;
  bbox: Box;
}

export interface OcrLine extends OcrWord {
  words: OcrWord[];
}

/** `ocr.json`. */
export interface OcrDocument {
  languages: string[];
  /** Upright input size, px: the frame every box is in. */
  width: number;
  height: number;
  /** The factor the image was enlarged by before recognition (boxes are scaled back). */
  upscale: number;
  text: string;
  /** Mean word confidence, 0–100. */
  confidence: number;
  lines: OcrLine[];
  word_count: number;
}

/** What tesseract.js gives, narrowed to what is read. */
export interface TesseractBlock {
  paragraphs: Array<{ lines: Array<{ text: string; confidence: number; bbox: Box; words: Array<{ text: string; confidence: number; bbox: Box }> }> }>;
}

/** Pure: tesseract's blocks → lines of words in input pixels, low-confidence words dropped. */
export function toOcrDocument(
  page: { text: string; confidence: number; blocks: readonly TesseractBlock[] | null },
  meta: { languages: string[]; width: number; height: number; upscale: number; minConfidence: number },
): OcrDocument {
  const scale = (b: Box): Box => {
    const s = meta.upscale;
    return {
      x0: clamp(Math.floor(b.x0 / s), meta.width),
      y0: clamp(Math.floor(b.y0 / s), meta.height),
      x1: clamp(Math.ceil(b.x1 / s), meta.width),
      y1: clamp(Math.ceil(b.y1 / s), meta.height),
    };
  };
  const round = (c: number) => Math.round(c * 10) / 10;
  const lines: OcrLine[] = [];
  for (const block of page.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const words = line.words.filter((w) => w.text.trim() !== "" && w.confidence >= meta.minConfidence).map((w) => ({ text: w.text, confidence: round(w.confidence), bbox: scale(w.bbox) }));
        if (words.length === 0) continue;
        lines.push({ text: words.map((w) => w.text).join(" "), confidence: round(line.confidence), bbox: scale(line.bbox), words });
      }
    }
  }
  const all = lines.flatMap((l) => l.words);
  const confidence = all.length ? round(all.reduce((a, w) => a + w.confidence, 0) / all.length) : 0;
  return {
    languages: meta.languages,
    width: meta.width,
    height: meta.height,
    upscale: meta.upscale,
    text: lines.map((l) => l.text).join("\n"),
    confidence,
    lines,
    word_count: all.length,
  };
}

const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
