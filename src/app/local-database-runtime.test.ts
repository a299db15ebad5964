import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalPostgres } from '../adapters/database/local-postgres.ts';
import { ConfigError } from '../domain/errors.ts';
import type { AppRuntime, StartRequest } from '../ports/index.ts';
import { sampleSpec } from '../render/test-fixtures.ts';
import { withLocalDatabase } from './local-database-runtime.ts';

/** A runtime that only notes what it was asked to start (the real ones are tested on their own). */
function recordingRuntime(name: string): AppRuntime & { started: StartRequest[] } {
  const started: StartRequest[] = [];
  return {
    name, started,
    start: async (request) => {
      started.push(request);
      return { url: 'http://127.0.0.1:1/', handle: {} };
    },
    stop: async () => {},
    status: async () => 'stopped',
    logTail: async () => '',
    logs: async function* () {},
  };
}

const root = await mkdtemp(join(tmpdir(), 'slipway-dbruntime-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('withLocalDatabase', () => {
  const databases = new LocalPostgres({ root: join(root, 'databases') });

  it('starts an app without a database exactly as asked, and makes no database', async () => {
    const inner = recordingRuntime('process');
    const request = { app: 'timer', dir: '/nowhere', spec: sampleSpec({ name: 'timer' }), env: { GREETING: 'hi' } };
    await withLocalDatabase(inner, databases).start(request);
    expect(inner.started).toEqual([request]);
    expect(databases.exists('timer')).toBe(false);
  });

  it('refuses a container runtime for an app with a database, before making one', async () => {
    const inner = recordingRuntime('podman');
    const spec = sampleSpec({ name: 'guestbook', needs: { database: 'postgres' } });
    const error = await withLocalDatabase(inner, databases).start({ app: 'guestbook', dir: '/nowhere', spec }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).hint).toContain('local.runtime: process');
    expect(inner.started).toEqual([]);
    expect(databases.exists('guestbook')).toBe(false);
  });
});
