import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { ExecCredentialPlugin } from './exec-credential.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-exec-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const cluster = { server: 'https://127.0.0.1:6443', ca: 'PEM' };

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

describe('ExecCredentialPlugin', () => {
  it('passes args as an array, tells the plugin about the cluster when asked, and reads token and client certificate', async () => {
    const command = await script('plugin', [
      `printf '%s\\n' "$@" > "${dir}/args"`,
      `printf '%s' "$KUBERNETES_EXEC_INFO" > "${dir}/info"`,
      `printf '{"kind":"ExecCredential","status":{"token":"t0k3n","clientCertificateData":"CERT","clientKeyData":"KEY"}}'`,
    ].join('\n'));
    const plugin = new ExecCredentialPlugin({ command, args: ['get-token', '--name', 'a b; rm -rf /'], provideClusterInfo: true }, { baseDir: dir, env: {}, cluster });

    expect(await plugin.get()).toEqual({ token: 't0k3n', clientCert: 'CERT', clientKey: 'KEY' });
    expect(await readFile(join(dir, 'args'), 'utf8')).toBe('get-token\n--name\na b; rm -rf /\n');
    expect(JSON.parse(await readFile(join(dir, 'info'), 'utf8'))).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: cluster.server, 'certificate-authority-data': Buffer.from('PEM').toString('base64') } },
    });
  });

  it('keeps a credential until its expirationTimestamp, then runs the plugin again', async () => {
    const command = await script('plugin', `n=$(cat "${dir}/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${dir}/n"\nprintf '{"status":{"token":"token-%s","expirationTimestamp":"2030-01-01T00:10:00Z"}}' $n`);
    let now = Date.parse('2030-01-01T00:00:00Z');
    const plugin = new ExecCredentialPlugin({ command }, { baseDir: dir, env: {}, cluster, now: () => now });

    expect((await plugin.get()).token).toBe('token-1');
    expect((await plugin.get()).token).toBe('token-1');
    now = Date.parse('2030-01-01T00:10:01Z');
    expect((await plugin.get()).token).toBe('token-2');
  });

  it('names the command when it fails, and never quotes what it printed on stdout', async () => {
    const command = await script('failing', `echo '{"status":{"token":"leaked-s3cret"}}'\necho 'error: not logged in' >&2\nexit 3`);
    const plugin = new ExecCredentialPlugin({ command, installHint: 'Run lab-login first.' }, { baseDir: dir, env: {}, cluster });

    const error = await plugin.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`the kubeconfig credential plugin ${command} failed (exit code 3): error: not logged in`);
    expect((error as ConfigError).hint).toBe('Run lab-login first.');
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain('leaked-s3cret');

    const garbled = new ExecCredentialPlugin({ command: await script('garbled', 'echo "token=leaked-s3cret"') }, { baseDir: dir, env: {}, cluster });
    const bad = (await garbled.get().catch((e: unknown) => e)) as Error;
    expect(bad.message).toMatch(/printed something that is not ExecCredential JSON/);
    expect(bad.message).not.toContain('leaked-s3cret');
  });

  it('says what to do when the command is missing, or needs a terminal', async () => {
    const missing = new ExecCredentialPlugin({ command: 'slipway-no-such-plugin' }, { baseDir: dir, env: { PATH: dir }, cluster });
    await expect(missing.get()).rejects.toThrow(/cannot start the kubeconfig credential plugin slipway-no-such-plugin: ENOENT/);
    expect(() => new ExecCredentialPlugin({ command: 'kubelogin', interactiveMode: 'Always' }, { baseDir: dir, env: {}, cluster })).toThrow(/needs a terminal/);
    expect(() => new ExecCredentialPlugin({ command: 'kubelogin', args: 'get-token --x' as unknown as string[] }, { baseDir: dir, env: {}, cluster })).toThrow(/args that are not a list of strings/);
  });
});
