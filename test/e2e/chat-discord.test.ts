import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { startFakeDiscord, type DiscordCall, type FakeDiscord } from '../support/discord-api.ts';
import { problemOf } from '../support/problem.ts';
import { deleteAllApps, jsonOf, startServer, type RunningServer } from '../support/serve.ts';

// A real `slipway serve` with chat.discord set; Discord's side is a key pair made here (Discord keeps
// the private half and shows the public one) and a local server standing in for its API.
const APP_ID = '1300000000000000001';
const BOT_TOKEN = 'MTMw.the-bot-token-of-this-test';
const ALICE = '1400000000000000001'; // in allowUsers
const EVE = '1400000000000000666'; // in no list
const BUILDERS = '1500000000000000001'; // an allowed channel
const GENERAL = '1500000000000000002';
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC_HEX = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');

const env = { DISCORD_BOT_TOKEN: BOT_TOKEN };
const main = tempHome('slipway-chat-discord-');
const broken = tempHome('slipway-chat-discord-broken-');
let discord: FakeDiscord;
let server: RunningServer;
let nextId = 1n;

function writeConfig(cwd: string, extra: string[] = []): void {
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, 'slipway.yaml'), [
    'local:', '  runtime: process', ...extra,
    'chat:', '  discord:',
    `    publicKey: "${PUBLIC_HEX}"`, `    applicationId: "${APP_ID}"`, '    botToken: { env: DISCORD_BOT_TOKEN }',
    `    apiUrl: ${discord.url}`,
    `    allowUsers: ["${ALICE}"]`, `    allowChannels: ["${BUILDERS}"]`, '',
  ].join('\n'));
}

/** The /slipway command as Discord sends it: from a guild member, or (no channel given) in a DM. */
function command(request: string | undefined, user: string, channel?: string) {
  const id = String(1_600_000_000_000_000_000n + nextId++);
  const token = `interaction-token-${id}`;
  discord.interactions.add(token);
  const who = channel ? { guild_id: '1700000000000000001', channel_id: channel, member: { user: { id: user, username: 'someone' }, roles: [] } } : { channel_id: `dm-${user}`, user: { id: user, username: 'someone' } };
  return {
    id, type: 2, application_id: APP_ID, token, version: 1, locale: 'en-GB',
    data: { id: '1800000000000000001', name: 'slipway', type: 1, ...(request === undefined ? {} : { options: [{ name: 'request', type: 3, value: request }] }) },
    ...who,
  };
}

/** Signed as Discord signs: hex Ed25519 of timestamp + raw body. */
function signedHeaders(body: string, key: KeyObject = privateKey, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
  return { 'content-type': 'application/json', 'x-signature-timestamp': timestamp, 'x-signature-ed25519': sign(null, Buffer.from(timestamp + body), key).toString('hex') };
}

function post(url: string, body: unknown, headers?: Record<string, string>): Promise<Response> {
  const text = JSON.stringify(body);
  return fetch(`${url}/v1/chat/discord`, { method: 'POST', headers: headers ?? signedHeaders(text), body: text });
}

/** The calls made with `token` once there are `count` of them (waits up to 60 s). */
async function callsFor(token: string, count: number): Promise<DiscordCall[]> {
  for (let i = 0; i < 600; i++) {
    const calls = discord.calls.filter((c) => c.path.includes(`/${token}`));
    if (calls.length >= count) return calls;
    await delay(100);
  }
  throw new Error(`fewer than ${count} calls for the interaction: ${JSON.stringify(discord.calls)}`);
}

async function runs(url: string): Promise<Array<{ runId: string; app: string; kind: string; status: string }>> {
  return (await jsonOf(fetch(`${url}/v1/runs`))).runs;
}

beforeAll(async () => {
  discord = await startFakeDiscord({ applicationId: APP_ID, botToken: BOT_TOKEN });
  writeConfig(main.cwd);
  server = await startServer({ ...main, env });
});

afterAll(async () => {
  // Apps run as processes of their own: whatever a test left is deleted before the server stops.
  if (server) await deleteAllApps(server);
  await server?.stop();
  await discord?.close();
});

