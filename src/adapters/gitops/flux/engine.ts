import { ConfigError } from '../../../domain/errors.ts';
import type { EngineCheck, GitOpsEngine } from '../../../ports/gitops-engine.ts';
import { fluxRender } from './render.ts';
import { fluxWatchStages } from './stages.ts';

/**
 * Flux: a Flux Kustomization per app, the notification-controller Receiver to reconcile at once, and
 * the GitRepository and Kustomization to watch.
 */
export const fluxEngine: GitOpsEngine = {
  name: 'flux',
  title: 'Flux',
  render: fluxRender,

  async syncer({ config, logger, secret }) {
    const { receiver } = config.flux;
    // Without a Receiver Flux still applies the commit, at its next interval.
    if (!receiver) return undefined;
    if (receiver.type !== 'generic' && !receiver.token) {
      throw new ConfigError(`flux.receiver.token is needed for a ${receiver.type} Receiver (the HMAC key in its secretRef)`, { hint: 'Add token: { env: FLUX_RECEIVER_TOKEN } and export the variable.' });
    }
    // Loaded only when a Receiver is configured.
    const { FluxReceiverSyncer } = await import('./receiver-syncer.ts');
    return new FluxReceiverSyncer({
      url: receiver.url, type: receiver.type,
      ...(logger ? { logger } : {}),
      ...(receiver.token ? { token: secret(receiver.token, 'flux.receiver.token') } : {}),
    });
  },

  watchStages(config) {
    return fluxWatchStages({ namespace: config.flux.namespace, gitRepository: config.flux.gitRepository, appsPath: config.git.gitops.path });
  },

  followHint(app, config, where) {
    const namespace = where?.namespace ?? String(config.render.namespace ?? 'dynamic-apps');
    return `Follow the rollout with: flux get kustomizations ${where?.object ?? app} --watch  (and kubectl -n ${namespace} rollout status deployment/${app})`;
  },

  async doctor(config, { env, reachable }) {
    const receiver = config.flux.receiver;
    if (!receiver) {
      return [{ name: 'receiver', status: 'warn', detail: 'no Flux Receiver configured: Flux picks changes up at its next interval', fix: 'Set flux.receiver.url (from the Receiver\'s .status.webhookPath) and its token.' }];
    }
    // The path's digest is the secret of a generic Receiver: only its start is shown.
    const shown = receiver.url.replace(/\/hook\/([0-9a-f]{8})[0-9a-f]*/, '/hook/$1…');
    const probe = await reachable(receiver.url, { method: 'GET' });
    const tokenMissing = receiver.token?.env && !env[receiver.token.env];
    let check: EngineCheck;
    if (probe.error) check = { name: 'receiver', status: 'fail', detail: `${shown}: ${probe.error}`, fix: 'Is the Receiver exposed (e.g. through the Cloudflare Tunnel) and is the URL right?' };
    else if (probe.status === 404) check = { name: 'receiver', status: 'fail', detail: `${shown} answered 404`, fix: "Read the path again: kubectl -n flux-system get receiver -o jsonpath='{.items[*].status.webhookPath}'" };
    else if (tokenMissing) check = { name: 'receiver', status: 'fail', detail: `${shown} reachable, but ${receiver.token!.env} is not set`, fix: `Export ${receiver.token!.env} with the Receiver's token.` };
    else check = { name: 'receiver', status: 'ok', detail: `${shown} reachable (${receiver.type})` };
    return [check];
  },
};
