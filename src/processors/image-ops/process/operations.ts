import { z } from "zod";

/** 16 383 px is WebP's largest side, the smallest cap among the output formats (as image_convert). */
export const MAX_SIDE = 16_383;
const Side = z.number().int().positive().max(MAX_SIDE);
const Offset = z.number().int().min(0).max(MAX_SIDE);
/** A CSS-style colour sharp understands: #rgb, #rrggbb, #rrggbbaa or a name. */
const Colour = z.string().regex(/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/, "must be #rgb, #rrggbb, #rrggbbaa or a colour name");
export const GRAVITIES = ["center", "north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"] as const;
const Gravity = z.enum(GRAVITIES);

const Resize = z
  .object({
    op: z.literal("resize"),
    width: Side.optional(),
    height: Side.optional(),
    /** As sharp's `fit`. Default: "inside" (the whole image within the box, aspect kept). */
    fit: z.enum(["cover", "contain", "inside", "outside", "fill"]).default("inside"),
    /** Which part `cover` keeps, or where `contain` places the image: a gravity, or "attention"
     * (the most salient region) / "entropy" (the busiest). Default: "center". */
    position: z.enum([...GRAVITIES, "attention", "entropy"]).default("center"),
    /** Never make the image bigger than it is. Default: true. */
    without_enlargement: z.boolean().default(true),
    /** Padding colour for `contain`. Default: "#000000". */
    background: Colour.default("#000000"),
  })
  .refine((o) => o.width !== undefined || o.height !== undefined, "resize needs width, height or both");

const Crop = z
  .object({
    op: z.literal("crop"),
    width: Side,
    height: Side,
    /** With `top`: a fixed box whose top-left corner is here. */
    left: Offset.optional(),
    top: Offset.optional(),
    /** Without left/top: which region of this size is kept — a gravity, or "attention"/"entropy".
     * Default: "center". */
    gravity: z.enum([...GRAVITIES, "attention", "entropy"]).default("center"),
  })
  .refine((o) => (o.left === undefined) === (o.top === undefined), "crop needs both left and top (a box) or neither (gravity)");

const Rotate = z.object({
  op: z.literal("rotate"),
  /** Degrees clockwise; multiples of 90 are lossless, others enlarge the canvas to fit. */
  angle: z.number().min(-360).max(360),
  /** Fills the corners of a non-right-angle rotation. Default: "#000000". */
  background: Colour.default("#000000"),
});

const Flip = z.object({ op: z.literal("flip") }); // vertical, top ↔ bottom
const Flop = z.object({ op: z.literal("flop") }); // horizontal, left ↔ right

const Blur = z.object({
  op: z.literal("blur"),
  /** Gaussian sigma in px, 0.3–1000. */
  sigma: z.number().min(0.3).max(1000),
});

const Sharpen = z.object({
  op: z.literal("sharpen"),
  /** Gaussian sigma of the unsharp mask, 0.000001–10. Omitted: a fast, mild 3×3 sharpen. */
  sigma: z.number().min(0.000001).max(10).optional(),
});

const Grayscale = z.object({ op: z.literal("grayscale") });

const Normalize = z
  .object({
    op: z.literal("normalize"),
    /** Luminance percentile stretched to black. Default: 1. */
    lower: z.number().min(0).max(99).default(1),
    /** Luminance percentile stretched to white. Default: 99. */
    upper: z.number().min(1).max(100).default(99),
  })
  .refine((o) => o.lower < o.upper, "normalize needs lower < upper");

const Gamma = z.object({
  op: z.literal("gamma"),
  /** 1.0–3.0, as sharp's `gamma`. Default: 2.2. */
  gamma: z.number().min(1).max(3).default(2.2),
});

const Modulate = z
  .object({
    op: z.literal("modulate"),
    /** Multiplier, e.g. 1.2 = 20 % brighter. */
    brightness: z.number().positive().max(10).optional(),
    /** Multiplier; 0 = grey. */
    saturation: z.number().min(0).max(10).optional(),
    /** Hue rotation in degrees. */
    hue: z.number().min(-360).max(360).optional(),
  })
  .refine((o) => o.brightness !== undefined || o.saturation !== undefined || o.hue !== undefined, "modulate needs brightness, saturation or hue");

