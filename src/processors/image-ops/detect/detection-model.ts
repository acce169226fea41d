import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { AppError } from "../../../contracts/app-error.ts";
import { onnxMetadata, parseClassNames } from "./onnx-metadata.ts";

/** onnxruntime-node's session, narrowed to what detection uses. */
export interface DetectionSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: ReadonlyArray<{ name: string; isTensor: boolean; type?: string; shape?: ReadonlyArray<number | string> }>;
  run(feeds: Record<string, unknown>): Promise<Record<string, { dims: readonly number[]; data: unknown }>>;
  release(): Promise<void>;
}

export interface DetectionModel {
  name: string;
  session: DetectionSession;
  inputName: string;
  outputName: string;
  /** From the model's input shape, or null when it is dynamic. */
  inputSize: { width: number; height: number } | null;
  /** From the model's `names` metadata, or null. */
  classNames: string[] | null;
  /** Builds the input tensor. */
  tensor(data: Float32Array, dims: number[]): unknown;
}

/** Loads the configured model; every failure is DETECTION_UNAVAILABLE (the node's set-up, not the
 * user's input, and retrying will not help). */
export async function loadDetectionModel(path: string | undefined, stage: string): Promise<DetectionModel> {
  if (path === undefined || path === "") {
    throw new AppError("DETECTION_UNAVAILABLE", "Object detection is not available on this node: no DETECTION_MODEL (a YOLO-format ONNX model) is configured.", { stage });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AppError("DETECTION_UNAVAILABLE", `The detection model ${basename(path)} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { stage, cause: error });
  }
  const ort = await import("onnxruntime-node");
  let session: DetectionSession;
  try {
    session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "all", logSeverityLevel: 3 });
  } catch (error) {
    throw new AppError("DETECTION_UNAVAILABLE", `The detection model ${basename(path)} is not a model onnxruntime can load: ${firstLine(error)}`, { stage, cause: error });
  }
  const input = session.inputMetadata[0];
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const shape = input?.shape;
  if (!inputName || !outputName || !shape || shape.length !== 4 || (typeof shape[1] === "number" && shape[1] !== 3)) {
    await session.release();
    throw new AppError("DETECTION_UNAVAILABLE", `The detection model ${basename(path)} does not take a [1, 3, H, W] image (input ${inputName ?? "none"} [${shape?.join(", ") ?? "?"}]).`, { stage });
  }
  const [h, w] = [shape[2], shape[3]];
  const metadata = safeMetadata(bytes);
  return {
    name: basename(path),
    session,
    inputName,
    outputName,
    inputSize: typeof w === "number" && typeof h === "number" && w > 0 && h > 0 ? { width: w, height: h } : null,
    classNames: parseClassNames(metadata.names),
    tensor: (data, dims) => new ort.Tensor("float32", data, dims),
  };
}

function safeMetadata(bytes: Uint8Array): Record<string, string> {
  try {
    return onnxMetadata(bytes);
  } catch {
    return {};
  }
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 300);
