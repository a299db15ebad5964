import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { ConfigError } from '../../domain/errors.ts';
import { chatEndpoints, discordFrom, telegramFrom } from './chat-platforms.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The README's `chat:` example for `platform`, as a user copies it into slipway.yaml. */
function readmeExample(platform: string): string {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith(`chat:\n  ${platform}:`));
  if (!example) throw new Error(`README.md has no chat.${platform} example`);
  return example;
}

function configFrom(yaml: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'slipway-chat-platforms-'));
  dirs.push(cwd);
  writeFileSync(join(cwd, 'slipway.yaml'), yaml);
  return loadConfig({ env: { SLIPWAY_HOME: join(cwd, 'home'), SLIPWAY_CACHE: join(cwd, 'cache') }, cwd, homedir: cwd });
}

describe('the chat platforms of slipway.yaml', () => {
  it("read the README's Telegram example, its secrets from the environment", () => {
    const config = configFrom(readmeExample('telegram'));
    const telegram = telegramFrom(config, { TELEGRAM_WEBHOOK_SECRET: 'a_secret-1', TELEGRAM_BOT_TOKEN: '1:x' });
    expect(telegram.secretToken).toBe('a_secret-1');
    expect(telegram.policy).toEqual({ allowUsers: ['123456789'], allowChannels: ['-1001234567890'], allowDelete: ['123456789'] });
    expect(() => telegramFrom(config, { TELEGRAM_BOT_TOKEN: '1:x' })).toThrow('chat.telegram.secretToken: the environment variable TELEGRAM_WEBHOOK_SECRET is not set');
    // Telegram would refuse this secret_token; the message does not repeat it.
    const badShape = (() => {
      try {
        telegramFrom(config, { TELEGRAM_WEBHOOK_SECRET: 'with spaces and é', TELEGRAM_BOT_TOKEN: '1:x' });
      } catch (error) {
        return error as ConfigError;
      }
    })();
    expect(badShape).toBeInstanceOf(ConfigError);
    expect(badShape!.message).not.toContain('with spaces');
  });

  it("read the README's Discord example; the bot token only when registering the command", async () => {
    const config = configFrom(readmeExample('discord'));
    const discord = discordFrom(config, {}, { botToken: false });
    expect(discord.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(discord.policy.allowUsers).toEqual(['80351110224678912']);
    expect(chatEndpoints(config, {})).toEqual({ discord: expect.objectContaining({ policy: discord.policy }) });
    expect(() => discordFrom(config, {}, { botToken: true })).toThrow('chat.discord.botToken: the environment variable DISCORD_BOT_TOKEN is not set');
    expect(discordFrom(config, { DISCORD_BOT_TOKEN: 'MTMw.x' }, { botToken: true }).publicKey.asymmetricKeyType).toBe('ed25519');
    const withoutToken = configFrom(readmeExample('discord').replace(/^ {4}botToken:.*\n/m, ''));
    await expect(discordFrom(withoutToken, {}, { botToken: true }).api.registerCommands([])).rejects.toThrow('chat.discord.botToken is not set in slipway.yaml');
  });

  it('serve nothing, and ask for nothing, when chat: leaves them out', () => {
    const config = configFrom('local:\n  runtime: process\n');
    expect(chatEndpoints(config, {})).toEqual({});
    expect(() => telegramFrom(config, {})).toThrow('chat.telegram is not set in slipway.yaml');
    expect(() => discordFrom(config, {}, { botToken: false })).toThrow('chat.discord is not set in slipway.yaml');
  });
});
