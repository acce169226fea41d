import type { IoLimiter } from "./io-limiter.ts";
import type { ObjectStorage } from "../../ports/storage.port.ts";

/** Storage whose transfers wait for a place in the I/O limiter: downloads and uploads have their own
 * concurrency limit and never count against the CPU slots the broker grants. */
export function limitTransfers<S extends ObjectStorage>(storage: S, limiter: IoLimiter): S {
  return {
    ...storage,
    download: (bucket, key, destPath, options) => limiter.run(() => storage.download(bucket, key, destPath, options), options?.signal),
    upload: (bucket, key, srcPath, options) => limiter.run(() => storage.upload(bucket, key, srcPath, options), options?.signal),
  };
}
