/** Pixel box: left, top, right, bottom. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** How an image was fitted into the model's input: scaled (aspect kept) and padded to centre. */
export interface Letterbox {
  scale: number;
  /** Scaled image size inside the input. */
  width: number;
  height: number;
  left: number;
  top: number;
  /** The model's input size. */
  inputWidth: number;
  inputHeight: number;
}

/** YOLO's letterbox: the largest scale that fits, the rest split as padding (odd pixel right/bottom). */
export function letterbox(srcWidth: number, srcHeight: number, inputWidth: number, inputHeight: number): Letterbox {
  const scale = Math.min(inputWidth / srcWidth, inputHeight / srcHeight);
  const width = Math.max(1, Math.min(inputWidth, Math.round(srcWidth * scale)));
  const height = Math.max(1, Math.min(inputHeight, Math.round(srcHeight * scale)));
  return { scale, width, height, left: Math.floor((inputWidth - width) / 2), top: Math.floor((inputHeight - height) / 2), inputWidth, inputHeight };
}

/** A box in model-input pixels back to the source image's pixels, clipped to it. */
export function unletterbox(box: Box, lb: Letterbox, srcWidth: number, srcHeight: number): Box {
  const sx = lb.width / srcWidth;
  const sy = lb.height / srcHeight;
  const clip = (v: number, max: number) => Math.max(0, Math.min(max, v));
  return {
    x0: clip((box.x0 - lb.left) / sx, srcWidth),
    y0: clip((box.y0 - lb.top) / sy, srcHeight),
    x1: clip((box.x1 - lb.left) / sx, srcWidth),
    y1: clip((box.y1 - lb.top) / sy, srcHeight),
  };
}
