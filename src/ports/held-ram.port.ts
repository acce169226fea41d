/** The RAM idle warm workers hold between tasks, as the node's resource broker accounts for it: a
 * worker pool asks before it keeps a process idle, gives the RAM back when the process is taken by a
 * task (whose grant covers it from then on) or has exited, and retires idle processes when asked. */
export interface HeldRamAccount {
  /** Asks to hold `bytes` under `holdId` (an id not held yet): true when it fits the broker's RAM
   * target without making a waiting task wait; false, and nothing held, otherwise. */
  hold(holdId: string, bytes: number): boolean;
  /** The hold's RAM is given back; unknown ids are ignored. */
  unhold(holdId: string): void;
  /** `reclaim(bytes)` is called when waiting tasks need that much held RAM back: the pool retires
   * idle processes holding at least that much (and unholds each once it has exited). Returns the
   * function that stops the calls. */
  onReclaim(reclaim: (bytes: number) => void): () => void;
}
