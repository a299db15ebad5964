import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { jsonOf, startServer, type RunningServer } from '../support/serve.ts';

const servers: RunningServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

/** A home and a slipway.yaml as the cluster's ConfigMap has them: every address, the token read from a mounted file. */
function podLike(tokenFileText: string | undefined) {
  const dirs = tempHome('slipway-serve-token-');
  const secrets = join(dirs.cwd, 'secrets');
  mkdirSync(secrets);
  if (tokenFileText !== undefined) writeFileSync(join(secrets, 'api-token'), tokenFileText);
  const tokens = tokenFileText === undefined ? '' : `  tokens:\n    - name: bootstrap\n      token: { file: ${join(secrets, 'api-token')} }\n`;
  writeFileSync(join(dirs.cwd, 'slipway.yaml'), `local:\n  runtime: process\nserver:\n  host: 0.0.0.0\n${tokens}`);
  return dirs;
}

describe('slipway serve with a token from slipway.yaml, as it starts in the cluster', () => {
  it('listens on every address with the token read from a file, and answers requests carrying it', async () => {
    // As `slipway bootstrap` generates it: 32 random bytes in hex, with the newline a file may end in.
    const token = randomBytes(32).toString('hex');
    const opts = podLike(`${token}\n`);
    const server = await startServer({ ...opts, args: ['--host', '0.0.0.0'] });
    servers.push(server);
    const url = server.url.replace('0.0.0.0', '127.0.0.1');

    expect((await fetch(`${url}/v1/apps`)).status).toBe(401);
    expect((await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${token.slice(0, -1)}0` } })).status).toBe(401);
    const listed = await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
    expect(listed.status).toBe(200);
    expect(await jsonOf(listed)).toEqual({ apps: [] });
    // An admin token: it may do what only admin may (the registry clean-up needs admin; no registry here, so not 401/403).
    const gc = await fetch(`${url}/v1/gc`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect([401, 403]).not.toContain(gc.status);
    expect(await server.stop()).toBe(0);

    // Kept hashed under its name, as `slipway token create` keeps tokens; its text is in no output.
    const list = await runCli(['token', 'list', '--json'], opts);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'bootstrap', scope: 'admin' }]);
    expect(`${list.stdout}${server.output().stdout}${server.output().stderr}`).not.toContain(token);
  });

  it('takes a new value of the secret at the next start, and refuses the old one', async () => {
    const first = randomBytes(32).toString('hex');
    const opts = podLike(first);
    const started = await startServer({ ...opts, args: ['--host', '0.0.0.0'] });
    const startedUrl = started.url.replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${startedUrl}/v1/apps`, { headers: { authorization: `Bearer ${first}` } })).status).toBe(200);
    expect(await started.stop()).toBe(0);
    const second = randomBytes(32).toString('hex');
    writeFileSync(join(opts.cwd, 'secrets', 'api-token'), second);
    const server = await startServer({ ...opts, args: ['--host', '0.0.0.0'] });
    servers.push(server);
    const url = server.url.replace('0.0.0.0', '127.0.0.1');
    expect((await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${first}` } })).status).toBe(401);
    expect((await fetch(`${url}/v1/apps`, { headers: { authorization: `Bearer ${second}` } })).status).toBe(200);
    expect(await server.stop()).toBe(0);
  });

  it('refuses every address without a token, and a token too short to be one', async () => {
    const without = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], podLike(undefined));
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('refusing to listen on 0.0.0.0 without API tokens');

    const short = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], podLike('hunter2-hunter2'));
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("the token given for 'bootstrap' is not one Slipway accepts");
    expect(short.stderr).not.toContain('hunter2');

    const empty = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], podLike(''));
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('server.tokens[0].token: cannot read the secret file');
  });
});
