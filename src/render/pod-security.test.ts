import { describe, expect, it } from 'vitest';
import { renderDeployment } from './deployment.ts';
import { podSecurityProblems } from './pod-security.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';

const pod = () => structuredClone(renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, defaultRenderSettings()).spec.template.spec) as unknown as Record<string, any>;

describe('podSecurityProblems', () => {
  it('passes the rendered pod', () => {
    expect(podSecurityProblems(pod())).toEqual([]);
  });

  it.each([
    ['root allowed', (p: any) => { p.securityContext.runAsNonRoot = false; delete p.containers[0].securityContext.runAsNonRoot; }, /runAsNonRoot/],
    ['user 0', (p: any) => { p.containers[0].securityContext.runAsUser = 0; }, /user 0/],
    ['privilege escalation', (p: any) => { delete p.containers[0].securityContext.allowPrivilegeEscalation; }, /allowPrivilegeEscalation/],
    ['capabilities kept', (p: any) => { p.containers[0].securityContext.capabilities = { drop: ['NET_RAW'] }; }, /drop ALL/],
    ['a capability added', (p: any) => { p.containers[0].securityContext.capabilities.add = ['SYS_ADMIN']; }, /SYS_ADMIN/],
    ['no seccomp profile', (p: any) => { delete p.securityContext.seccompProfile; delete p.containers[0].securityContext.seccompProfile; }, /seccompProfile/],
    ['a privileged container', (p: any) => { p.containers[0].securityContext.privileged = true; }, /privileged/],
    ['a hostPath volume', (p: any) => { p.volumes.push({ name: 'host', hostPath: { path: '/' } }); }, /hostPath/],
    ['the host network', (p: any) => { p.hostNetwork = true; }, /hostNetwork/],
  ])('reports %s', (_what, change, message) => {
    const p = pod();
    change(p);
    expect(podSecurityProblems(p).join('\n')).toMatch(message);
  });
});
