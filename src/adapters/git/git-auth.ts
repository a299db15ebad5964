import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../../domain/index.ts';
import type { RemoteUrl } from './remote-url.ts';

/** An SSH deploy key for ssh remotes (`git@host:owner/repo.git`, `ssh://…`). */
export interface GitSshOptions {
  /** The private key (OpenSSH format). It must be readable by its owner only (chmod 600): ssh refuses it otherwise. */
  keyFile: string;
  /** The known_hosts file holding the server's host key; ssh's own files when omitted. When given, it is the only one trusted. */
  knownHostsFile?: string;
  /** 'yes' (default): refuse any host not in known_hosts. 'accept-new': record a host seen for the first time; a changed key is still refused. */
  strictHostKeyChecking?: 'yes' | 'accept-new';
}

/** A token for http(s) remotes, sent in an Authorization header (never in the URL or on a command line). */
export interface GitHttpsOptions {
  token: string;
  /** User name sent with the token in Basic credentials (default `x-access-token`; GitHub, Gitea/Forgejo and GitLab accept any name with a personal access token). */
  username?: string;
  /** 'basic' (default): `Basic base64(username:token)`. 'bearer': `Bearer <token>` (servers that take OAuth tokens that way). */
  scheme?: 'basic' | 'bearer';
}

/** What the remote's credentials add to every git call, and what must never be shown. */
export interface GitAuth {
  kind: 'none' | 'ssh' | 'token';
  /** Environment entries for git; config entries among them go through `configEntries` instead. */
  env: Record<string, string>;
  /** git configuration passed in the environment (GIT_CONFIG_COUNT…), so nothing secret is in argv. */
  configEntries: Array<[string, string]>;
  /** Strings to mask in any message (token, encoded header). */
  secrets: string[];
  /** The known_hosts file in use, for hints. */
  knownHostsFile?: string;
  /** Checks the files the credentials need, with what to do when they are wrong. */
  check(): Promise<void>;
}

const DEFAULT_TOKEN_USER = 'x-access-token';

/**
 * Turns the configured credentials into what git needs: a GIT_SSH_COMMAND for a deploy key, or an
 * Authorization header in environment-borne configuration for a token (also when the token came in
 * the URL). Refuses credentials that do not fit the remote's transport.
 * @example gitAuth(parseRemoteUrl('https://git.home.lan/ops/gitops.git'), { https: { token } }).configEntries
 */
export function gitAuth(remote: RemoteUrl, options: { ssh?: GitSshOptions | undefined; https?: GitHttpsOptions | undefined }): GitAuth {
  if (options.ssh && options.https) throw new ConfigError('both an SSH key and an HTTPS token are configured for one git remote', { hint: 'Keep the one that matches the remote URL (ssh key for git@host:… or ssh://, token for https://).' });
  if (options.ssh) {
    if (remote.transport !== 'ssh') throw new ConfigError(`an SSH key is configured, but ${remote.display} is not an ssh remote`, { hint: 'Use an ssh URL such as git@host:owner/repo.git, or configure an HTTPS token instead.' });
    return sshAuth(options.ssh);
  }
  if (options.https && remote.transport !== 'http') throw new ConfigError(`an HTTPS token is configured, but ${remote.display} is not an http(s) remote`, { hint: 'Use an https:// URL, or configure an SSH deploy key instead.' });
  if (options.https && options.https.token.trim() === '') throw new ConfigError('the HTTPS token for git is empty', { hint: 'Set git https.token to a token with write access to the repository.' });
  if (options.https && remote.credentials) throw new ConfigError(`the URL of ${remote.display} carries credentials and an HTTPS token is configured too`, { hint: 'Remove the credentials from the URL; keep the token option.' });
  const token = options.https ?? (remote.credentials ? { token: remote.credentials.password, username: remote.credentials.username } : undefined);
  if (!token || !remote.origin) return { kind: 'none', env: {}, configEntries: [], secrets: [], check: async () => undefined };
  return tokenAuth(remote.origin, token);
}

