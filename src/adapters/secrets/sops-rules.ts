import { parse } from 'yaml';
import { ConfigError } from '../../domain/errors.ts';
import { parseConfiguredAgeRecipient } from './age-recipient.ts';

/** What a `.sops.yaml` creation rule decides for one file: who can decrypt it and which keys are encrypted. */
export interface SopsCreationRule {
  /** The rule's position in `creation_rules`, counted from 0, to name it in messages. */
  index: number;
  ageRecipients: string[];
  /** The rule's `encrypted_regex`, when it sets one. */
  encryptedRegex?: string;
}

const RULES_HINT = 'Each rule of creation_rules in the GitOps repo\'s .sops.yaml needs age: "age1…,age1…" (comma-separated public keys) for the files Slipway writes; Flux decrypts with the matching age key.';

/**
 * The creation rule of a `.sops.yaml` that applies to the file at `path` (relative to the folder of
 * the `.sops.yaml`), as sops picks it: rules are tried in order and the first whose `path_regex`
 * matches the path wins; a rule without `path_regex` matches every file. Undefined when no rule
 * matches. A matching rule with no age recipients, or with other settings Slipway cannot honour
 * (key groups, `unencrypted_regex`…), is a ConfigError: writing the file another way would defeat
 * what the repository asked for.
 * @example sopsCreationRule('creation_rules:\n  - path_regex: apps/.*\n    age: age1…', 'apps/notes/app/env.yaml') // { index: 0, ageRecipients: ['age1…'] }
 */
export function sopsCreationRule(text: string, path: string): SopsCreationRule | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(`the GitOps repo's .sops.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}`, { hint: RULES_HINT });
  }
  if (doc === null || doc === undefined) return undefined;
  const rules = (doc as { creation_rules?: unknown }).creation_rules;
  if (rules === undefined || rules === null) return undefined;
  if (!Array.isArray(rules)) throw new ConfigError('the GitOps repo\'s .sops.yaml: creation_rules must be a list of rules', { hint: RULES_HINT });
  for (const [index, rule] of rules.entries()) {
    const where = `the GitOps repo's .sops.yaml, creation_rules[${index}]`;
    if (rule === null || typeof rule !== 'object') throw new ConfigError(`${where} is not a rule (a map with path_regex and age)`, { hint: RULES_HINT });
    const { path_regex: pathRegex, age, encrypted_regex: encryptedRegex } = rule as Record<string, unknown>;
    if (pathRegex !== undefined && !regexOf(pathRegex, `${where}.path_regex`).test(path)) continue;
    checkKeySelection(rule as Record<string, unknown>, where);
    if (encryptedRegex !== undefined) regexOf(encryptedRegex, `${where}.encrypted_regex`);
    return { index, ageRecipients: recipientsOf(age, where), ...(encryptedRegex === undefined ? {} : { encryptedRegex: encryptedRegex as string }) };
  }
  return undefined;
}

function regexOf(value: unknown, where: string): RegExp {
  if (typeof value !== 'string') throw new ConfigError(`${where} must be a regular expression (a string)`, { hint: RULES_HINT });
  try {
    return new RegExp(value);
  } catch (error) {
    throw new ConfigError(`${where} is not a regular expression Slipway can read: ${(error as Error).message}`, { hint: RULES_HINT });
  }
}

/** sops takes `age` as one comma-separated string; a YAML list of keys is accepted too. */
function recipientsOf(age: unknown, where: string): string[] {
  const keys = typeof age === 'string' ? age.split(',') : Array.isArray(age) ? age.map(String) : [];
  const recipients = keys.map((key) => key.trim()).filter(Boolean);
  if (recipients.length === 0) {
    throw new ConfigError(`${where} matches the file Slipway writes but names no age recipient`, { hint: `${RULES_HINT} Slipway encrypts with age only (not PGP, KMS or key groups).` });
  }
  return [...new Set(recipients.map((recipient, i) => parseConfiguredAgeRecipient(recipient, `${where}.age[${i}]`, RULES_HINT)))];
}

/** sops chooses the keys to encrypt in one of several ways; Slipway writes `encrypted_regex` (or its own default) only. */
function checkKeySelection(rule: Record<string, unknown>, where: string): void {
  const others = ['unencrypted_regex', 'encrypted_suffix', 'unencrypted_suffix', 'encrypted_comment_regex', 'unencrypted_comment_regex', 'key_groups'].filter((key) => key in rule);
  if (others.length > 0) throw new ConfigError(`${where} matches the file Slipway writes and sets ${others.join(', ')}; Slipway writes SOPS files with age recipients and encrypted_regex only`, { hint: RULES_HINT });
}
