/** Why a running task's AbortSignal fired: each ends the task differently. */
export class CancelRequested extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`cancelled: ${reason}`);
    this.reason = reason;
    this.name = "CancelRequested";
  }
}

export class ShutdownRequested extends Error {
  constructor() {
    super("node shutting down");
    this.name = "ShutdownRequested";
  }
}
