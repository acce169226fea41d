import { createRequire } from "node:module";
import { AppError } from "../../contracts/app-error.ts";

const require = createRequire(import.meta.url);

export interface ValidatorMessage {
  code: string;
  message: string;
  severity: number;
  pointer?: string;
}

export interface ValidationReport {
  issues: { numErrors: number; numWarnings: number; numInfos: number; numHints: number; messages: ValidatorMessage[] };
  info?: { totalTriangleCount?: number; totalVertexCount?: number; extensionsUsed?: string[] };
}

interface Validator {
  validateBytes(data: Uint8Array, options?: { uri?: string; maxIssues?: number; externalResourceFunction?: (uri: string) => Promise<Uint8Array> }): Promise<ValidationReport>;
}

const validator = (): Validator => require("gltf-validator") as Validator;

/** Damage that no cleanup can repair: the input is corrupt rather than merely untidy. */
export const CORRUPTING_ISSUES = new Set([
  "ACCESSOR_INDEX_OOB",
  "ACCESSOR_INVALID_FLOAT",
  "ACCESSOR_TOO_LONG",
  "ACCESSOR_SPARSE_INDEX_OOB",
  "BUFFER_VIEW_TOO_LONG",
  "BUFFER_BYTE_LENGTH_MISMATCH",
  "BUFFER_GLB_CHUNK_TOO_BIG",
  "BUFFER_MISSING_GLB_DATA",
  "GLB_CHUNK_TOO_BIG",
  "GLB_LENGTH_MISMATCH",
  "GLB_LENGTH_TOO_SMALL",
  "GLB_UNEXPECTED_END_OF_CHUNK_DATA",
  "GLB_UNEXPECTED_END_OF_CHUNK_HEADER",
  "GLB_UNEXPECTED_END_OF_HEADER",
  "GLB_INVALID_MAGIC",
  "GLB_INVALID_VERSION",
  "INVALID_JSON",
  "INVALID_GLTF",
  "UNRESOLVED_REFERENCE",
  "ACCESSOR_JOINTS_INDEX_OOB",
]);

const errorsOf = (r: ValidationReport) => r.issues.messages.filter((m) => m.severity === 0);
const summary = (ms: readonly ValidatorMessage[]) =>
  ms
    .slice(0, 5)
    .map((m) => `${m.code}${m.pointer ? ` at ${m.pointer}` : ""}: ${m.message}`)
    .join("; ");

/** Runs Khronos glTF-Validator over GLB or glTF bytes (`resources` resolves a glTF's external URIs). */
export async function validateGltf(bytes: Uint8Array, resources?: (uri: string) => Promise<Uint8Array>): Promise<ValidationReport> {
  return validator().validateBytes(bytes, { maxIssues: 200, ...(resources ? { externalResourceFunction: resources } : {}) });
}

/** The input's validator verdict: damage (index out of range, NaN/Inf, truncation) is INPUT_CORRUPT;
 * other errors are returned for the log — the pipeline rewrites every accessor and the output is validated. */
export async function checkInputGltf(bytes: Uint8Array, resources?: (uri: string) => Promise<Uint8Array>): Promise<ValidatorMessage[]> {
  const report = await validateGltf(bytes, resources);
  const errors = errorsOf(report);
  const fatal = errors.filter((m) => CORRUPTING_ISSUES.has(m.code));
  if (fatal.length > 0) {
    throw new AppError("INPUT_CORRUPT", `the input fails glTF validation: ${summary(fatal)}`, { details: { validator_errors: fatal.slice(0, 20) } });
  }
  return errors;
}

/** An output must have no validator error at all; `what` names it in the message. */
export async function assertValidOutput(glb: Uint8Array, what: string): Promise<ValidationReport> {
  const report = await validateGltf(glb);
  const errors = errorsOf(report);
  if (errors.length > 0) throw new AppError("INVALID_OUTPUT", `${what} fails glTF validation (${errors.length} errors): ${summary(errors)}`, { details: { validator_errors: errors.slice(0, 20) } });
  return report;
}
