import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitRepo, tempRoot, trailersFor } from '../adapters/git/cli-git.test-support.ts';
import { ConfigSchema, type ResolvedConfig } from '../config/index.ts';
import { createRenderStep } from '../steps/manifests-render/index.ts';
import { sampleSpec, SAMPLE_IMAGE } from '../render/test-fixtures.ts';
import { expectNoClearSecrets } from '../../test/support/clear-secrets.ts';
import { createBareRepo } from '../../test/support/git-fixtures.ts';
import { defaultRenderSettings } from '../../test/support/render-settings.ts';
import { ageKeygen, openSops } from '../../test/support/sops-check.ts';
import { accessProxyParts, cookieSecretName } from './access-wiring.ts';

const root = tempRoot();
afterAll(() => rmSync(root, { recursive: true, force: true }));
const CLIENT_SECRET = 'oidc-client-secret-for-tests-5b7e';

function configFor(recipient: string, home: string): ResolvedConfig {
  const file = ConfigSchema.parse({
    target: 'cluster',
    secrets: { backend: 'sops', ageRecipients: [recipient] },
    access: {
      default: 'private', provider: 'oauth2-proxy',
      oauth2Proxy: {
        image: `quay.io/oauth2-proxy/oauth2-proxy:v7.12.0@sha256:${'cd'.repeat(32)}`, issuerUrl: 'https://auth.k8s-lab.dev', clientId: 'slipway-apps',
        clientSecret: { env: 'OIDC_CLIENT_SECRET' }, emailDomains: ['example.org'],
      },
    },
  });
  return { ...file, home, cache: join(home, 'cache'), logLevel: 'silent' };
}

describe('oauth2-proxy for private apps, rendered and encrypted', () => {
  it('commits the proxy Secret encrypted with SOPS to the age recipient, the same bytes on the next render, and no value in clear', async () => {
    const key = ageKeygen(root);
    const home = join(root, 'home');
    const repo = gitRepo(await createBareRepo(join(root, 'gitops.git')), join(root, 'cache'));
    const parts = accessProxyParts(configFor(key.recipient, home), { OIDC_CLIENT_SECRET: CLIENT_SECRET }, repo)!;
    const step = createRenderStep({ settings: defaultRenderSettings(), accessProxy: parts });
    const render = (access: 'public' | 'private') => step.run({
      input: { spec: sampleSpec(), image: SAMPLE_IMAGE, access }, runId: 'run-1', logger: pino({ level: 'silent' }), signal: new AbortController().signal,
    });

    const first = await render('private');
    const secretFile = first.files.find((f) => f.path.endsWith('/app/oauth2-proxy-secret.yaml'))!;
    const opened = openSops(secretFile.content, key.keyFile);
    expect(opened.macMatches).toBe(true);
    const values = (opened.document as { stringData: Record<string, string> }).stringData;
    expect(values['client-secret']).toBe(CLIENT_SECRET);
    expect(Buffer.from(values['cookie-secret']!, 'base64url')).toHaveLength(32);
    expect(opened.document).toMatchObject({ kind: 'Secret', metadata: { name: 'pomodoro-timer-oauth2-proxy', namespace: 'dynamic-apps' } });
    // The cookie secret is kept with the bootstrap's values, readable by this user only.
    const kept = join(home, 'bootstrap', 'secret-values.json');
    expect(Object.keys(JSON.parse(readFileSync(kept, 'utf8')))).toEqual(['oauth2-proxy-cookie-secret-pomodoro-timer']);
    expect(statSync(kept).mode & 0o077).toBe(0);

    // Committed, then rendered again: the encrypted file already there still says the same, so it is kept.
    await repo.commit({ message: 'v1', trailers: trailersFor('pomodoro-timer', 'run-1'), apply: async (tree) => { for (const f of first.files) await tree.write(f.path, f.content); } });
    const second = await render('private');
    expect(second.files.find((f) => f.path === secretFile.path)!.content).toBe(secretFile.content);
    expect(parse(second.files.find((f) => f.path.endsWith('/app/service.yaml'))!.content).spec.ports[0].targetPort).toBe('proxy');

    // Nothing rendered holds a value in clear.
    const out = join(root, 'out');
    for (const f of [...first.files, ...second.files]) {
      mkdirSync(dirname(join(out, f.path)), { recursive: true });
      writeFileSync(join(out, f.path), f.content);
    }
    expectNoClearSecrets(out, [CLIENT_SECRET, values['cookie-secret']!]);

    // A public app gets neither the proxy nor its Secret.
    const open = await render('public');
    expect(open.files.some((f) => f.path.includes('oauth2-proxy'))).toBe(false);
  });

  it('is absent unless the provider is oauth2-proxy on the cluster target', async () => {
    const config = configFor(ageKeygen(root, 'other.txt').recipient, join(root, 'home2'));
    const repo = gitRepo(await createBareRepo(join(root, 'unused.git')), join(root, 'cache2'));
    expect(accessProxyParts({ ...config, target: 'local' }, {}, repo)).toBeUndefined();
    expect(accessProxyParts({ ...config, access: { ...config.access, provider: 'cloudflare' } }, {}, repo)).toBeUndefined();
  });

  it('keeps each cookie secret under a DNS-label name, the longest app names included', () => {
    expect(cookieSecretName('notes')).toBe('oauth2-proxy-cookie-secret-notes');
    const long = cookieSecretName('a-very-long-app-name-of-forty-characters');
    expect(long).toMatch(/^oauth2-proxy-cookie-secret-a-very-long-app-name-of-for-[0-9a-f]{8}$/);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(cookieSecretName('a-very-long-app-name-of-forty-characterz')).not.toBe(long);
  });
});
