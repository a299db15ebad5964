import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, tempHome } from '../../../test/support/cli.ts';
import { compose, type Slipway } from '../../app/compose.ts';
import { loadConfig } from '../../config/index.ts';
import { parseChatCommand } from './commands.ts';
import { answerChat, type ChatMessage, type ChatPolicy, type ChatWho } from './conversation.ts';

// A real Slipway (temp home, SQLite, bare repos, app processes); the follow-ups are collected as a
// platform adapter would post them.
const logger = pino({ level: 'silent' });
const POLICY: ChatPolicy = { allowUsers: ['U-ALICE', 'U-BOB'], allowChannels: ['C-BUILDERS'], allowDelete: ['U-ALICE'] };
const ALICE: ChatWho = { platform: 'slack', user: 'U-ALICE', channel: 'C-RANDOM' };
const BOB: ChatWho = { platform: 'slack', user: 'U-BOB', channel: 'C-RANDOM' };
const homes: string[] = [];
let slipway: Slipway;

async function startSlipway(yaml: string): Promise<Slipway> {
  const { home, cwd } = tempHome('slipway-chat-');
  homes.push(cwd);
  writeFileSync(join(cwd, 'slipway.yaml'), yaml);
  const env = cliEnv(home) as Record<string, string>;
  return compose(loadConfig({ env, cwd, homedir: cwd }), { nodeBinary: process.execPath, path: env.PATH!, vars: env, homedir: cwd }, { mode: { origin: 'server', concurrency: 1 } });
}

/** Asks as `who`, and resolves the answer plus a promise of the one follow-up. */
function ask(text: string, who: ChatWho, options: { service?: Slipway['service']; idempotencyKey?: string } = {}) {
  const followUps: ChatMessage[] = [];
  let posted!: (message: ChatMessage) => void;
  const followUp = new Promise<ChatMessage>((resolve) => (posted = resolve));
  const answer = answerChat(parseChatCommand(text), who, {
    service: options.service ?? slipway.service, policy: POLICY, logger,
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    followUp: async (message) => {
      followUps.push(message);
      posted(message);
    },
  });
  return { answer, followUp, followUps };
}

async function runCount(service: Slipway['service']): Promise<number> {
  return (await service.runs({})).runs.length;
}

beforeAll(async () => {
  slipway = await startSlipway('local:\n  runtime: process\n');
});

afterAll(async () => {
  await slipway?.service.idle();
  slipway?.close();
  for (const cwd of homes) rmSync(cwd, { recursive: true, force: true });
}, 60_000);