describe('Discord chat commands', () => {
  it('answers a signed PING with PONG', async () => {
    const response = await post(server.url, { id: '1', type: 1, application_id: APP_ID, token: 't', version: 1 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 1 });
  });

  it('refuses a request without a signature, signed by another key, or whose body was changed, and starts nothing', async () => {
    const body = command('a pomodoro timer', ALICE, BUILDERS);
    const text = JSON.stringify(body);
    const other = generateKeyPairSync('ed25519').privateKey;
    const tampered = signedHeaders(JSON.stringify({ ...body, data: { ...body.data, name: 'other' } }));
    for (const headers of [{ 'content-type': 'application/json' }, signedHeaders(text, other), tampered, signedHeaders(text, privateKey, String(Math.floor(Date.now() / 1000) - 600))]) {
      await problemOf(await fetch(`${server.url}/v1/chat/discord`, { method: 'POST', headers, body: text }), 401);
    }
    const ping = await fetch(`${server.url}/v1/chat/discord`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":1}' });
    expect(ping.status).toBe(401);
    await delay(300);
    expect(await runs(server.url)).toEqual([]);
    expect(discord.calls).toEqual([]);
  });

  it('defers at once, replaces the answer with Building, then follows up with the URL, which answers; a retried interaction starts no second run', async () => {
    const interaction = command('a pomodoro timer with a dark theme', ALICE, GENERAL);
    const started = Date.now();
    const response = await post(server.url, interaction);
    const ackMs = Date.now() - started;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ type: 5 });
    expect(ackMs).toBeLessThan(3000);

    const [original] = await callsFor(interaction.token, 1);
    expect(original).toMatchObject({ method: 'PATCH', path: `/webhooks/${APP_ID}/${interaction.token}/messages/@original` });
    expect(original!.body.content).toMatch(/^Building pomodoro-timer-dark-theme… \(run run-\d{14}-[a-z0-9]{6}\)$/);
    expect(original!.body.allowed_mentions).toEqual({ parse: [] });
    const [run] = await runs(server.url);
    expect(['queued', 'running']).toContain(run!.status);

    expect(await jsonOf(post(server.url, interaction))).toEqual({ type: 5 });
    const followUp = (await callsFor(interaction.token, 3)).find((c) => c.method === 'POST')!;
    expect(followUp.path).toBe(`/webhooks/${APP_ID}/${interaction.token}`);
    const url = /is live: (http:\/\/\S+) \(run /.exec(followUp.body.content)?.[1];
    expect(followUp.body.content).toBe(`pomodoro-timer-dark-theme is live: ${url} (run ${run!.runId})`);
    expect((await fetch(url!)).status).toBe(200);
    await delay(500);
    expect(discord.calls.filter((c) => c.path.includes(interaction.token) && c.method === 'POST')).toHaveLength(1);
    expect(await runs(server.url)).toHaveLength(1);
  }, 120_000);

  it('answers list and help in a DM, anyone in an allowed channel, and refuses others politely', async () => {
    const list = command('list', ALICE);
    expect(await jsonOf(post(server.url, list))).toEqual({ type: 5 });
    expect((await callsFor(list.token, 1))[0]!.body.content).toMatch(/^1 app:\n• pomodoro-timer-dark-theme \(running\)/);
    const help = command(undefined, EVE, BUILDERS);
    await post(server.url, help);
    expect((await callsFor(help.token, 1))[0]!.body.content).toContain('status <app>');
    const refused = command('a contact form', EVE, GENERAL);
    await post(server.url, refused);
    const refusal = (await callsFor(refused.token, 1))[0]!.body.content as string;
    expect(refusal).toMatch(/^Sorry/);
    expect(refusal).toContain(`${EVE} to chat.discord.allowUsers`);
    expect(refusal).toContain(`${GENERAL} to chat.discord.allowChannels`);
    expect(await runs(server.url)).toHaveLength(1);
  });

  it('says which command it takes when sent another', async () => {
    const other = { ...command('list', ALICE), data: { id: '1', name: 'deploy', type: 1 } };
    expect(await jsonOf(post(server.url, other))).toEqual({ type: 4, data: { content: 'Slipway answers the /slipway command only.', flags: 64 } });
  });

  it('follows up a failing run with its stage, reason and hint', async () => {
    writeConfig(broken.cwd, ['git:', '  gitops:', '    url: /nonexistent/gitops.git']);
    const failing = await startServer({ ...broken, env });
    try {
      const interaction = command('a timer', ALICE);
      await post(failing.url, interaction);
      const followUp = (await callsFor(interaction.token, 2))[1]!;
      expect(followUp.method).toBe('POST');
      const [run] = await runs(failing.url);
      const report = await jsonOf(fetch(`${failing.url}/v1/runs/${run!.runId}`));
      expect(report.error.hint).toBeTruthy();
      expect(followUp.body.content).toMatch(new RegExp(`^timer: the create failed at manifests:commit \\(.+\\)\\. \\(run ${run!.runId}\\)\\nReason: `));
      expect(followUp.body.content).toContain(`Hint: ${report.error.hint}`);
    } finally {
      await failing.stop();
    }
  }, 120_000);

  it("keeps the bot token and interaction tokens out of the server's log", () => {
    const log = readFileSync(join(main.home, 'logs', 'slipway.log'), 'utf8');
    expect(log).toContain('chat request started a run');
    expect(log).not.toContain('the-bot-token');
    expect(log).not.toContain('interaction-token-');
  });
});

describe('slipway chat discord register-command', () => {
  it('registers /slipway with the bot token, printing its id and no token', async () => {
    const result = await runCli(['chat', 'discord', 'register-command'], { ...main, env });
    expect(result.code, result.stderr).toBe(0);
    const call = discord.calls.at(-1)!;
    expect(call).toMatchObject({ method: 'PUT', path: `/applications/${APP_ID}/commands` });
    expect(call.headers.authorization).toBe(`Bot ${BOT_TOKEN}`);
    expect(call.body).toEqual([{
      name: 'slipway', type: 1, description: expect.any(String),
      options: [{ type: 3, name: 'request', description: expect.stringContaining('status <app>'), required: false }],
    }]);
    expect(result.stdout).toMatch(new RegExp(`^Discord: registered /slipway \\(command \\d+\\) for application ${APP_ID}\\.`));
    const json = await runCli(['chat', 'discord', 'register-command', '--json'], { ...main, env });
    expect(JSON.parse(json.stdout)).toEqual({ applicationId: APP_ID, commands: [{ id: expect.stringMatching(/^\d+$/), name: 'slipway' }] });
    for (const output of [result, json]) expect(output.stdout + output.stderr).not.toContain('the-bot-token');
  });

  it("exits 1 with Discord's reason when the token is refused, 2 when none is set", async () => {
    const refused = await runCli(['chat', 'discord', 'register-command'], { ...main, env: { DISCORD_BOT_TOKEN: 'MTMw.a-revoked-token' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Discord: registering the command was refused: HTTP 401, 401: Unauthorized');
    expect(refused.stderr).not.toContain('revoked-token');
    const missing = await runCli(['chat', 'discord', 'register-command'], { ...main, env: {} });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('chat.discord.botToken: the environment variable DISCORD_BOT_TOKEN is not set');
  });
});
