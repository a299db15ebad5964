import { createHash, createHmac } from 'node:crypto';
import { InputError } from '../../domain/errors.ts';
import type { SyncRequest } from '../../ports/gitops-syncer.ts';
import { parseRemoteUrl } from '../git/index.ts';

/** How a Git remote appears in a GitHub-style webhook payload. */
export interface RepoIdentity {
  owner: string;
  name: string;
  /** `owner/name` (GitLab-style subgroups stay in `owner`). */
  fullName: string;
  /** The web page of the repo, e.g. `https://git.home/ops/cluster`; Argo CD matches Applications by it. */
  htmlUrl: string;
  cloneUrl: string;
  sshUrl: string;
}

/**
 * Reads the owner, name and web URLs of a Git remote (https, ssh://, scp-like `git@host:path`,
 * file:// or a local path); credentials in the URL are dropped.
 *
 * @example
 * repoIdentity('git@git.home:ops/cluster.git').htmlUrl // 'https://git.home/ops/cluster'
 */
export function repoIdentity(repoUrl: string): RepoIdentity {
  const display = parseRemoteUrl(repoUrl).display;
  let host: string;
  let path: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(display)?.[1]?.toLowerCase();
  if (scheme) {
    const url = new URL(display);
    // A web page lives on the http(s) port, never on ssh's; keep the port only for http(s) remotes.
    host = scheme === 'http' || scheme === 'https' ? url.host : url.hostname || 'localhost';
    path = decodeURIComponent(url.pathname);
  } else if (/^[^/]*:/.test(display) && !display.startsWith('/')) {
    const colon = display.indexOf(':');
    host = display.slice(0, colon).replace(/^.*@/, '');
    path = display.slice(colon + 1);
  } else {
    host = 'localhost';
    path = display;
  }
  const segments = path.replace(/\.git\/?$/, '').split('/').filter((s) => s !== '');
  const name = segments.at(-1) ?? 'gitops';
  const owner = segments.slice(0, -1).slice(-2).join('/') || 'slipway';
  const fullName = `${owner}/${name}`;
  const webPath = segments.join('/');
  return {
    owner,
    name,
    fullName,
    htmlUrl: `https://${host}/${webPath}`,
    cloneUrl: `https://${host}/${webPath}.git`,
    sshUrl: `git@${host.replace(/:\d+$/, '')}:${webPath}.git`,
  };
}

export interface PushPayloadOptions {
  /** ISO 8601 time for `head_commit.timestamp` (passed in so that the body is reproducible). */
  timestamp: string;
  /** The repo's default branch as the payload states it; Argo CD refreshes HEAD-tracking apps only when it equals the pushed branch. */
  defaultBranch?: string;
  /** Who pushed, as `pusher.name` and `sender.login`. */
  pusher?: string;
}

/** GitHub's "no commit" id, which it sends as `before` when the old head is not known. */
const ZERO_ID = '0000000000000000000000000000000000000000';

/**
 * The JSON body of a GitHub `push` event for the commit Slipway just pushed, with fields in
 * GitHub's order. Commits list no files on purpose: Argo CD then refreshes every matching
 * Application instead of filtering by `manifest-generate-paths` on a partial list.
 *
 * @example
 * const body = githubPushPayload({ app: 'pomodoro', revision, branch: 'main', repoUrl }, { timestamp: '2026-01-01T00:00:00Z' });
 */
export function githubPushPayload(request: SyncRequest, options: PushPayloadOptions): string {
  const revision = checkRevision(request.revision);
  const branch = checkBranch(request.branch);
  const repo = repoIdentity(request.repoUrl);
  const pusher = options.pusher ?? 'slipway';
  const defaultBranch = options.defaultBranch ?? branch;
  const person = { name: pusher, email: `${pusher}@users.noreply.slipway`, username: pusher };
  const headCommit = {
    id: revision,
    tree_id: null,
    distinct: true,
    message: `Deploy ${request.app}`,
    timestamp: options.timestamp,
    url: `${repo.htmlUrl}/commit/${revision}`,
    author: person,
    committer: person,
    added: [],
    removed: [],
    modified: [],
  };
  const payload = {
    ref: `refs/heads/${branch}`,
    before: ZERO_ID,
    after: revision,
    repository: {
      id: stableId(repo.fullName),
      name: repo.name,
      full_name: repo.fullName,
      private: true,
      owner: { name: repo.owner.split('/')[0], login: repo.owner.split('/')[0], type: 'Organization' },
      html_url: repo.htmlUrl,
      description: null,
      fork: false,
      url: repo.htmlUrl,
      git_url: repo.cloneUrl.replace(/^https:/, 'git:'),
      ssh_url: repo.sshUrl,
      clone_url: repo.cloneUrl,
      default_branch: defaultBranch,
      master_branch: defaultBranch,
    },
    pusher: { name: pusher, email: person.email },
    sender: { login: pusher, type: 'Bot' },
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `${repo.htmlUrl}/compare/${ZERO_ID.slice(0, 12)}...${revision.slice(0, 12)}`,
    commits: [headCommit],
    head_commit: headCommit,
  };
  return JSON.stringify(payload);
}

/**
 * The signature headers GitHub puts on a delivery: `X-Hub-Signature-256` (read by Flux and
 * Argo CD) and the legacy SHA-1 `X-Hub-Signature` (read by older receivers), both HMACs of the
 * exact body bytes keyed with the webhook secret.
 *
 * @example
 * githubSignatureHeaders(Buffer.from(body), secret)['x-hub-signature-256'] // 'sha256=…'
 */
export function githubSignatureHeaders(body: Buffer, secret: string): Record<'x-hub-signature-256' | 'x-hub-signature', string> {
  return {
    'x-hub-signature-256': `sha256=${hmacHex('sha256', secret, body)}`,
    'x-hub-signature': `sha1=${hmacHex('sha1', secret, body)}`,
  };
}

/** Hex HMAC of `body` keyed with `secret`. */
export function hmacHex(algorithm: 'sha1' | 'sha256' | 'sha512', secret: string, body: Buffer): string {
  return createHmac(algorithm, secret).update(body).digest('hex');
}

/** A positive integer standing in for GitHub's numeric repository id, the same for the same repo. */
function stableId(fullName: string): number {
  return createHash('sha256').update(fullName).digest().readUIntBE(0, 4);
}

function checkRevision(revision: string): string {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(revision)) {
    throw new InputError(`not a full commit id: ${JSON.stringify(revision.slice(0, 80))}`, {
      hint: 'Pass the 40-character (SHA-1) or 64-character (SHA-256) id of the pushed GitOps commit.',
    });
  }
  return revision;
}

function checkBranch(branch: string): string {
  if (branch === '' || /[\s~^:?*[\\\u0000-\u001f]|\.\.|^\/|\/$|^refs\//.test(branch)) {
    throw new InputError(`not a branch name: ${JSON.stringify(branch.slice(0, 80))}`, {
      hint: 'Pass the short branch name the GitOps commit was pushed to, e.g. "main".',
    });
  }
  return branch;
}
