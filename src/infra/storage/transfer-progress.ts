/** What a transfer observer sees, for uploads and downloads alike (progress bar, metrics). */
export interface TransferProgress {
  direction: "upload" | "download";
  bucket: string;
  key: string;
  loaded: number;
  total: number | undefined;
  /** Upload part number (1 for a single PutObject). */
  part?: number;
}
