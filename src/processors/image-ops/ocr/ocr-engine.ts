import { createWorker, OEM, type Worker } from "tesseract.js";
import { AppError } from "../../../contracts/app-error.ts";
import type { TesseractBlock } from "./ocr-result.ts";

export interface RecognizeRequest {
  image: string;
  langs: readonly string[];
  /** A local folder with `<lang>.traineddata.gz` for every language: nothing is fetched. */
  langPath: string;
  psm: string;
  hocr: boolean;
  pdf: boolean;
  signal: AbortSignal;
  onProgress: (fraction: number) => void;
  stage: string;
}

export interface RecognizedPage {
  text: string;
  confidence: number;
  blocks: TesseractBlock[] | null;
  hocr: string | null;
  pdf: Uint8Array | null;
}

/**
 * tesseract.js offline: the LSTM engine (its wasm core is `require`d from node_modules, never a
 * CDN), language data read from `langPath`, no cache written (`cacheMethod: "none"`). The worker
 * thread is terminated when the task is aborted and when recognition ends.
 */
export async function recognize(req: RecognizeRequest): Promise<RecognizedPage> {
  req.signal.throwIfAborted();
  let worker: Worker | undefined;
  const onAbort = () => void worker?.terminate();
  req.signal.addEventListener("abort", onAbort, { once: true });
  try {
    worker = await createWorker([...req.langs], OEM.LSTM_ONLY, {
      langPath: req.langPath,
      cacheMethod: "none",
      gzip: true,
      logger: (m: { status: string; progress: number }) => {
        if (m.status === "recognizing text") req.onProgress(m.progress);
      },
      errorHandler: () => {},
    });
    req.signal.throwIfAborted();
    await worker.setParameters({ tessedit_pageseg_mode: req.psm as never, user_defined_dpi: "300" });
    const { data } = await worker.recognize(req.image, {}, { text: true, blocks: true, hocr: req.hocr, pdf: req.pdf });
    req.signal.throwIfAborted();
    return {
      text: data.text,
      confidence: data.confidence,
      blocks: data.blocks as unknown as TesseractBlock[] | null,
      hocr: data.hocr,
      pdf: data.pdf ? Uint8Array.from(data.pdf) : null,
    };
  } catch (error) {
    if (req.signal.aborted || error instanceof AppError) throw req.signal.aborted ? req.signal.reason : error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError("INTERNAL", `OCR failed: ${message}`, { stage: req.stage, cause: error });
  } finally {
    req.signal.removeEventListener("abort", onAbort);
    await worker?.terminate().catch(() => {});
  }
}
