import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IKustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import type { IReceiver } from '@kubernetes-models/flux-cd/notification.toolkit.fluxcd.io/v1/Receiver';
import { ConfigError } from '../../domain/errors.ts';
import { receiverWebhookPath } from '../../domain/flux-receiver-path.ts';
import { BOOTSTRAP_LABELS } from './namespace.ts';
import type { BootstrapSettings } from './settings.ts';
import type { BootstrapPart, SecretValues } from './types.ts';

/** The Receiver's name, and the name of the Flux Kustomization / Argo CD Application of the bootstrap folder. */
export const RECEIVER_NAME = 'slipway';
/** The Secret holding the Receiver's token (key `token`, as Flux reads it). */
export const RECEIVER_SECRET = 'slipway-receiver-token';
/** The SecretValues names of the receiver token and of Argo CD's webhook secret. */
export const FLUX_RECEIVER_TOKEN = 'flux-receiver-token';
export const ARGOCD_WEBHOOK_SECRET = 'argocd-webhook-secret';
/** Where Argo CD reads the secret of GitHub webhooks from (its own Secret, `argocd-secret`). */
const ARGOCD_SECRET = 'argocd-secret';
const ARGOCD_GITHUB_KEY = 'webhook.github.secret';
/** Bytes of a generated receiver token (64 hex characters). */
const TOKEN_BYTES = 32;

/**
 * How the GitOps engine hears of new commits, and what applies the bootstrap folder itself.
 * Flux: a Receiver for the GitOps repo's GitRepository, its token Secret, and a Flux Kustomization
 * `slipway` applying this folder (decrypting SOPS files when that is the backend). Argo CD: the
 * secret of its GitHub webhook in `argocd-secret`, an Application `slipway` for this folder and one
 * per environment for its apps folder.
 * @example receiverPart(settings, values).files.map((f) => f.path) // ['flux/receiver.yaml', 'flux/slipway-kustomization.yaml']
 */
export function receiverPart(settings: BootstrapSettings, values: SecretValues): BootstrapPart {
  return settings.engine === 'flux' ? fluxPart(settings, values) : argoCdPart(settings, values);
}

/**
 * The path the Receiver will answer at, `/hook/<sha256 of token, name and namespace>`, known before
 * Flux applies it because the token is Slipway's.
 * @example fluxReceiverPath(settings, values) // '/hook/5d2f…'
 */
export function fluxReceiverPath(settings: BootstrapSettings, values: SecretValues): string {
  return receiverWebhookPath(values.get(FLUX_RECEIVER_TOKEN, TOKEN_BYTES), RECEIVER_NAME, settings.flux.namespace);
}

function fluxPart(settings: BootstrapSettings, values: SecretValues): BootstrapPart {
  const { flux } = settings;
  const token = values.get(FLUX_RECEIVER_TOKEN, TOKEN_BYTES);
  const receiver = {
    apiVersion: 'notification.toolkit.fluxcd.io/v1',
    kind: 'Receiver',
    metadata: { name: RECEIVER_NAME, namespace: flux.namespace, labels: { ...BOOTSTRAP_LABELS } },
    spec: {
      type: flux.receiverType,
      // GitHub sends `ping` when the webhook is added and `push` for each push; other types send no event names.
      ...(flux.receiverType === 'github' ? { events: ['ping', 'push'] } : {}),
      secretRef: { name: RECEIVER_SECRET },
      resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' as const, name: flux.gitRepository, namespace: flux.namespace }],
    },
  } satisfies IReceiver;
  const path = fluxReceiverPath(settings, values);
  const tokenFile = `${settings.localDir}/${FLUX_RECEIVER_TOKEN}`;
  return {
    name: 'receiver',
    files: [
      { path: 'flux/receiver.yaml', objects: [receiver] },
      { path: 'flux/slipway-kustomization.yaml', objects: [fluxKustomization(settings)] },
    ],
    secrets: [
      {
        path: `secrets/${RECEIVER_SECRET}.yaml`,
        secret: { name: RECEIVER_SECRET, namespace: flux.namespace, labels: { ...BOOTSTRAP_LABELS }, stringData: { token } },
        purpose: `the token of the Flux Receiver ${flux.namespace}/${RECEIVER_NAME}`,
      },
    ],
    notes: [
      `The Flux Receiver ${flux.namespace}/${RECEIVER_NAME} will answer at ${path} on notification-controller's webhook-receiver Service.`,
      'Put this in slipway.yaml:',
      '  flux:',
      '    receiver:',
      `      url: https://<the address of webhook-receiver>${path}`,
      `      type: ${flux.receiverType}`,
      `      token: { file: ${tokenFile} }`,
      ...(flux.receiverType === 'github'
        ? [`For GitHub to call it on each push: add a webhook to the GitOps repo with that URL, content type application/json and the secret in ${tokenFile}.`]
        : []),
      `Flux applies this folder once the Flux Kustomization in ${settings.path}/flux/slipway-kustomization.yaml is in the cluster: add it to your flux-system folder, or kubectl apply -f it once.`,
    ],
  };
}

