import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../domain/index.ts';
import { loadConfig, parseConfig } from './load.ts';

const PUBLIC_KEY = 'a'.repeat(64);

describe('chat: in slipway.yaml', () => {
  it('reads the three platforms and fills in the API roots and empty allow-lists', () => {
    const config = parseConfig({
      chat: {
        slack: { signingSecret: { env: 'SLACK_SIGNING_SECRET' }, botToken: { env: 'SLACK_BOT_TOKEN' }, allowUsers: ['U024BE7LH'], allowChannels: ['C061EG9SL'], allowDelete: ['U024BE7LH'] },
        telegram: { secretToken: { env: 'TELEGRAM_WEBHOOK_SECRET' }, botToken: { file: '/run/secrets/telegram' }, allowChannels: ['-1001234567890'] },
        discord: { publicKey: PUBLIC_KEY, applicationId: '1234567890123456789', apiUrl: 'http://127.0.0.1:9/api/v10' },
      },
    }, 'slipway.yaml');
    expect(config.chat.slack).toEqual({
      signingSecret: { env: 'SLACK_SIGNING_SECRET' }, botToken: { env: 'SLACK_BOT_TOKEN' }, apiUrl: 'https://slack.com/api',
      allowUsers: ['U024BE7LH'], allowChannels: ['C061EG9SL'], allowDelete: ['U024BE7LH'],
    });
    expect(config.chat.telegram).toMatchObject({ apiUrl: 'https://api.telegram.org', allowUsers: [], allowChannels: ['-1001234567890'], allowDelete: [] });
    expect(config.chat.discord).toMatchObject({ publicKey: PUBLIC_KEY, apiUrl: 'http://127.0.0.1:9/api/v10', allowUsers: [] });
    expect(config.chat.discord!.botToken).toBeUndefined();
    expect(parseConfig({}, 'defaults').chat).toEqual({});
  });

  it('names each wrong field: a secret written in the file, a missing secret, a bad key, an unknown platform', () => {
    let error: unknown;
    try {
      parseConfig({
        chat: {
          slack: { signingSecret: '8f742231b10e8888abcd99yyyzzz85a5', botToken: { env: 'SLACK_BOT_TOKEN' }, allowUsers: ['U1 ; rm -rf'] },
          telegram: { botToken: { env: 'TELEGRAM_BOT_TOKEN' }, apiUrl: 'ftp://api.telegram.org' },
          discord: { publicKey: 'not-hex', applicationId: 'app' },
          matrix: {},
        },
      }, 'slipway.yaml');
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('chat.slack.signingSecret:');
    expect(message).toContain('chat.slack.allowUsers.0: an id as the platform shows it');
    expect(message).toContain('chat.telegram.secretToken:');
    expect(message).toContain('chat.telegram.apiUrl:');
    expect(message).toContain('chat.discord.publicKey: the application\'s public key: 64 hex digits');
    expect(message).toContain('chat.discord.applicationId:');
    expect(message).toMatch(/chat: .*matrix/);
    // The secret written where a secret source belongs is not repeated in the error.
    expect(message).not.toContain('8f742231b10e');
  });

  it('reads secret files relative to slipway.yaml', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-chat-'));
    writeFileSync(join(cwd, 'slipway.yaml'), [
      'chat:',
      '  slack: { signingSecret: { file: secrets/slack-signing }, botToken: { file: ~/slack-bot } }',
      '  telegram: { secretToken: { file: tg-secret }, botToken: { env: TELEGRAM_BOT_TOKEN } }',
      `  discord: { publicKey: "${PUBLIC_KEY}", applicationId: "42", botToken: { file: discord-bot } }`,
    ].join('\n'));
    const config = loadConfig({ env: {}, cwd, homedir: '/home/me' });
    expect(config.chat.slack).toMatchObject({ signingSecret: { file: join(cwd, 'secrets/slack-signing') }, botToken: { file: '/home/me/slack-bot' } });
    expect(config.chat.telegram).toMatchObject({ secretToken: { file: join(cwd, 'tg-secret') }, botToken: { env: 'TELEGRAM_BOT_TOKEN' } });
    expect(config.chat.discord).toMatchObject({ botToken: { file: join(cwd, 'discord-bot') } });
  });

  it('reads the example in the README as written', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('chat:\n  slack:'));
    expect(example).toBeDefined();
    const config = parseConfig(parse(example!), 'README.md');
    expect(config.chat.slack).toMatchObject({ signingSecret: { env: 'SLACK_SIGNING_SECRET' }, allowUsers: ['U024BE7LH'], allowChannels: ['C061EG9SL'], allowDelete: ['U024BE7LH'] });
  });
});
