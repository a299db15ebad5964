/**
 * Finds credentials written into generated code. A model copies keys it has seen in examples, and a
 * key committed to the cluster's Git repo is a key leaked: configuration must come from the
 * environment. Findings name the line and the kind, never the value.
 */

export interface SecretFinding {
  /** 1-based line number. */
  line: number;
  kind: string;
}

const TOKEN_PATTERNS: readonly { kind: string; pattern: RegExp }[] = [
  { kind: 'a private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { kind: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b/ },
  { kind: 'an AWS secret access key', pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i },
  { kind: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { kind: 'an Anthropic API key', pattern: /\bsk-ant-[A-Za-z0-9_-]{20,}/ },
  { kind: 'an OpenAI API key', pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/ },
  { kind: 'a Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { kind: 'a Stripe secret key', pattern: /\b[sr]k_live_[A-Za-z0-9]{20,}/ },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
  { kind: 'a URL with a password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@'"]+:[^/\s@'"]{3,}@[^\s'"]+/i },
];

/** `API_KEY = "…"`, `sessionSecret: '…'`, `DB_PASSWORD=…`: a secret-named thing given a literal value. */
const ASSIGNMENT = /([A-Za-z0-9_]*(?:key|secret|token|password|passwd|credentials?))["']?\s*[:=]\s*(["'`]?)([^\s"'`;,)]+)\2/gi;

/** Values that are obviously not real: placeholders people are meant to replace. */
const PLACEHOLDER = /^(?:your|my|change|replace|example|dummy|sample|placeholder|xxx|todo|<|\$\{|\{\{|process\.env|env\.)/i;
/** Lower-case words joined by separators: storage keys, header names, routes, not credentials. */
const IDENTIFIER_LIKE = /^[a-z0-9]+(?:[-_.:/][a-z0-9]+)*$/;
const HEX = /^[0-9a-f]{32,}$/i;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function looksLikeSecretValue(value: string): boolean {
  if (value.length < 16 || PLACEHOLDER.test(value)) return false;
  if (HEX.test(value)) return true;
  if (IDENTIFIER_LIKE.test(value)) return false;
  // Expressions (calls, member access on identifiers) are code, not literals.
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value) || value.includes('(')) return false;
  return value.length >= 20 ? entropy(value) >= 3.5 : entropy(value) >= 3.8;
}

/**
 * Every line of `content` that holds something shaped like a credential.
 * @example findSecrets('const key = "AKIAIOSFODNN7EXAMPLE";') // [{ line: 1, kind: 'an AWS access key id' }]
 */
export function findSecrets(content: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length > 10_000) continue; // minified blobs: the patterns below would crawl
    const token = TOKEN_PATTERNS.find(({ pattern }) => pattern.test(line));
    if (token) {
      findings.push({ line: i + 1, kind: token.kind });
      continue;
    }
    for (const match of line.matchAll(ASSIGNMENT)) {
      if (looksLikeSecretValue(match[3]!)) {
        findings.push({ line: i + 1, kind: `a literal value for ${match[1]}` });
        break;
      }
    }
  }
  return findings;
}
