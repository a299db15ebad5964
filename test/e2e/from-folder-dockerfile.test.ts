import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerName } from '../../src/adapters/runtime/podman-runtime.ts';
import { findInPath } from '../../src/adapters/os/index.ts';
import { ensureBaseImage } from '../support/base-image.ts';
import { runCli, tempHome } from '../support/cli.ts';

const PATH = process.env.PATH ?? '/usr/bin:/bin';
const podman = (() => { try { execFileSync('podman', ['--version']); return true; } catch { return false; } })();
const buildah = findInPath('buildah', PATH) !== undefined;

// Nothing can be pulled from the internet here: the Dockerfile starts FROM the tests' local base image
// (this machine's node in an OCI layout), as a homelab's Dockerfile starts FROM its registry's.
describe.skipIf(!podman || !buildah)('slipway create --from a folder with a Dockerfile', () => {
  it('builds the image from the Dockerfile with buildah, runs it under podman on its EXPOSE port, and its URL answers', async () => {
    const opts = tempHome('slipway-from-dockerfile-');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: podman\n');
    const base = await ensureBaseImage();
    const dir = join(opts.cwd, 'boxed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'server.js'), [
      "const { createServer } = require('node:http');",
      "createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : `built by my Dockerfile, port ${process.env.PORT}\\n`))",
      "  .listen(Number(process.env.PORT || 3000), '0.0.0.0');",
    ].join('\n'));
    writeFileSync(join(dir, 'Dockerfile'), [
      `FROM oci:${base.dir}:${base.hostTag}`,
      'WORKDIR /srv',
      'COPY server.js /srv/',
      'ENV PORT=3000',
      'USER 1000:1000',
      'EXPOSE 3000',
      'CMD ["node", "/srv/server.js"]',
      '',
    ].join('\n'));
    const result = await runCli(['create', '--from', dir, '--json'], opts);
    try {
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ app: 'boxed', status: 'succeeded', version: 'v1.0.0' });
      expect(await (await fetch(report.url)).text()).toBe('built by my Dockerfile, port 3000\n');
      const inspect = JSON.parse(execFileSync('podman', ['inspect', containerName('boxed', opts.home)], { encoding: 'utf8' }))[0];
      expect(inspect.State.Running).toBe(true);
      expect(inspect.Config.Cmd).toEqual(['node', '/srv/server.js']);
      // Tagged as Slipway's own images are, in the same store; the image is the Dockerfile's.
      const index = JSON.parse(readFileSync(join(opts.home, 'images', 'index.json'), 'utf8'));
      const tags = index.manifests.map((m: { annotations: Record<string, string> }) => m.annotations['org.opencontainers.image.ref.name']);
      expect(tags).toEqual([expect.stringMatching(/^boxed_v1\.0\.0-[0-9a-f]{7}-prod$/)]);
      const image = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `oci:${join(opts.home, 'images')}:${tags[0]}`], { encoding: 'utf8' }));
      expect(image.config).toMatchObject({ WorkingDir: '/srv', ExposedPorts: { '3000/tcp': {} }, Cmd: ['node', '/srv/server.js'] });
    } finally {
      await runCli(['delete', 'boxed'], opts);
      rmSync(opts.cwd, { recursive: true, force: true });
    }
  });
});
