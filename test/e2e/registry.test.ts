import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureBaseImage } from '../support/base-image.ts';
import { runCli, tempHome } from '../support/cli.ts';
import { startRegistry, type RegistryServer } from '../support/registry-server.ts';

const skopeo = (() => { try { execFileSync('skopeo', ['--version']); return true; } catch { return false; } })();
let server: RegistryServer;

beforeAll(async () => {
  server = await startRegistry({ mode: 'plain' });
});
afterAll(async () => {
  await server?.stop();
});

describe('slipway create with a registry', () => {
  it('pushes the app image to the registry and pins it by digest in the manifests', async () => {
    const base = await ensureBaseImage();
    const opts = tempHome('slipway-registry-');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), [
      'local:', '  runtime: process',
      'registry:', `  host: ${server.host}`, '  insecure: true', '  repository: dynamic-apps',
      'image:', `  base: ${base.hostRef}`,
    ].join('\n') + '\n');

    const doctor = JSON.parse((await runCli(['doctor', '--json'], opts)).stdout);
    expect(doctor.checks.find((c: { name: string }) => c.name === 'registry')).toMatchObject({ status: 'ok' });

    const result = await runCli(['create', 'a landing page for my bakery', '--name', 'bakery', '--json'], opts);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    try {
      const build = report.timeline.find((s: { stepId: string }) => s.stepId === 'image:build');
      expect(build.status).toBe('succeeded');
      const deployment = parse(execFileSync('git', ['--git-dir', join(opts.home, 'git', 'gitops.git'), 'show', 'main:kubernetes/apps/dynamic/bakery/app/deployment.yaml'], { encoding: 'utf8' }));
      const image: string = deployment.spec.template.spec.containers[0].image;
      // Tagged with the version, the short source commit and the environment.
      const tag = `v1.0.0-${report.commits.source.slice(0, 7)}-prod`;
      expect(report.version).toBe('v1.0.0');
      expect(image).toMatch(new RegExp(`^${server.host.replace(/\./g, '\\.')}/dynamic-apps/bakery:${tag}@sha256:[0-9a-f]{64}$`));
      const digest = image.split('@')[1]!;

      // The registry has it under the tag, with that digest.
      const head = await fetch(`${server.url}/v2/dynamic-apps/bakery/manifests/${tag}`, {
        method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
      });
      expect(head.status).toBe(200);
      expect(head.headers.get('docker-content-digest')).toBe(digest);
      if (skopeo) {
        const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${server.host}/dynamic-apps/bakery:${tag}`], { encoding: 'utf8' }));
        expect(inspected.Digest).toBe(digest);
        expect(inspected.Labels['org.opencontainers.image.revision']).toBe(report.commits.source);
      }
      expect((await fetch(report.url)).status).toBe(200);
    } finally {
      await runCli(['delete', 'bakery'], opts);
    }
  });
});
