import { z } from 'zod';
import { defineStep } from '../../pipeline/index.ts';
import { AppName } from '../schemas.ts';

/** What the step needs of the local databases. */
export interface LocalDataStore {
  exists(app: string): boolean;
  folder(app: string): string;
  remove(app: string): Promise<void>;
}

/** What a delete was told to do with the app's data: nothing to decide for an app without any. */
export const DataChoice = z.enum(['keep', 'delete']);
export type DataChoice = z.infer<typeof DataChoice>;

/**
 * Deletes the app's local database (its folder under the home) when the delete said `--delete-data`;
 * with `--keep-data` it stays, stopped, and an app created again under the same name finds it.
 */
export const createRemoveLocalDataStep = ({ databases }: { databases: LocalDataStore }) =>
  defineStep({
    id: 'database:remove',
    title: "Delete the app's data",
    input: z.object({ app: AppName, data: DataChoice.optional() }),
    output: z.object({ removed: z.boolean(), kept: z.string().optional() }),
    summarize: (o) => (o.kept ? `kept the database in ${o.kept}` : o.removed ? 'database deleted' : 'no database'),
    run: async (ctx) => {
      const { app, data } = ctx.input;
      if (!databases.exists(app)) return { removed: false };
      if (data !== 'delete') return { removed: false, kept: databases.folder(app) };
      await databases.remove(app);
      return { removed: true };
    },
  });
