import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { PROXY_PORT, PROXY_SECRET_FILE, accessProxySecret, cookieSecretFromHex, type AccessProxySettings } from './access-proxy.ts';
import { renderApp, renderAppChecked } from './app.ts';
import { podSecurityProblems } from './pod-security.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';

const PROXY: AccessProxySettings = {
  image: `quay.io/oauth2-proxy/oauth2-proxy:v7.12.0@sha256:${'ab'.repeat(32)}`,
  issuerUrl: 'https://auth.k8s-lab.dev',
  clientId: 'slipway-apps',
  allowedEmails: ['grace@example.com', 'ada@example.com'],
  allowedGroups: ['homelab-admins'],
  emailDomains: [],
};

/** The rendered private app's objects by kind, validated against the upstream schemas as a commit would be. */
function privateApp(proxy: AccessProxySettings = PROXY) {
  const { files, objects } = renderAppChecked(sampleSpec(), { image: SAMPLE_IMAGE, accessProxy: proxy }, defaultRenderSettings());
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind) as any[];
  return { files, byKind };
}

describe('an oauth2-proxy sidecar for a private app', () => {
  it('puts the proxy in the pod, restricted like the app, probed on /ping, in front of the app on loopback', () => {
    const [deployment] = privateApp().byKind('Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.containers.map((c: { name: string }) => c.name)).toEqual(['pomodoro-timer', 'oauth2-proxy']);
    expect(podSecurityProblems(pod)).toEqual([]);
    const proxy = pod.containers[1];
    expect(proxy.image).toBe(PROXY.image);
    expect(proxy.args).toEqual(expect.arrayContaining([
      '--provider=oidc', '--oidc-issuer-url=https://auth.k8s-lab.dev', '--client-id=slipway-apps',
      '--http-address=0.0.0.0:4180', '--upstream=http://127.0.0.1:8080/', '--cookie-secure=true', '--reverse-proxy=true',
      '--authenticated-emails-file=/etc/oauth2-proxy/emails.txt', '--allowed-group=homelab-admins',
    ]));
    expect(proxy.ports).toEqual([{ name: 'proxy', containerPort: PROXY_PORT, protocol: 'TCP' }]);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(proxy[probe].httpGet).toEqual({ path: '/ping', port: 'proxy' });
    expect(proxy.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    // Secrets come from the app's Secret, never written in the Deployment.
    expect(proxy.env.map((e: { name: string; valueFrom: unknown }) => [e.name, e.valueFrom])).toEqual([
      ['OAUTH2_PROXY_CLIENT_SECRET', { secretKeyRef: { name: 'pomodoro-timer-oauth2-proxy', key: 'client-secret' } }],
      ['OAUTH2_PROXY_COOKIE_SECRET', { secretKeyRef: { name: 'pomodoro-timer-oauth2-proxy', key: 'cookie-secret' } }],
    ]);
    expect(pod.volumes).toContainEqual({ name: 'oauth2-proxy-emails', configMap: { name: 'pomodoro-timer-oauth2-proxy-emails' } });
  });

  it('sends the Service to the proxy, and lets only the gateway reach the proxy port', () => {
    const { byKind } = privateApp();
    const [service] = byKind('Service');
    const [policy] = byKind('NetworkPolicy');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'proxy', protocol: 'TCP' }]);
    expect(policy.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'gateway' } } }], ports: [{ protocol: 'TCP', port: 4180 }] }]);
  });

  it('lists the emails in a ConfigMap and the (encrypted elsewhere) Secret file in the kustomization', () => {
    const { files, byKind } = privateApp();
    expect(byKind('ConfigMap')[0].data).toEqual({ 'emails.txt': 'ada@example.com\ngrace@example.com\n' });
    const kustomization = parse(files.find((f) => f.path.endsWith('/app/kustomization.yaml'))!.content);
    expect(kustomization.resources).toEqual(expect.arrayContaining(['oauth2-proxy-emails.yaml', PROXY_SECRET_FILE]));
    // No Secret is rendered here: it exists only encrypted, written by the render step.
    expect(byKind('Secret')).toEqual([]);
    expect(files.some((f) => f.path.endsWith(PROXY_SECRET_FILE))).toBe(false);
  });

  it('lets in an email domain, or anyone the provider signs in when only groups are named', () => {
    const domain = privateApp({ ...PROXY, allowedEmails: [], allowedGroups: [], emailDomains: ['example.org'] }).byKind('Deployment')[0].spec.template.spec;
    expect(domain.containers[1].args).toContain('--email-domain=example.org');
    expect(domain.containers[1].args.some((a: string) => a.startsWith('--authenticated-emails-file'))).toBe(false);
    expect(domain.volumes.map((v: { name: string }) => v.name)).toEqual(['tmp']);
    const groups = privateApp({ ...PROXY, allowedEmails: [] }).byKind('Deployment')[0].spec.template.spec.containers[1].args;
    expect(groups).toEqual(expect.arrayContaining(['--email-domain=*', '--allowed-group=homelab-admins']));
  });

  it('leaves a public app as it was', () => {
    const spec = sampleSpec();
    const plain = renderApp(spec, { image: SAMPLE_IMAGE }, defaultRenderSettings());
    expect(plain.map((f) => f.path).some((p) => p.includes('oauth2-proxy'))).toBe(false);
    expect(plain.find((f) => f.path.endsWith('/service.yaml'))!.content).toContain('targetPort: http');
  });

  it('makes a cookie secret oauth2-proxy reads as a 32-byte key, and a Secret with both values', () => {
    const cookie = cookieSecretFromHex('f0'.repeat(32));
    expect(Buffer.from(cookie, 'base64url')).toHaveLength(32);
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(accessProxySecret('notes', 'dynamic-apps', {}, { clientSecret: 'client-secret-value', cookieSecret: cookie })).toEqual({
      name: 'notes-oauth2-proxy', namespace: 'dynamic-apps', labels: {}, stringData: { 'client-secret': 'client-secret-value', 'cookie-secret': cookie },
    });
  });
});
