import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, redactUrlCredentials } from '../../domain/index.ts';

/** How git reaches the remote, which decides the kind of credentials that apply. */
export type RemoteTransport = 'file' | 'http' | 'ssh' | 'other';

/** A Git remote as Slipway uses it: what to pass to git, what to show, what to hide. */
export interface RemoteUrl {
  /**
   * Passed to git (a relative local path is made absolute, since git runs inside the cache clone).
   * For http(s) it carries no credentials: those go in a header, never on a command line.
   */
  readonly forGit: string;
  /** Safe to print: credentials removed. */
  readonly display: string;
  /** Strings that must never appear in a message (password or token from the URL). */
  readonly secrets: readonly string[];
  /** Short stable key naming the cache clone for this remote (credentials excluded). */
  readonly cacheKey: string;
  readonly transport: RemoteTransport;
  /** `scheme://host[:port]/` of an http(s) remote: what its credentials are scoped to. */
  readonly origin?: string;
  /** User name and password (or token) that were in an http(s) URL, taken out of `forGit`. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** Schemes where anything in the userinfo is a credential (a token may be the user name). */
const HTTP_LIKE = new Set(['http', 'https', 'ftp', 'ftps']);

/**
 * Parses a remote: a local path, a file:// URL, https (token in the userinfo allowed), ssh:// or
 * scp-like `git@host:path`.
 * @example parseRemoteUrl('https://x:tok@git.home/a.git').display // 'https://git.home/a.git'
 */
export function parseRemoteUrl(url: string): RemoteUrl {
  if (url.trim() === '' || url.startsWith('-') || /[\u0000-\u001f]/.test(url)) {
    // A leading '-' would be read by git as an option.
    throw new ConfigError(`invalid Git remote ${JSON.stringify(redactUrlCredentials(url))}`, {
      hint: 'Use a path to a repository, a file:// URL, an https:// URL or an ssh remote such as git@host:owner/repo.git.',
    });
  }
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme) return schemeUrl(url, scheme);
  if (isScpLike(url)) return finish(url, url, [], 'ssh');
  const absolute = isAbsolute(url) ? url : resolve(url);
  return finish(absolute, absolute, [], 'file');
}

/** git's rule: `host:path` (a colon before any slash) is ssh, anything else without a scheme is a path. */
function isScpLike(url: string): boolean {
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  return colon > 0 && (slash === -1 || colon < slash);
}

function transportOf(scheme: string): RemoteTransport {
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'ssh' || scheme === 'git+ssh' || scheme === 'ssh+git') return 'ssh';
  return scheme === 'file' ? 'file' : 'other';
}

function schemeUrl(url: string, scheme: string): RemoteUrl {
  const transport = transportOf(scheme);
  const afterScheme = url.indexOf('://') + 3;
  const end = firstIndex(url, ['/', '?', '#'], afterScheme);
  const authority = url.slice(afterScheme, end);
  const at = authority.lastIndexOf('@');
  const origin = transport === 'http' ? `${url.slice(0, afterScheme)}${authority.slice(at + 1)}/` : undefined;
  if (at === -1) return finish(url, url, [], transport, origin);
  const userinfo = authority.slice(0, at);
  const colon = userinfo.indexOf(':');
  const user = colon === -1 ? userinfo : userinfo.slice(0, colon);
  const password = colon === -1 ? '' : userinfo.slice(colon + 1);
  const secrets = [password, ...(HTTP_LIKE.has(scheme) ? [user] : [])].flatMap((s) => [s, safeDecode(s)]).filter((s) => s.length >= 4);
  // For ssh the user name (usually "git") is part of the address, not a secret; keep it.
  const keptUser = HTTP_LIKE.has(scheme) || user === '' ? '' : `${user}@`;
  const display = `${url.slice(0, afterScheme)}${keptUser}${authority.slice(at + 1)}${url.slice(end)}`;
  if (transport !== 'http') return finish(url, display, [...new Set(secrets)], transport);
  // Everything in the userinfo moves to an Authorization header: argv is readable by anyone (ps).
  const credentials = { username: safeDecode(user), password: safeDecode(password) };
  return { ...finish(display, display, [...new Set(secrets)], transport, origin), credentials };
}

function finish(forGit: string, display: string, secrets: string[], transport: RemoteTransport, origin?: string): RemoteUrl {
  const cacheKey = createHash('sha256').update(display).digest('hex').slice(0, 16);
  return { forGit, display, secrets, cacheKey, transport, ...(origin ? { origin } : {}) };
}

function firstIndex(text: string, chars: string[], from: number): number {
  const found = chars.map((c) => text.indexOf(c, from)).filter((i) => i !== -1);
  return found.length > 0 ? Math.min(...found) : text.length;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Makes text safe to show: credentials in any URL and the remote's own secrets are masked.
 * @example redactRemote('fatal: https://u:tok@h/x', remote) // 'fatal: https://***@h/x'
 */
export function redactRemote(text: string, remote: RemoteUrl): string {
  let out = redactUrlCredentials(text);
  for (const secret of remote.secrets) out = out.split(secret).join('***');
  return out;
}
