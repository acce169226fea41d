/** Where each projection remembers how far it has read the store (DESIGN.md §1: projections read
 * the store from a stored checkpoint). Adapters: the SQL event store (PGlite or a server). */
export interface CheckpointStore {
  /** The last position the projection has fully handled, or null when it never saved one. */
  load(name: string): Promise<bigint | null>;
  /** Records that every event up to `position` is handled. A checkpoint never moves backwards: a
   * lower position than the stored one is ignored, so a stale leader cannot rewind its successor. */
  save(name: string, position: bigint): Promise<void>;
}
