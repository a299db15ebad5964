import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../domain/errors.ts';
import { ageKeygen, type AgeKey } from '../../../test/support/sops-check.ts';
import { encryptSecret } from './index.ts';
import { sopsCreationRule } from './sops-rules.ts';

let dir: string;
let alice: AgeKey;
let bob: AgeKey;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-sops-rules-'));
  alice = ageKeygen(dir, 'alice.txt');
  bob = ageKeygen(dir, 'bob.txt');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILE = 'kubernetes/apps/dynamic/notes/app/env-secret.yaml';

describe('sopsCreationRule', () => {
  it('takes the first rule whose path_regex matches, with its comma-separated age recipients and encrypted_regex', () => {
    const text = [
      'creation_rules:',
      '  - path_regex: ^kubernetes/infra/.*\\.yaml$',
      `    age: ${alice.recipient}`,
      '  - path_regex: ^kubernetes/apps/.*secret\\.yaml$',
      '    encrypted_regex: ^(data|stringData)$',
      `    age: "${bob.recipient}, ${alice.recipient}"`,
      '  - path_regex: .*',
      `    age: ${alice.recipient}`,
    ].join('\n');
    expect(sopsCreationRule(text, FILE)).toEqual({ index: 1, ageRecipients: [bob.recipient, alice.recipient], encryptedRegex: '^(data|stringData)$' });
    expect(sopsCreationRule(text, 'kubernetes/infra/x.yaml')).toEqual({ index: 0, ageRecipients: [alice.recipient] });
  });

  it('lets a rule without path_regex match every file, and says undefined when no rule matches or there are none', () => {
    expect(sopsCreationRule(`creation_rules:\n  - age: ${bob.recipient}\n`, FILE)).toEqual({ index: 0, ageRecipients: [bob.recipient] });
    expect(sopsCreationRule(`creation_rules:\n  - path_regex: ^elsewhere/\n    age: ${bob.recipient}\n`, FILE)).toBeUndefined();
    expect(sopsCreationRule('', FILE)).toBeUndefined();
    expect(sopsCreationRule('stores:\n  yaml:\n    indent: 2\n', FILE)).toBeUndefined();
  });

  it('skips rules that do not match even when they would be wrong for this file', () => {
    const text = `creation_rules:\n  - path_regex: ^other/\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n  - age: ${bob.recipient}\n`;
    expect(sopsCreationRule(text, FILE)?.ageRecipients).toEqual([bob.recipient]);
  });

  it.each([
    ['a matching rule with no age recipient (PGP only)', 'creation_rules:\n  - path_regex: apps\n    pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n', /creation_rules\[0\] matches the file Slipway writes but names no age recipient/],
    ['an age value that is not a public key', 'creation_rules:\n  - age: AGE-SECRET-KEY-1QQQQ\n', /age\[0\]: an age SECRET key/],
    ['a path_regex that is not a regular expression', 'creation_rules:\n  - path_regex: "apps/(("\n    age: x\n', /path_regex is not a regular expression/],
    ['unencrypted_regex, which Slipway does not write', `creation_rules:\n  - unencrypted_regex: ^metadata$\n    age: RECIPIENT\n`, /sets unencrypted_regex/],
    ['creation_rules that are not a list', 'creation_rules: yes\n', /must be a list of rules/],
    ['YAML that does not parse', 'creation_rules: [\n', /not valid YAML/],
  ])('refuses %s as a ConfigError naming the rule', (_, text, message) => {
    const error = (() => {
      try {
        sopsCreationRule(text.replace('RECIPIENT', alice.recipient), FILE);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as ConfigError).hint).toMatch(/\.sops\.yaml/);
  });
});

describe('encryptSecret with an encrypted_regex', () => {
  it('writes the regex into the file and refuses one that would leave a value in clear', async () => {
    const secret = { name: 'notes-env', namespace: 'apps', stringData: { API_KEY: 'k3y-v4lue-123' } };
    const yaml = await encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient] }, { encryptedRegex: '^stringData$' });
    expect(yaml).toContain('encrypted_regex: ^stringData$');
    expect(yaml).not.toContain('k3y-v4lue-123');
    await expect(encryptSecret(secret, { kind: 'sops', ageRecipients: [alice.recipient] }, { encryptedRegex: '^password$' })).rejects.toThrow(/would leave API_KEY of the Secret apps\/notes-env in clear/);
  });
});
