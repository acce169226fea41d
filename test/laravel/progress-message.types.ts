// Type-level check, run by `tsc -p docs/laravel/react`: every message the service sends fits the
// kit's hand-written ProgressMessage, and the two name the same fields (the kit may type an enum,
// such as the error code, as a plain string).
import type { ProgressMessage as ServiceProgress } from "../../src/contracts/progress-message.ts";
import type { ProgressMessage as KitProgress } from "../../docs/laravel/react/progress-message.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const serviceFitsKit: [ServiceProgress] extends [KitProgress] ? true : false = true;
export const sameFields: Same<keyof KitProgress, keyof ServiceProgress> = true;
export const sameProgressFields: Same<keyof KitProgress["progress"], keyof ServiceProgress["progress"]> = true;
