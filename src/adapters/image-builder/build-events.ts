/** What the builder reports while it works (for progress bars and timelines). */
export type BuildProgressEvent =
  | { type: 'base-resolved'; base: string; digest: string; platforms: string[] }
  | { type: 'layer-ready'; digest: string; diffId: string; size: number; cached: boolean; durationMs: number }
  | { type: 'blob'; digest: string; size: number; uploaded: boolean; mounted: boolean; bytes: number }
  | { type: 'manifest'; digest: string; platform?: string; tag?: string };
