import { access, constants } from "node:fs/promises";

export interface DetectionReadiness {
  /** Always true: detection is a capability of the node, not a dependency; without it every other
   * task type still runs, so it never makes `/health/ready` answer 503. */
  ok: true;
  available: boolean;
  detail: string;
}

/** The `/health/ready` entry for image_detect: whether a model is configured and readable. */
export async function detectionReadiness(modelPath: string | undefined): Promise<DetectionReadiness> {
  if (modelPath === undefined) {
    return { ok: true, available: false, detail: "detection unavailable: no DETECTION_MODEL configured (image_detect fails with DETECTION_UNAVAILABLE)" };
  }
  try {
    await access(modelPath, constants.R_OK);
    return { ok: true, available: true, detail: `model ${modelPath}` };
  } catch {
    return { ok: true, available: false, detail: `detection unavailable: DETECTION_MODEL ${modelPath} is not a readable file` };
  }
}
