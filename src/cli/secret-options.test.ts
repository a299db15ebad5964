import { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { repeatable, SECRET_OPTIONS } from './secret-options.ts';

function parse(args: string[]) {
  const command = new Command('bootstrap')
    .exitOverride()
    .option('--secrets <backend>', SECRET_OPTIONS.secrets)
    .option('--age-recipient <key>', SECRET_OPTIONS.ageRecipient, repeatable)
    .option('--seal-cert <file>', SECRET_OPTIONS.sealCert);
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('secret encryption options', () => {
  it('collect every --age-recipient in order', () => {
    expect(parse(['--age-recipient', 'age1a', '--age-recipient', 'age1b'])).toEqual({ ageRecipient: ['age1a', 'age1b'] });
  });

  it('leave what was not given undefined, so slipway.yaml decides', () => {
    expect(parse([])).toEqual({});
    expect(parse(['--secrets', 'sealed-secrets', '--seal-cert', 'c.pem'])).toEqual({ secrets: 'sealed-secrets', sealCert: 'c.pem' });
  });
});
