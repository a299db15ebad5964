import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { podSecurityProblems } from '../../src/render/pod-security.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { jsonOf, startServer, type RunningServer } from '../support/serve.ts';
import { expectNoClearSecrets } from '../support/clear-secrets.ts';
import { ageKeygen, openSops } from '../support/sops-check.ts';

const IMAGE = `registry.apps.lan/slipway/slipway:0.16.0@sha256:${'0123456789abcdef'.repeat(4)}`;
const { home, cwd } = tempHome('slipway-bootstrap-incluster-');
const key = ageKeygen(cwd);
const out = join(cwd, 'gitops');
const folder = join(out, 'kubernetes/slipway');
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

function writeConfig(image: string): void {
  writeFileSync(
    join(cwd, 'slipway.yaml'),
    [
      'target: cluster',
      'git:',
      '  gitops: { url: "https://git.apps.lan/homelab.git", https: { token: { env: GITOPS_TOKEN } } }',
      'render: { appsDomain: apps.lan }',
      `bootstrap: { slipway: { image: "${image}" } }`,
      '',
    ].join('\n'),
  );
}
const bootstrap = () => runCli(['bootstrap', '--out', out, '--age-recipient', key.recipient, '--registry', '--json'], { home, cwd, env: { GITOPS_TOKEN: 'the-gitops-token-of-this-test' } });
const opened = (file: string) => openSops(readFileSync(join(folder, file), 'utf8'), key.keyFile);
const yamlOf = (file: string) => parse(readFileSync(join(folder, file), 'utf8'));

describe('slipway bootstrap with Slipway and its registry in the cluster', () => {
  it('writes Slipway and the registry beside the rest, their Secrets encrypted, restricted pods, and nothing new on a second run', async () => {
    writeConfig(IMAGE);
    const first = await bootstrap();
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout);
    for (const file of ['slipway/deployment.yaml', 'slipway/configmap.yaml', 'slipway/httproute.yaml', 'registry/deployment.yaml', 'registry/garbage-collection.yaml', 'secrets/slipway-secrets.yaml', 'secrets/registry-htpasswd.yaml', 'secrets/slipway-registry-push.yaml', 'secrets/registry-pull-dynamic-apps.yaml']) {
      expect(result.files, file).toContain(`kubernetes/slipway/${file}`);
    }
    expect(parse(readFileSync(join(folder, 'kustomization.yaml'), 'utf8')).resources).toEqual(expect.arrayContaining(['slipway/deployment.yaml', 'registry/garbage-collection.yaml']));
    expect(podSecurityProblems(yamlOf('slipway/deployment.yaml').spec.template.spec)).toEqual([]);
    expect(podSecurityProblems(yamlOf('registry/garbage-collection.yaml').spec.jobTemplate.spec.template.spec)).toEqual([]);

    // The API token in the Secret is the one kept on this machine, and the carried GitOps token went along, encrypted.
    const secrets = opened('secrets/slipway-secrets.yaml');
    expect(secrets.macMatches).toBe(true);
    const data = (secrets.document as { stringData: Record<string, string> }).stringData;
    expect(data['api-token']).toBe(readFileSync(join(home, 'bootstrap', 'slipway-api-token'), 'utf8'));
    expect(data['git-gitops-token']).toBe('the-gitops-token-of-this-test');
    expect(data['registry-password']).toBe(readFileSync(join(home, 'bootstrap', 'registry-password'), 'utf8'));
    // No value in clear anywhere: the tokens, the password, and the htpasswd line that carries the password's hash.
    const htpasswd = (opened('secrets/registry-htpasswd.yaml').document as { stringData: Record<string, string> }).stringData['htpasswd']!;
    expectNoClearSecrets(out, [data['api-token']!, data['git-gitops-token']!, data['registry-password']!, data['flux-receiver-token']!, htpasswd.trim()]);
    expect(JSON.stringify(result)).not.toContain('the-gitops-token-of-this-test');

    const second = await bootstrap();
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).changed).toEqual([]);
  });

  it('starts Slipway from the ConfigMap and Secret it wrote, and answers the token kept on this machine', async () => {
    // The pod's view: slipway.yaml from the ConfigMap, the Secret's keys as files (their mount point moved into a temporary folder).
    const pod = mkdtempSync(join(cwd, 'pod-'));
    const mounted = join(pod, 'secrets');
    mkdirSync(mounted);
    const data = (opened('secrets/slipway-secrets.yaml').document as { stringData: Record<string, string> }).stringData;
    for (const [name, value] of Object.entries(data)) writeFileSync(join(mounted, name), value);
    const configText = (yamlOf('slipway/configmap.yaml').data['slipway.yaml'] as string).replaceAll('/var/run/secrets/slipway/', `${mounted}/`);
    const config = parse(configText);
    expect(config.kube).toEqual({ inCluster: true });
    // No cluster here: the rest of the file is as written.
    delete config.kube;
    writeFileSync(join(pod, 'slipway.yaml'), JSON.stringify(config));
    const podHome = join(pod, 'home');
    const server = await startServer({ home: podHome, cwd: pod, env: { SLIPWAY_CONFIG: join(pod, 'slipway.yaml') }, args: ['--host', '0.0.0.0'] });
    servers.push(server);
    const url = server.url.replace('0.0.0.0', '127.0.0.1');
    const kept = readFileSync(join(home, 'bootstrap', 'slipway-api-token'), 'utf8');
    expect((await fetch(`${url}/v1/apps`)).status).toBe(401);
    const listed = await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${kept}` } });
    expect(listed.status).toBe(200);
    expect(await jsonOf(listed)).toEqual({ apps: [] });
    // The CLI talks to it with the kept token file, as the README shows.
    const remote = await runCli(['--server', url, '--token-file', join(home, 'bootstrap', 'slipway-api-token'), 'list'], { home: join(pod, 'client'), cwd: pod });
    expect(remote.code, remote.stderr).toBe(0);
    expect(await server.stop()).toBe(0);
  });

  it('refuses an image that is not pinned by a digest, saying how to get one', async () => {
    writeConfig('registry.apps.lan/slipway/slipway:latest');
    const refused = await bootstrap();
    expect(refused.code).toBe(2);
    // With --json the error is a JSON object on stdout.
    const error = JSON.parse(refused.stdout);
    expect(JSON.stringify(error)).toContain('is not pinned by a digest');
    expect(JSON.stringify(error)).toContain('npm run image');
    writeConfig(IMAGE);
  });
});
