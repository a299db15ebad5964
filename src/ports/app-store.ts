import type { AppRecord } from '../domain/index.ts';

/** What apps exist, and their state. */
export interface AppStore {
  get(name: string): Promise<AppRecord | undefined>;
  list(): Promise<AppRecord[]>;
  upsert(record: AppRecord): Promise<void>;
  remove(name: string): Promise<void>;
}