export const EDGE_KERNELS = {
  /** 4-neighbour Laplacian. */
  laplacian: [0, 1, 0, 1, -4, 1, 0, 1, 0],
  /** 8-neighbour Laplacian: also diagonal edges. */
  laplacian8: [1, 1, 1, 1, -8, 1, 1, 1, 1],
  /** Sobel, vertical edges (horizontal gradient). */
  sobel_x: [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  /** Sobel, horizontal edges (vertical gradient). */
  sobel_y: [-1, -2, -1, 0, 0, 0, 1, 2, 1],
} as const;

const EdgeDetect = z.object({
  op: z.literal("edge_detect"),
  /** A 3×3 kernel by name, or `matrix` (row-major, 3×3 or 5×5). Default: "laplacian8". */
  kernel: z.enum(Object.keys(EDGE_KERNELS) as [keyof typeof EDGE_KERNELS, ...(keyof typeof EDGE_KERNELS)[]]).default("laplacian8"),
  matrix: z
    .array(z.number().finite())
    .refine((m) => m.length === 9 || m.length === 25, "matrix must have 9 (3×3) or 25 (5×5) values")
    .optional(),
  /** Turn the image grey first, so edges are one intensity, not colour fringes. Default: true. */
  grayscale: z.boolean().default(true),
});

const Threshold = z.object({
  op: z.literal("threshold"),
  /** 0–255: pixels at or above become white, below black. Default: 128. */
  value: z.number().int().min(0).max(255).default(128),
});

const Watermark = z
  .object({
    op: z.literal("watermark"),
    /** Text to draw (DejaVu Sans). */
    text: z.string().min(1).max(200).optional(),
    /** An image object to overlay: one of batch.keys, or below batch.prefix. */
    image_key: z.string().min(1).optional(),
    /** Or the overlay inline, base64 (PNG/WebP/JPEG, at most 1 MiB decoded). */
    image_base64: z.string().min(1).max(1_400_000).optional(),
    /** Where it goes. Default: "southeast". */
    gravity: Gravity.default("southeast"),
    /** 0–1. Default: 0.5. */
    opacity: z.number().min(0).max(1).default(0.5),
    /** Width of the watermark as a fraction of the image's width (the text or image is scaled to
     * it, never enlarged beyond its natural size for images). Default: 0.25. */
    scale: z.number().min(0.01).max(1).default(0.25),
    /** Text colour. Default: "#ffffff". */
    color: Colour.default("#ffffff"),
    /** Distance from the edges it is placed against, as a fraction of the image's shorter side. Default: 0.02. */
    margin: z.number().min(0).max(0.25).default(0.02),
  })
  .refine((o) => [o.text, o.image_key, o.image_base64].filter((v) => v !== undefined).length === 1, "watermark needs exactly one of text, image_key, image_base64");

const Extend = z.object({
  op: z.literal("extend"),
  top: Offset.default(0),
  bottom: Offset.default(0),
  left: Offset.default(0),
  right: Offset.default(0),
  /** "background" fills with `background`; "copy", "repeat", "mirror" reuse the edge pixels. Default: "background". */
  with: z.enum(["background", "copy", "repeat", "mirror"]).default("background"),
  /** Default: "#000000". */
  background: Colour.default("#000000"),
});

const Trim = z.object({
  op: z.literal("trim"),
  /** Colour distance (0–255) from the background still counted as background. Default: 10. */
  threshold: z.number().min(0).max(255).default(10),
  /** The colour to trim. Default: the top-left pixel's. */
  background: Colour.optional(),
});

const VARIANTS = [Resize, Crop, Rotate, Flip, Flop, Blur, Sharpen, Grayscale, Normalize, Gamma, Modulate, EdgeDetect, Threshold, Watermark, Extend, Trim] as const;
export const OPERATION_NAMES: readonly string[] = VARIANTS.map((v) => v.shape.op.value);

/** One operation; an unknown `op` is refused with the list of known ones (the path names its index). */
export const Operation = z.discriminatedUnion("op", VARIANTS, {
  error: (issue) =>
    issue.code === "invalid_union" ? `unknown operation ${JSON.stringify((issue.input as { op?: unknown } | undefined)?.op)}; expected one of ${OPERATION_NAMES.join(", ")}` : undefined,
});
export type Operation = z.infer<typeof Operation>;
export type OperationOf<K extends Operation["op"]> = Extract<Operation, { op: K }>;
