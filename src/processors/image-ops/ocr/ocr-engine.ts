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
  // A terminated worker never settles its pending job, so the abort itself rejects the wait.
  let rejectOnAbort!: (reason: unknown) => void;
  const aborted = new Promise<never>((_, reject) => (rejectOnAbort = reject));
  aborted.catch(() => {});
  const onAbort = () => {
    rejectOnAbort(req.signal.reason);
    void worker?.terminate().catch(() => {});
  };
  req.signal.addEventListener("abort", onAbort, { once: true });
  const orAbort = <T>(p: Promise<T>): Promise<T> => Promise.race([p, aborted]);
  try {
    // Not raced: a worker abandoned while it loads its language data (from the work directory, which
    // the task removes as it ends) never settles and keeps the process alive. Start-up takes ~1 s.
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
    await orAbort(worker.setParameters({ tessedit_pageseg_mode: req.psm as never, user_defined_dpi: "300" }));
    const { data } = await orAbort(worker.recognize(req.image, {}, { text: true, blocks: true, hocr: req.hocr, pdf: req.pdf }));
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
