import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { deleteAllApps, jsonOf, startServer, type RunningServer } from '../support/serve.ts';
import { startSlackStandIn, type SlackStandIn } from '../support/slack-api.ts';

// The real `slipway serve` with chat.slack set, and a local server standing in for Slack: its Web
// API (chat.postMessage) and the response URLs of slash commands. Requests are signed here as
// Slack's documentation shows, independently of Slipway's code.
const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const BOT_TOKEN = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';
const ALICE = 'U024BE7LH';
const BOB = 'U0G9QF9C6';
const EVE = 'U0EVE0001';
const BUILDERS = 'C061EG9SL';
const RANDOM = 'C0RANDOM1';

let slack: SlackStandIn;
let server: RunningServer;
let home: string;
let serverCwd: string;
const servers: RunningServer[] = [];

function slackYaml(apiUrl: string, extra = ''): string {
  return [
    'local:', '  runtime: process',
    'chat:', '  slack:',
    '    signingSecret: { env: SLACK_SIGNING_SECRET }',
    '    botToken: { env: SLACK_BOT_TOKEN }',
    `    apiUrl: ${apiUrl}`,
    `    allowUsers: [${ALICE}, ${BOB}]`,
    `    allowChannels: [${BUILDERS}]`,
    `    allowDelete: [${ALICE}]`,
    extra,
  ].join('\n');
}

async function startSlackServer(extraYaml = ''): Promise<{ server: RunningServer; home: string; cwd: string }> {
  const { home, cwd } = tempHome('slipway-chat-slack-');
  writeFileSync(join(cwd, 'slipway.yaml'), slackYaml(slack.apiUrl, extraYaml));
  const started = await startServer({ home, cwd, env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN } });
  servers.push(started);
  return { server: started, home, cwd };
}

/** The token a test creates on the main server; from then on its API asks for it. */
let adminToken: string | undefined;

beforeAll(async () => {
  slack = await startSlackStandIn(BOT_TOKEN);
  ({ server, home, cwd: serverCwd } = await startSlackServer());
}, 90_000);

afterAll(async () => {
  // The apps the runs started are processes of their own: deleted, so none outlives the test.
  for (const s of servers) {
    await deleteAllApps(s, s === server && adminToken ? { authorization: `Bearer ${adminToken}` } : {});
    await s.stop();
  }
  await slack?.close();
});

/** Slack's signature: v0= and the hex HMAC-SHA256 of "v0:<timestamp>:<raw body>" with the signing secret. */
function slackHeaders(body: string, contentType: string, timestamp = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': `v0=${signature}` };
}

let triggers = 0;
/** A slash command's form body as Slack sends it; its response_url is the stand-in's. */
function slashBody(text: string, user = ALICE, channel = RANDOM, expired = false): { body: string; replyTo: string } {
  triggers += 1;
  const replyTo = `${expired ? 'expired-' : ''}T${triggers}`;
  const body = new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO', team_id: 'T0001', team_domain: 'example', channel_id: channel, channel_name: 'test',
    user_id: user, user_name: 'someone', command: '/slipway', text, api_app_id: 'A123456', is_enterprise_install: 'false',
    response_url: slack.responseUrl(replyTo), trigger_id: `13345224609.738474920.${String(triggers).padStart(8, '0')}`,
  }).toString();
  return { body, replyTo };
}

function command(body: string, headers = slackHeaders(body, 'application/x-www-form-urlencoded'), target = server): Promise<Response> {
  return fetch(`${target.url}/v1/chat/slack/commands`, { method: 'POST', headers, body });
}

