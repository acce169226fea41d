// Type-level check, run by `tsc -p docs/laravel/react`: the kit's hand-written ProgressMessage
// and the service's zod schema describe the same message, both ways.
import type { ProgressMessage as ServiceProgress } from "../../src/contracts/progress-message.ts";
import type { ProgressMessage as KitProgress } from "../../docs/laravel/react/progress-message.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const kitMatchesService: Same<KitProgress, ServiceProgress> = true;