describe('answerChat', () => {
  it('refuses politely whoever is in neither allow-list, naming the ids and the keys to add them to, and starts nothing', async () => {
    const answer = await ask('a pomodoro timer', { platform: 'telegram', user: '777', channel: '-100555' }).answer;
    expect(answer.ok).toBe(false);
    expect(answer.text).toMatch(/^Sorry/);
    expect(answer.text).toContain('777');
    expect(answer.text).toContain('chat.telegram.allowUsers');
    expect(answer.text).toContain('-100555');
    expect(answer.text).toContain('chat.telegram.allowChannels');
    expect((await ask('list', { platform: 'slack', user: 'U-EVE', channel: 'C-RANDOM' }).answer).ok).toBe(false);
    expect(await runCount(slipway.service)).toBe(0);
  });

  it('lets in anyone in an allowed channel, and answers help and an empty list', async () => {
    const help = await ask('', { platform: 'discord', user: 'U-EVE', channel: 'C-BUILDERS' }).answer;
    expect(help).toEqual({ ok: true, text: expect.stringContaining('status <app>') });
    expect((await ask('list', BOB).answer).text).toMatch(/^No apps yet/);
  });

  it('builds an app: answers at once with the name and run, then follows up once with the URL, which answers', async () => {
    const request = ask('a pomodoro timer with a dark theme', BOB, { idempotencyKey: 'slack:trigger:1' });
    const answer = await request.answer;
    expect(answer).toEqual({ ok: true, text: expect.stringMatching(/^Building pomodoro-timer-dark-theme… \(run run-\d{14}-[a-z0-9]{6}\)$/) });
    const runId = /\((run run-[^)]+)\)/.exec(answer.text)![1]!.slice(4);
    expect((await slipway.service.report(runId)).status).not.toBe('succeeded');
    // The platform retries the same request: the same run, and no second follow-up.
    const retry = ask('a pomodoro timer with a dark theme', BOB, { idempotencyKey: 'slack:trigger:1' });
    expect((await retry.answer).text).toBe(answer.text);
    const result = await request.followUp;
    expect(result.ok).toBe(true);
    const url = /: (http:\/\/\S+)/.exec(result.text)![1]!;
    expect(result.text).toBe(`pomodoro-timer-dark-theme is live: ${url} (run ${runId})`);
    expect((await fetch(url)).status).toBe(200);
    await slipway.service.idle();
    expect(request.followUps).toHaveLength(1);
    expect(retry.followUps).toHaveLength(0);
    expect(await runCount(slipway.service)).toBe(1);
    // Asked again after the run ended, the retry answers with the result itself.
    expect((await ask('a pomodoro timer with a dark theme', BOB, { idempotencyKey: 'slack:trigger:1' }).answer).text).toBe(result.text);
  }, 120_000);

  it('lists the apps and tells one app\'s status; an unknown app is said so with a hint', async () => {
    const list = await ask('list', BOB).answer;
    expect(list.text).toMatch(/^1 app:\n• pomodoro-timer-dark-theme \(running\) http:\/\/127\.0\.0\.1:\d+/);
    const status = await ask('status pomodoro-timer-dark-theme', BOB).answer;
    expect(status.ok).toBe(true);
    expect(status.text).toMatch(/^pomodoro-timer-dark-theme: running/);
    expect(status.text).toContain('Description: a pomodoro timer with a dark theme');
    const missing = await ask('status no-such-app', BOB).answer;
    expect(missing).toEqual({ ok: false, text: "No app named 'no-such-app'.\nList apps with `slipway list`." });
  });

  it('deletes only for users in allowDelete', async () => {
    const refused = await ask('delete pomodoro-timer-dark-theme', BOB).answer;
    expect(refused.ok).toBe(false);
    expect(refused.text).toContain('U-BOB');
    expect(refused.text).toContain('chat.slack.allowDelete');
    expect(await runCount(slipway.service)).toBe(1);
    const request = ask('delete pomodoro-timer-dark-theme', ALICE);
    expect((await request.answer).text).toMatch(/^Deleting pomodoro-timer-dark-theme… \(run run-/);
    expect((await request.followUp)).toEqual({ ok: true, text: expect.stringMatching(/^pomodoro-timer-dark-theme was deleted\. \(run run-/) });
    expect((await ask('list', BOB).answer).text).toMatch(/^No apps yet/);
  }, 60_000);

  it('says what is wrong with a request Slipway refuses, and starts nothing', async () => {
    const answer = await ask(`new ${'a very long timer '.repeat(200)}`, ALICE).answer;
    expect(answer.ok).toBe(false);
    expect(answer.text).toMatch(/^The description has \d+ characters; at most \d+ are allowed\.$/);
    expect(await ask('delete no-such-app', ALICE).answer).toEqual({ ok: false, text: "No app named 'no-such-app'.\nList apps with `slipway list`." });
    expect(await runCount(slipway.service)).toBe(2);
  });

  it('follows up a failing run with its stage, reason and hint', async () => {
    const broken = await startSlipway('local:\n  runtime: process\ngit:\n  gitops:\n    url: /nonexistent/gitops.git\n');
    try {
      const request = ask('a timer', ALICE, { service: broken.service });
      expect((await request.answer).text).toMatch(/^Building timer… /);
      const result = await request.followUp;
      const report = await broken.service.report((await broken.service.runs({})).runs[0]!.id);
      expect(report.error!.hint).toBeTruthy();
      expect(result.ok).toBe(false);
      expect(result.text).toBe([
        `timer: the create failed at manifests:commit (${report.timeline.find((s) => s.stepId === 'manifests:commit')!.title}). (run ${report.runId})`,
        `Reason: ${report.error!.message}`,
        `Hint: ${report.error!.hint}`,
      ].join('\n'));
    } finally {
      await broken.service.idle();
      broken.close();
    }
  }, 120_000);

  it('follows up a create whose app needs a secret with the command that sets it', async () => {
    const own = await startSlipway('local:\n  runtime: process\n');
    try {
      const request = ask('a contact form', ALICE, { service: own.service });
      expect((await request.answer).text).toMatch(/^Building contact-form… /);
      const result = await request.followUp;
      expect(result.ok).toBe(true);
      expect(result.text).toMatch(/^contact-form is live: http:\/\/\S+ \(run run-[^)]+\)\nIt runs on its defaults until its secrets are set: `slipway secret set contact-form ADMIN_PASSWORD`$/);
    } finally {
      await own.service.idle();
      await own.service.start({ kind: 'delete', app: 'contact-form' }).then(() => own.service.idle(), () => undefined);
      own.close();
    }
  }, 120_000);
});
