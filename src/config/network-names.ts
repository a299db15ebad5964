import { isIP } from 'node:net';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * Why `host` is neither an IP address nor a hostname (RFC 1123: dot-separated labels of letters,
 * digits and '-', at most 253 characters), or undefined when it is one.
 * @example hostProblem('not a host') // "a hostname has dot-separated parts …"
 */
export function hostProblem(host: string): string | undefined {
  if (isIP(host) !== 0) return undefined;
  if (host.length === 0) return 'it is empty';
  if (host.length > 253 || !host.replace(/\.$/, '').split('.').every((label) => LABEL.test(label))) {
    return "a hostname has dot-separated parts of letters, digits and '-' (at most 63 each)";
  }
  return undefined;
}

/**
 * Why `text` is not an absolute http:// or https:// URL with a host, or undefined when it is.
 * @example urlProblem('ftp://example.com/') // 'it uses ftp:, not http:// or https://'
 */
export function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `it uses ${url.protocol}, not http:// or https://`;
  if (url.hostname === '') return 'it has no host';
  if (/\s/.test(text)) return 'it contains spaces';
  return undefined;
}

/**
 * Why `url` cannot be a git remote Slipway uses, or undefined: a path, a file://, http(s)://, ssh://
 * or git:// URL, or scp-like `user@host:path`. Other transports (`ext::`, `fd::`) run commands.
 * @example gitRemoteProblem('ext::sh -c touch% /tmp/x') // "it uses the transport 'ext::', …"
 */
export function gitRemoteProblem(url: string): string | undefined {
  if (url.startsWith('-')) return "it starts with '-'";
  if (/[\u0000-\u001f\u007f]/.test(url)) return 'it contains control characters';
  const helper = /^([A-Za-z][A-Za-z0-9+.-]*)::/.exec(url);
  if (helper) return `it uses the transport '${helper[1]}::', which Slipway does not allow`;
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (scheme && !['file', 'http', 'https', 'ssh', 'git'].includes(scheme[1]!.toLowerCase())) {
    return `it uses ${scheme[1]}://; use a path, file://, https://, ssh:// or user@host:path`;
  }
  return undefined;
}