function tokenAuth(origin: string, options: GitHttpsOptions): GitAuth {
  const scheme = options.scheme ?? 'basic';
  // A token given as the URL's user name (https://TOKEN@host/…) has no password; Basic sends it as it is.
  const username = options.username ?? DEFAULT_TOKEN_USER;
  // A line break would let the value add headers of its own; a colon cannot be part of a Basic user name.
  if (/[\u0000-\u001f\u007f]/.test(options.token + username)) throw new ConfigError('the HTTPS token or user name for git contains a control character or line break', { hint: 'Copy the token again without surrounding whitespace.' });
  if (username.includes(':')) throw new ConfigError('the HTTPS user name for git contains a colon', { hint: 'Use the account name alone; the token goes in https.token.' });
  const encoded = Buffer.from(`${username}:${options.token}`).toString('base64');
  const header = scheme === 'bearer' ? `Authorization: Bearer ${options.token}` : `Authorization: Basic ${encoded}`;
  return {
    kind: 'token',
    env: {},
    // The empty helper first: a user's stored credentials (or a prompt) must not stand in for the token.
    configEntries: [['credential.helper', ''], [`http.${origin}.extraHeader`, header]],
    secrets: [options.token, encoded].filter((s) => s.length >= 4),
    check: async () => undefined,
  };
}

function sshAuth(options: GitSshOptions): GitAuth {
  const keyFile = resolve(options.keyFile);
  const knownHostsFile = options.knownHostsFile === undefined ? undefined : resolve(options.knownHostsFile);
  const strict = options.strictHostKeyChecking ?? 'yes';
  return {
    kind: 'ssh',
    // GIT_SSH_VARIANT: git then passes the port as `-p` and the protocol version as OpenSSH expects.
    env: { GIT_SSH_COMMAND: sshCommand({ keyFile, strictHostKeyChecking: strict, ...(knownHostsFile ? { knownHostsFile } : {}) }), GIT_SSH_VARIANT: 'ssh' },
    configEntries: [],
    secrets: [],
    ...(knownHostsFile ? { knownHostsFile } : {}),
    check: async () => {
      await checkKeyFile(keyFile);
      if (knownHostsFile && strict === 'yes' && !(await isFile(knownHostsFile))) {
        throw new ConfigError(`the known_hosts file ${knownHostsFile} does not exist, so no git server can be trusted`, {
          hint: `Record the server's host key: ssh-keyscan -p PORT HOST > ${knownHostsFile} (compare the fingerprint with the server's), or set strictHostKeyChecking to accept-new.`,
        });
      }
    },
  };
}

/**
 * The GIT_SSH_COMMAND for a deploy key. git runs it through `sh -c`, so every word is shell-quoted;
 * ssh then expands `%` tokens in both paths and splits `-o` values on spaces unless double-quoted,
 * so paths are escaped for that too. Paths holding `"`, `\`, `$` or control characters are refused.
 * @example sshCommand({ keyFile: '/keys/deploy key' }) // `ssh -o 'IdentityFile="/keys/deploy key"' -o IdentitiesOnly=yes …`
 */
export function sshCommand(options: GitSshOptions): string {
  // IdentityFile as an option rather than -i: ssh looks for an -i path before expanding its % tokens.
  const key = sshPath(resolve(options.keyFile), 'SSH key file');
  const words = ['ssh', '-o', `IdentityFile="${key}"`, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20'];
  if (options.knownHostsFile !== undefined) {
    const hosts = sshPath(resolve(options.knownHostsFile), 'known_hosts file');
    // The configured file is the only source of trust: no global file may vouch for a host.
    words.push('-o', `UserKnownHostsFile="${hosts}"`, '-o', 'GlobalKnownHostsFile=/dev/null');
  }
  words.push('-o', `StrictHostKeyChecking=${options.strictHostKeyChecking ?? 'yes'}`);
  return words.map(shellQuote).join(' ');
}

function sshPath(path: string, what: string): string {
  if (/["\\$\u0000-\u001f\u007f]/.test(path)) {
    throw new ConfigError(`the ${what} path ${JSON.stringify(path)} contains a character ssh cannot take ($, ", \\ or a control character)`, { hint: 'Move the file to a path without those characters.' });
  }
  return path.replace(/%/g, '%%');
}

/** POSIX shell quoting: plain words stay as they are, anything else goes in single quotes. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

async function checkKeyFile(keyFile: string): Promise<void> {
  const info = await stat(keyFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the SSH key file ${keyFile}: ${error.code ?? error.message}`, { hint: 'Check the path and that Slipway runs as the key\'s owner.' });
  });
  if (!info?.isFile()) {
    throw new ConfigError(`the SSH key file ${keyFile} does not exist`, { hint: `Create a deploy key with ssh-keygen -t ed25519 -N '' -f ${keyFile}, then add ${keyFile}.pub to the repository as a deploy key with write access.` });
  }
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    throw new ConfigError(`the SSH key file ${keyFile} can be read by other users (mode ${mode}); ssh refuses such keys`, { hint: `Run: chmod 600 ${shellQuote(keyFile)}` });
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
