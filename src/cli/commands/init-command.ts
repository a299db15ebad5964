import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { gitOpsEngineRenders } from '../../adapters/gitops/index.ts';
import { parseConfig } from '../../config/load.ts';
import { ConflictError, InputError } from '../../domain/errors.ts';
import { renderSettingsFrom } from '../../render/settings.ts';
import { printJson, reportError } from '../output.ts';

export interface InitOptions {
  target: string;
  engine: string;
  gitopsUrl?: string;
  gitopsBranch: string;
  gitopsPath: string;
  sshKey?: string;
  knownHosts?: string;
  httpsTokenEnv?: string;
  sourceUrl?: string;
  registry?: string;
  insecureRegistry?: boolean;
  appsDomain?: string;
  namespace: string;
  receiverUrl?: string;
  receiverType: string;
  receiverTokenEnv: string;
  kubeconfig?: string;
  platform?: string;
  out: string;
  force?: boolean;
  json?: boolean;
}

/** `slipway init`: writes a slipway.yaml from flags, validated before it is written. Secrets are named, never written. */
export async function initCommand(opts: InitOptions): Promise<number> {
  try {
    const file = resolve(opts.out);
    if (existsSync(file) && statSync(file).isDirectory()) throw new InputError(`--out ${file} is a directory`, { hint: 'Name the file to write, e.g. --out slipway.yaml.' });
    if (existsSync(file) && !opts.force) throw new ConflictError(`${file} exists`, { hint: 'Pass --force to replace it, or edit it by hand.' });
    const cluster = opts.target === 'cluster';
    if (cluster && !opts.gitopsUrl) throw new InputError('--gitops-url is required with --target cluster', { hint: 'e.g. --gitops-url ssh://git@github.com/me/homelab.git' });
    const remote = (url: string | undefined, branch: string) => ({
      ...(url ? { url } : {}),
      branch,
      ...(opts.sshKey && url && !/^https?:/.test(url) ? { ssh: { keyFile: opts.sshKey, ...(opts.knownHosts ? { knownHostsFile: opts.knownHosts } : {}) } } : {}),
      ...(opts.httpsTokenEnv && url && /^https:/.test(url) ? { https: { token: { env: opts.httpsTokenEnv } } } : {}),
    });
    const doc: Record<string, unknown> = {
      target: opts.target,
      engine: opts.engine,
      git: {
        source: remote(opts.sourceUrl, opts.gitopsBranch),
        gitops: { ...remote(opts.gitopsUrl, opts.gitopsBranch), path: opts.gitopsPath },
      },
      ...(opts.registry ? { registry: { host: opts.registry, repository: 'dynamic-apps', insecure: Boolean(opts.insecureRegistry) } } : {}),
      ...(opts.platform ? { image: { platforms: opts.platform.split(',').map((p) => p.trim()) } } : {}),
      ...(opts.receiverUrl ? { flux: { receiver: { url: opts.receiverUrl, type: opts.receiverType, ...(opts.receiverType !== 'generic' ? { token: { env: opts.receiverTokenEnv } } : {}) } } } : {}),
      ...(opts.kubeconfig ? { kube: { kubeconfig: opts.kubeconfig } } : {}),
      ...(opts.appsDomain ? { publicUrl: `https://{app}.${opts.appsDomain}/` } : {}),
      render: { namespace: opts.namespace, ...(opts.appsDomain ? { appsDomain: opts.appsDomain } : {}) },
    };
    // The render settings (namespace, apps domain) are checked too, so the file works when first used.
    renderSettingsFrom(parseConfig(doc, 'the flags given to slipway init'), { engines: gitOpsEngineRenders() });
    const header = [
      '# Slipway settings. Every field is described in the README ("Configuration").',
      '# Secrets are never written here: they are read from the environment variables or files named below.',
      '',
    ].join('\n');
    writeFileSync(file, header + stringify(doc, { lineWidth: 0 }), { mode: 0o644 });
    if (opts.json) printJson({ file, config: doc });
    else process.stdout.write(`Wrote ${file}\nCheck it with: slipway doctor\n`);
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}
