/** Lines added and removed in one file; absent counts mean the file is binary. */
export interface LineCounts {
  added?: number;
  removed?: number;
}

/** Counts the lines that differ between two folders holding two versions of an app. */
export interface SourceDiffer {
  /** By path relative to the folders, every file that differs (added, changed or removed). */
  lineCounts(before: string, after: string, signal?: AbortSignal): Promise<Map<string, LineCounts>>;
}
