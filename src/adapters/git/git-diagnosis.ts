/** What went wrong talking to a remote, in words a person can act on. */
export interface Diagnosis {
  problem: string;
  hint: string;
}

/** What Slipway knows about the credentials in use, to point the hint at the right setting. */
export interface DiagnosisContext {
  auth: 'none' | 'ssh' | 'token';
  knownHostsFile?: string | undefined;
}

interface Rule {
  test: RegExp;
  explain: (context: DiagnosisContext) => Diagnosis;
}

const knownHosts = (context: DiagnosisContext) => context.knownHostsFile ?? '~/.ssh/known_hosts';

/** Ordered: a changed host key also prints "Host key verification failed", so it comes first. */
const RULES: Rule[] = [
  {
    test: /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for \S+ has changed/i,
    explain: (c) => ({
      problem: 'the SSH host key of the git server differs from the one recorded for it',
      hint: `If the server was reinstalled, replace its line in ${knownHosts(c)} with its new key (check the fingerprint on the server); otherwise do not connect: someone may be in between.`,
    }),
  },
  {
    test: /Host key verification failed|No \S+ host key is known/i,
    explain: (c) => ({
      problem: 'the SSH host key of the git server is not trusted (it is not in known_hosts)',
      hint: `Record it: ssh-keyscan -p PORT HOST >> ${knownHosts(c)} (compare the fingerprint with the server's), or set strictHostKeyChecking to accept-new for the first connection.`,
    }),
  },
  {
    test: /Permission denied \(publickey/i,
    explain: () => ({
      problem: 'the git server refused the SSH key',
      hint: 'Add the public key (the .pub next to the key file) to the repository as a deploy key with write access, and check the user in the URL (usually git@).',
    }),
  },
  {
    test: /Authentication failed for|returned error: 401|could not read (Username|Password)/i,
    explain: (c) => ({
      problem: c.auth === 'token' ? 'the git server refused the token (HTTP 401)' : 'the git server wants credentials (HTTP 401)',
      hint: c.auth === 'token'
        ? 'The token is wrong, expired or revoked: create one with write access to the repository and set git https.token (and https.username if the server needs the account name).'
        : 'Set git https.token to a token with write access to the repository, or use an ssh remote with a deploy key.',
    }),
  },
  {
    test: /returned error: 403/i,
    explain: () => ({
      problem: 'the git server refused access with these credentials (HTTP 403)',
      hint: 'Give the token (or deploy key) write access to the repository, and check the repository path.',
    }),
  },
  {
    test: /Connection refused|Could not resolve host|Connection timed out|Failed to connect|Network is unreachable|No route to host/i,
    explain: () => ({
      problem: 'the git server cannot be reached',
      hint: 'Check the host and port in the remote URL and that the git server is up and reachable from this machine.',
    }),
  },
];

/**
 * Recognises common transport failures in git's stderr (ssh host keys, refused keys or tokens,
 * unreachable servers). Undefined when nothing is recognised; callers keep their generic hint.
 * @example diagnose('Host key verification failed.', { auth: 'ssh', knownHostsFile: '/etc/slipway/known_hosts' })?.problem
 */
export function diagnose(stderr: string, context: DiagnosisContext): Diagnosis | undefined {
  return RULES.find((rule) => rule.test.test(stderr))?.explain(context);
}