/**
 * The Flux Kustomization applying the bootstrap folder: pruned (a part turned off disappears from
 * the cluster), SOPS files decrypted with the age key in the `sops-age` Secret, and Flux variables
 * (`${APPS_SUBDOMAIN}`) substituted as in the apps' Kustomizations.
 */
function fluxKustomization(settings: BootstrapSettings) {
  const { flux, render } = settings;
  const substituteFrom = render.gitops.substituteFrom.map((ref) => ({ kind: ref.kind, name: ref.name, ...(ref.optional === undefined ? {} : { optional: ref.optional }) }));
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: RECEIVER_NAME, namespace: flux.namespace, labels: { ...BOOTSTRAP_LABELS } },
    spec: {
      interval: render.gitops.interval,
      timeout: render.gitops.timeout,
      path: `./${settings.path}`,
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: flux.gitRepository, namespace: flux.namespace },
      ...(settings.secrets === 'sops' ? { decryption: { provider: 'sops' as const, secretRef: { name: 'sops-age' } } } : {}),
      ...(substituteFrom.length === 0 ? {} : { postBuild: { substituteFrom } }),
    },
  } satisfies IKustomization;
}

function argoCdPart(settings: BootstrapSettings, values: SecretValues): BootstrapPart {
  const { argocd } = settings.render;
  const secret = values.get(ARGOCD_WEBHOOK_SECRET, TOKEN_BYTES);
  const applications = [
    argoApplication(settings, RECEIVER_NAME, settings.path, settings.namespace),
    // One Application per environment for its apps folder, whose kustomization.yaml lists each app's Application.
    ...settings.environments.map((env) => argoApplication(settings, `${argocd.appOfAppsName}${env.render.objectSuffix}`, env.gitopsPath, argocd.namespace)),
  ];
  const secretFile = `${settings.localDir}/${ARGOCD_WEBHOOK_SECRET}`;
  return {
    name: 'receiver',
    files: [{ path: 'argocd/applications.yaml', objects: applications }],
    secrets: [
      {
        path: `secrets/${ARGOCD_SECRET}.yaml`,
        secret: {
          name: ARGOCD_SECRET,
          namespace: argocd.namespace,
          labels: { 'app.kubernetes.io/name': ARGOCD_SECRET, 'app.kubernetes.io/part-of': 'argocd' },
          // Argo CD made argocd-secret when it was installed: the Sealed Secrets controller takes it over only when told to.
          ...(settings.secrets === 'sealed-secrets' ? { annotations: { 'sealedsecrets.bitnami.com/managed': 'true' } } : {}),
          stringData: { [ARGOCD_GITHUB_KEY]: secret },
        },
        purpose: `the secret of Argo CD's GitHub webhook (${ARGOCD_GITHUB_KEY} in ${argocd.namespace}/${ARGOCD_SECRET})`,
      },
    ],
    notes: [
      `Argo CD checks GitHub webhooks with ${ARGOCD_GITHUB_KEY} of ${argocd.namespace}/${ARGOCD_SECRET}; the value is in ${secretFile}.`,
      'Put this in slipway.yaml to have Slipway call that webhook after each push:',
      '  argocd:',
      '    refresh: webhook',
      '    webhookUrl: https://<the address of argocd-server>/api/webhook',
      `    webhookSecret: { file: ${secretFile} }`,
      ...(settings.secrets === 'sops'
        ? [`Argo CD does not decrypt SOPS files by itself: ${settings.path}/secrets/ needs a SOPS plugin such as KSOPS in Argo CD's repo server, or bootstrap again with --secrets sealed-secrets.`]
        : [`The Sealed Secrets controller now owns ${argocd.namespace}/${ARGOCD_SECRET}: keys set there by hand (admin.password, …) are replaced, and Argo CD makes a new server.secretkey (signing everyone out once).`]),
      `Argo CD applies this folder once the Application ${RECEIVER_NAME} in ${settings.path}/argocd/applications.yaml is in the cluster: kubectl apply -f it once.`,
    ],
  };
}

/** An Argo CD Application syncing one folder of the GitOps repo, automatically, pruning and undoing drift. */
function argoApplication(settings: BootstrapSettings, name: string, path: string, namespace: string) {
  const { argocd } = settings.render;
  if (argocd.repoURL === undefined) {
    throw new ConfigError('render.argocd.repoURL is not set: Argo CD needs the URL of the GitOps repo it clones', { hint: 'Set render.argocd.repoURL (or a remote git.gitops.url) in slipway.yaml.' });
  }
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: argocd.namespace, labels: { ...BOOTSTRAP_LABELS } },
    spec: {
      project: argocd.project,
      source: { repoURL: argocd.repoURL, targetRevision: argocd.targetRevision, path },
      destination: { server: argocd.destinationServer, namespace },
      syncPolicy: { automated: { prune: argocd.syncPolicy.automated.prune, selfHeal: argocd.syncPolicy.automated.selfHeal } },
    },
  } satisfies IApplication;
}
