import { z } from "zod";

/** tesseract page segmentation modes by what they are for. */
export const PAGE_SEGMENTATION = { auto: "3", single_column: "4", single_block: "6", single_line: "7", sparse: "11" } as const;

export const ImageOcrParams = z.object({
  /** Tesseract language codes, each an installed `@tesseract.js-data/<code>` package (this node
   * ships "eng"). Several are recognised together. Default: ["eng"]. */
  languages: z
    .array(z.string().regex(/^[a-z]{3}(_[a-z]+)?$/, "a tesseract language code such as eng, deu, chi_sim"))
    .min(1)
    .max(5)
    .default(["eng"])
    .transform((l) => [...new Set(l)]),
  /** How the page is laid out, as tesseract's page segmentation modes. Default: "auto". */
  page_segmentation: z.enum(Object.keys(PAGE_SEGMENTATION) as [keyof typeof PAGE_SEGMENTATION, ...(keyof typeof PAGE_SEGMENTATION)[]]).default("auto"),
  /** Enlarge before recognition: "auto" doubles an image whose long edge is under 1600 px and
   * triples one under 600 px (small text reads far better enlarged); 1 keeps the size. Default: "auto". */
  upscale: z.union([z.literal("auto"), z.number().min(1).max(4)]).default("auto"),
  /** Words below this confidence (0–100) are left out of `lines`/`words`. Default: 0. */
  min_confidence: z.number().min(0).max(100).default(0),
  /** Also write `ocr.hocr` (hOCR HTML). Default: false. */
  hocr: z.boolean().default(false),
  /** Also write `ocr.pdf`: the (preprocessed) image with an invisible, searchable text layer. Default: false. */
  pdf: z.boolean().default(false),
});
export type ImageOcrParams = z.infer<typeof ImageOcrParams>;
