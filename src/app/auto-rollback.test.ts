import { describe, expect, it } from 'vitest';
import type { Run } from '../domain/index.ts';
import { StepOutputs } from '../pipeline/index.ts';
import { autoRollbackAfter } from './auto-rollback.ts';

const run = (kind: Run['kind']): Run => ({
  id: 'run-20261206070000-abcdef', kind, app: 'pomodoro', status: 'failed', request: { app: 'pomodoro' },
  createdAt: '2026-12-06T07:00:00.000Z', updatedAt: '2026-12-06T07:00:00.000Z', timeline: [], events: 0,
});
const shipped = (previous?: string) => new StepOutputs([['version:next', { version: 'v1.1.0', env: 'prod', ...(previous ? { previous } : {}) }]]);
const failedAt = (stepId: string) => ({
  status: 'failed' as const,
  error: { name: 'ExternalServiceError', message: `step ${stepId} failed: reconcile: HealthCheckFailed\nmore lines`, stepId },
});

describe('autoRollbackAfter', () => {
  it('rolls a change back to the version before it when its await stage failed, saying why in one line', () => {
    expect(autoRollbackAfter(run('change'), failedAt('cluster:await'), shipped('v1.0.0'))).toEqual({
      to: 'v1.0.0', env: 'prod', reason: 'v1.1.0 failed cluster:await: reconcile: HealthCheckFailed',
    });
    expect(autoRollbackAfter(run('create'), failedAt('app:await'), shipped('v1.0.0'))?.to).toBe('v1.0.0');
  });

  it('leaves alone failures before the await stage, other kinds, cancelled runs and apps with no earlier version', () => {
    expect(autoRollbackAfter(run('change'), failedAt('source:verify'), shipped('v1.0.0'))).toBeUndefined();
    expect(autoRollbackAfter(run('rollback'), failedAt('cluster:await'), shipped('v1.0.0'))).toBeUndefined();
    expect(autoRollbackAfter(run('change'), { status: 'cancelled' }, shipped('v1.0.0'))).toBeUndefined();
    expect(autoRollbackAfter(run('create'), failedAt('app:await'), shipped())).toBeUndefined();
  });
});