function event(payload: object, extraHeaders: Record<string, string> = {}, timestamp?: number): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${server.url}/v1/chat/slack/events`, { method: 'POST', headers: { ...slackHeaders(body, 'application/json', timestamp), ...extraHeaders }, body });
}

async function runCount(target = server): Promise<number> {
  return (await jsonOf(fetch(`${target.url}/v1/runs`))).runs.length;
}

/** What `read` gives once it is not undefined, asked every 100 ms for `ms`. */
async function until<T>(read: () => T | undefined, ms = 60_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await delay(100)) {
    const value = read();
    if (value !== undefined) return value;
  }
  throw new Error(`nothing arrived within ${ms} ms`);
}

const RUN_ID = /\(run (run-\d{14}-[a-z0-9]{6})\)/;
let appUrl: string;
let firstCommand: { body: string; headers: Record<string, string> };

describe('Slack chat commands through slipway serve', () => {
  it('answers Slack\'s URL verification with its challenge', async () => {
    const response = await event({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('acknowledges a signed slash command within 3 s while the run goes on, then posts the URL to the response_url', async () => {
    const { body, replyTo } = slashBody('a pomodoro timer with a dark theme');
    const headers = slackHeaders(body, 'application/x-www-form-urlencoded');
    firstCommand = { body, headers };
    const sent = performance.now();
    const response = await command(body, headers);
    const ackMs = performance.now() - sent;
    const ack = await response.json();
    expect(response.status, JSON.stringify(ack)).toBe(200);
    expect(ackMs).toBeLessThan(3000);
    expect(ack).toEqual({ response_type: 'in_channel', text: expect.stringMatching(/^Building pomodoro-timer-dark-theme… \(run run-/) });
    const runId = RUN_ID.exec(ack.text)![1]!;
    const run = await jsonOf(fetch(`${server.url}/v1/runs/${runId}`));
    expect(['queued', 'running']).toContain(run.status);
    const [result] = await until(() => (slack.responses(replyTo).length > 0 ? slack.responses(replyTo) : undefined));
    expect(result).toMatchObject({ response_type: 'in_channel', replace_original: false });
    expect(result!.text).toMatch(new RegExp(`^pomodoro-timer-dark-theme is live: (http://127\\.0\\.0\\.1:\\d+/?) \\(run ${runId}\\)$`));
    appUrl = /: (\S+) \(run/.exec(result!.text)![1]!;
    const page = await fetch(appUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    // A chat request is an ordinary run.
    expect(await jsonOf(fetch(`${server.url}/v1/runs/${runId}`))).toMatchObject({ app: 'pomodoro-timer-dark-theme', status: 'succeeded', url: appUrl });
  }, 90_000);

  it('refuses with 401 and starts nothing: a bad signature, a stale timestamp, a replayed request, no signature', async () => {
    const before = await runCount();
    const { body } = slashBody('a notes app');
    const stale = Math.floor(Date.now() / 1000) - 301;
    const refusals = [
      await command(body, slackHeaders(body, 'application/x-www-form-urlencoded', undefined, 'not-the-signing-secret')),
      await command(`${body}&text=tampered`, slackHeaders(body, 'application/x-www-form-urlencoded')),
      await command(body, slackHeaders(body, 'application/x-www-form-urlencoded', stale)),
      await command(firstCommand.body, firstCommand.headers),
      await command(body, { 'content-type': 'application/x-www-form-urlencoded' }),
    ];
    for (const response of refusals) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = await response.json();
      expect(JSON.stringify(problem)).not.toContain(SIGNING_SECRET);
    }
    expect(await runCount()).toBe(before);
  });

  it('says which fields a signed slash command lacks, and starts nothing', async () => {
    const before = await runCount();
    const body = new URLSearchParams({ command: '/slipway', text: 'a notes app', channel_id: BUILDERS }).toString();
    const response = await command(body);
    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.detail).toContain('user_id');
    expect(problem.detail).toContain('response_url');
    expect(await runCount()).toBe(before);
  });

  it('lists the apps and tells an app\'s status, to the one who asked', async () => {
    const list = await (await command(slashBody('list', BOB).body)).json();
    expect(list.response_type).toBe('ephemeral');
    expect(list.text).toContain(`• pomodoro-timer-dark-theme (running) ${appUrl}`);
    const status = await (await command(slashBody('status pomodoro-timer-dark-theme', BOB).body)).json();
    expect(status).toEqual({ response_type: 'ephemeral', text: expect.stringContaining(`URL: ${appUrl}`) });
    const help = await (await command(slashBody('').body)).json();
    expect(help.text).toContain('status &lt;app&gt;');
  });

  it('refuses politely someone in neither allow-list, and starts nothing', async () => {
    const before = await runCount();
    const response = await command(slashBody('a todo list', EVE, RANDOM).body);
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/^Sorry/);
    expect(answer.text).toContain(`${EVE} to chat.slack.allowUsers`);
    expect(answer.text).toContain(`${RANDOM} to chat.slack.allowChannels`);
    // Anyone in an allowed channel may ask.
    expect((await (await command(slashBody('list', EVE, BUILDERS).body)).json()).text).toContain('pomodoro-timer-dark-theme');
    expect(await runCount()).toBe(before);
  });

  it('answers an app mention in its thread with chat.postMessage, then the result; Slack\'s retry starts nothing more', async () => {
    const before = await runCount();
    const mention = {
      token: 'ZZZZZZWSxiZZZ2yIvs3peJ', team_id: 'T0001', api_app_id: 'A123456', type: 'event_callback', event_id: 'Ev08MFMKH6', event_time: 1765000000,
      event: { type: 'app_mention', user: BOB, text: '<@U0LAN0Z89> a stopwatch with lap times', ts: '1765000000.000200', channel: BUILDERS, event_ts: '1765000000.000200' },
    };
    const sent = performance.now();
    const response = await event(mention);
    expect(response.status).toBe(200);
    expect(performance.now() - sent).toBeLessThan(3000);
    const [first, result] = await until(() => {
      const inThread = slack.posted().filter((m) => m.thread_ts === '1765000000.000200');
      return inThread.length >= 2 ? inThread : undefined;
    });
    expect(first).toEqual({ channel: BUILDERS, thread_ts: '1765000000.000200', text: expect.stringMatching(/^Building stopwatch-lap-times… \(run run-/) });
    expect(result!.text).toMatch(/^stopwatch-lap-times is live: http:\/\/127\.0\.0\.1:\d+/);
    const calls = slack.received.filter((r) => r.path === '/api/chat.postMessage');
    expect(calls.every((r) => r.headers.authorization === `Bearer ${BOT_TOKEN}`)).toBe(true);
    // Slack delivers the event again, signed anew with X-Slack-Retry-Num: the same event is not taken twice.
    const retried = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' };
    expect((await event(mention, retried, Math.floor(Date.now() / 1000) + 2)).status).toBe(200);
    expect((await event(mention, { ...retried, 'x-slack-retry-num': '2' }, Math.floor(Date.now() / 1000) + 3)).status).toBe(200);
    await delay(500);
    expect(await runCount()).toBe(before + 1);
    expect(slack.posted().filter((m) => m.thread_ts === '1765000000.000200')).toHaveLength(2);
  }, 90_000);

  it('deletes only for a user in allowDelete, and posts when the app is gone', async () => {
    const before = await runCount();
    const refused = await (await command(slashBody('delete stopwatch-lap-times', BOB).body)).json();
    expect(refused).toEqual({ response_type: 'ephemeral', text: expect.stringContaining(`${BOB} to chat.slack.allowDelete`) });
    expect(await runCount()).toBe(before);
    for (const app of ['stopwatch-lap-times', 'pomodoro-timer-dark-theme']) {
      const { body, replyTo } = slashBody(`delete ${app}`, ALICE);
      const ack = await (await command(body)).json();
      expect(ack).toEqual({ response_type: 'in_channel', text: expect.stringMatching(new RegExp(`^Deleting ${app}… \\(run run-`)) });
      const [result] = await until(() => (slack.responses(replyTo).length > 0 ? slack.responses(replyTo) : undefined));
      expect(result!.text).toMatch(new RegExp(`^${app} was deleted\\.`));
    }
    await expect(fetch(appUrl)).rejects.toThrow();
  }, 90_000);

  it('takes Slack\'s signature in place of an API token once tokens exist', async () => {
    const token = await runCli(['token', 'create', '--name', 'ops', '--scope', 'admin'], { home, cwd: serverCwd });
    expect(token.code, token.stderr).toBe(0);
    adminToken = token.stdout.trim();
    expect((await fetch(`${server.url}/v1/apps`)).status).toBe(401);
    const list = await command(slashBody('list', BOB).body);
    expect(list.status).toBe(200);
    expect((await list.json()).text).toMatch(/^No apps yet/);
  });

  it('keeps the bot token and the signing secret out of its log', () => {
    const log = readFileSync(join(home, 'logs', 'slipway.log'), 'utf8');
    expect(log).toContain('chat request started a run');
    expect(log).not.toContain(BOT_TOKEN);
    expect(log).not.toContain(SIGNING_SECRET);
  });

  it('posts a failing run\'s stage, reason and hint to the response_url', async () => {
    const broken = await startSlackServer('git:\n  gitops:\n    url: /nonexistent/gitops.git\n');
    const { body, replyTo } = slashBody('a countdown timer');
    const ack = await (await command(body, undefined, broken.server)).json();
    expect(ack.text).toMatch(/^Building countdown-timer… /);
    const [result] = await until(() => (slack.responses(replyTo).length > 0 ? slack.responses(replyTo) : undefined));
    const runId = RUN_ID.exec(ack.text)![1]!;
    const report = await jsonOf(fetch(`${broken.server.url}/v1/runs/${runId}`));
    expect(report.status).toBe('failed');
    expect(result!.text.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^countdown-timer: the create failed at manifests:commit \\(.+\\)\\. \\(run ${runId}\\)$`)),
      `Reason: ${report.error.message}`.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
      `Hint: ${report.error.hint}`.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
    ]);
    // A run that outlasts its command's response_url (30 minutes) reports in the channel instead.
    const late = slashBody('a kitchen timer', ALICE, BUILDERS, true);
    const lateAck = await (await command(late.body, undefined, broken.server)).json();
    const lateRun = RUN_ID.exec(lateAck.text)![1]!;
    const inChannel = await until(() => slack.posted().find((m) => m.channel === BUILDERS && m.text.includes(`(run ${lateRun})`)));
    expect(inChannel.text).toMatch(/^kitchen-timer: the create failed at manifests:commit/);
    expect(inChannel.thread_ts).toBeUndefined();
    expect(slack.received.filter((r) => r.path === `/response/${late.replyTo}`)).toHaveLength(1);
  }, 90_000);

  it('stops slipway serve with exit 2 and the key to set when a Slack secret is not set', async () => {
    const { home: other, cwd } = tempHome('slipway-chat-slack-');
    writeFileSync(join(cwd, 'slipway.yaml'), slackYaml(slack.apiUrl));
    const result = await runCli(['serve', '--port', '0'], { home: other, cwd, env: { SLACK_SIGNING_SECRET: SIGNING_SECRET } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('chat.slack.botToken: the environment variable SLACK_BOT_TOKEN is not set');
    expect(result.stdout).toBe('');
  }, 60_000);
});
