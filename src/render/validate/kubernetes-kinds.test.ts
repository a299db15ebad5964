import { describe, expect, it } from 'vitest';
import { builtinKindProblems } from './kubernetes-kinds.ts';

describe('builtinKindProblems', () => {
  it('checks a Kubernetes kind against its OpenAPI schema', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } };
    expect(builtinKindProblems(service)).toEqual([]);
    const wrong = { ...service, spec: { ports: [{ port: '80' }] } };
    expect(builtinKindProblems(wrong)).toEqual([{ path: 'spec.ports[0].port', message: 'must be integer' }]);
  });

  it('has no schema for a kind the package does not carry', () => {
    expect(builtinKindProblems({ apiVersion: 'apps/v1', kind: 'Pipeline' })).toBeUndefined();
    expect(builtinKindProblems({ apiVersion: 'example.org/v1', kind: 'Deployment' })).toBeUndefined();
  });

  it('has no schema for a part of a kind (a spec is not an object of its own)', () => {
    expect(builtinKindProblems({ apiVersion: 'apps/v1', kind: 'DeploymentSpec' })).toBeUndefined();
  });

  it('never turns an apiVersion or kind that is no name into a file path', () => {
    expect(builtinKindProblems({ apiVersion: '../../v1', kind: 'Service' })).toBeUndefined();
    expect(builtinKindProblems({ apiVersion: 'apps/v1', kind: '../v1/Deployment' })).toBeUndefined();
  });
});
