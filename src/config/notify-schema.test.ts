import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../domain/index.ts';
import { loadConfig, parseConfig } from './load.ts';

describe('notify: in slipway.yaml', () => {
  it('reads one target of each type and fills in the defaults', () => {
    const config = parseConfig({
      notify: [
        { type: 'slack', url: { env: 'SLACK_WEBHOOK_URL' } },
        { type: 'discord', url: { file: '/run/secrets/discord-url' }, on: ['failed'] },
        { type: 'ntfy', topic: 'slipway-runs', token: { env: 'NTFY_TOKEN' }, on: ['succeeded', 'failed', 'cancelled'] },
        { type: 'email', smtp: { host: 'smtp.example.org', user: 'slipway', password: { env: 'SMTP_PASSWORD' } }, from: 'Slipway <slipway@example.org>', to: ['ops@example.org'] },
        { type: 'webhook', name: 'n8n', url: 'https://hooks.example.org/slipway', secret: { env: 'HOOK_SECRET' } },
      ],
    }, 'slipway.yaml');
    expect(config.notify.map((t) => t.type)).toEqual(['slack', 'discord', 'ntfy', 'email', 'webhook']);
    expect(config.notify[0]!.on).toEqual(['succeeded', 'failed']);
    expect(config.notify[1]!.on).toEqual(['failed']);
    expect(config.notify[2]).toMatchObject({ server: 'https://ntfy.sh', topic: 'slipway-runs' });
    expect(config.notify[3]).toMatchObject({ smtp: { host: 'smtp.example.org', port: 587, secure: false } });
    expect(parseConfig({}, 'defaults').notify).toEqual([]);
  });

  it('names each wrong field: an unknown type, a URL written in the file, a bad recipient, half a login', () => {
    let error: unknown;
    try {
      parseConfig({
        notify: [
          { type: 'pager' },
          { type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/secret' },
          { type: 'email', smtp: { host: 'smtp.example.org', user: 'slipway' }, from: 'slipway@example.org', to: ['not an address'] },
          { type: 'ntfy', topic: 'runs/../admin', on: [] },
        ],
      }, 'slipway.yaml');
    } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('notify.0.type: type must be one of slack, discord, ntfy, email, webhook');
    expect(message).toContain('notify.1.url:');
    expect(message).toContain('notify.2.smtp: give both user and password, or neither');
    expect(message).toContain('notify.2.to.0: an email address');
    expect(message).toContain('notify.3.topic:');
    expect(message).toContain('notify.3.on: list at least one');
    // The URL written where a secret source belongs is not repeated in the error.
    expect(message).not.toContain('hooks.slack.com');
  });

  it('reads secret files relative to slipway.yaml, as every other secret', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'slipway-notify-'));
    writeFileSync(join(cwd, 'slipway.yaml'), [
      'notify:',
      '  - { type: discord, url: { file: secrets/discord-url } }',
      '  - { type: email, smtp: { host: smtp.example.org, user: slipway, password: { file: ~/smtp-password } }, from: slipway@example.org, to: [ops@example.org] }',
      '  - { type: webhook, url: "https://hooks.example.org/x", secret: { env: HOOK_SECRET } }',
    ].join('\n'));
    const config = loadConfig({ env: {}, cwd, homedir: '/home/me' });
    expect(config.notify[0]).toMatchObject({ url: { file: join(cwd, 'secrets/discord-url') } });
    expect(config.notify[1]).toMatchObject({ smtp: { password: { file: '/home/me/smtp-password' } } });
    expect(config.notify[2]).toMatchObject({ secret: { env: 'HOOK_SECRET' } });
  });
});
