/**
 * The slipway.yaml Slipway runs with in the cluster, made from the one of the machine running
 * `slipway bootstrap`: the same repos, registry, engine and render settings, but the cluster target,
 * in-cluster Kubernetes access, every address, and each secret read from a file of the mounted
 * Secret instead of this machine's environment or files.
 */
import type { Config } from '../../config/schema.ts';

/** Where the Secret `slipway-secrets` is mounted: one file per key. */
export const SECRETS_DIR = '/var/run/secrets/slipway';
/** Where the registry login (a dockerconfigjson Secret) is mounted, as `config.json`. */
export const REGISTRY_LOGIN_DIR = '/var/run/secrets/slipway-registry';
/** $SLIPWAY_HOME in the pod: the PersistentVolumeClaim holding the state database, repos and logs. */
export const STATE_DIR = '/var/lib/slipway';
/** Where the ConfigMap's slipway.yaml is mounted ($SLIPWAY_CONFIG points at the file). */
export const CONFIG_DIR = '/etc/slipway';
export const CONFIG_FILE = 'slipway.yaml';
/** The port `slipway serve` listens on in the pod. */
export const SERVER_PORT = 8420;
/** The name the bootstrap's API token is kept under by the server (`slipway token list` shows it). */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap';

/** Keys of `slipway-secrets` (one file each under SECRETS_DIR). */
export const SECRET_KEYS = {
  apiToken: 'api-token',
  fluxReceiverToken: 'flux-receiver-token',
  argocdWebhookSecret: 'argocd-webhook-secret',
  registryPassword: 'registry-password',
} as const;

/**
 * Secrets of the running slipway.yaml that the pod needs too (read by the caller from their
 * `{ env | file }`), by the key they get in `slipway-secrets`. Those not given are left out of the
 * pod's slipway.yaml, and a note says so.
 */
export const CARRIED_SECRETS = {
  gitSourceToken: 'git-source-token',
  gitGitopsToken: 'git-gitops-token',
  llmApiKey: 'llm-api-key',
  hookSecret: 'server-hook-secret',
  registryDockerConfig: 'registry-docker-config',
} as const;
export type CarriedSecret = (typeof CARRIED_SECRETS)[keyof typeof CARRIED_SECRETS];

/** The fields of the running configuration the pod's one is made from. */
export type RunningConfig = Pick<
  Config,
  'git' | 'registry' | 'image' | 'llm' | 'generation' | 'engine' | 'flux' | 'argocd' | 'publicUrl' | 'watch' | 'rollout' | 'render' | 'server' | 'environments' | 'defaultEnv' | 'notify' | 'chat'
>;

export interface InClusterConfigInput {
  running: RunningConfig;
  /** The Flux Receiver's webhook path (`/hook/…`), when the engine is Flux. */
  receiverPath?: string;
  /** The bootstrap's own registry, when it is on: pushes go there with the login mounted from its push Secret. */
  registry?: { host: string };
  /** Which carried secrets the caller has values for. */
  carried: ReadonlySet<CarriedSecret>;
}

export interface InClusterConfig {
  /** slipway.yaml for the ConfigMap, as plain data in a fixed key order. */
  config: Record<string, unknown>;
  /** Lines for the person running the bootstrap: what was not carried into the cluster, and why. */
  notes: string[];
}

const secretFile = (key: string) => ({ file: `${SECRETS_DIR}/${key}` });
/** A remote the pod can reach: not a path or file:// URL on this machine. */
const isRemote = (url: string | undefined) => url !== undefined && !url.startsWith('/') && !/^file:/i.test(url);

/**
 * The pod's slipway.yaml and what could not be carried over.
 * @example inClusterConfig({ running, receiverPath: '/hook/ab…', carried: new Set() }).config.target // 'cluster'
 */
export function inClusterConfig(input: InClusterConfigInput): InClusterConfig {
  const { running, carried } = input;
  const notes: string[] = [];
  const config: Record<string, unknown> = {
    target: 'cluster',
    git: gitSection(running.git, carried, notes),
    registry: registrySection(input, notes),
    image: imageSection(running.image, notes),
    ...(running.llm ? { llm: llmSection(running.llm, carried, notes) } : {}),
    generation: running.generation,
    engine: running.engine,
    flux: fluxSection(input),
    argocd: argocdSection(running.argocd),
    // The pod's ServiceAccount token and the API server's address from the environment Kubernetes sets.
    kube: { inCluster: true },
    ...(running.publicUrl === undefined ? {} : { publicUrl: running.publicUrl }),
    watch: running.watch,
    rollout: running.rollout,
    render: running.render,
    server: serverSection(running.server, carried, notes),
    ...(running.environments === undefined ? {} : { environments: running.environments }),
    defaultEnv: running.defaultEnv,
  };
  if (running.notify.length > 0 || Object.keys(running.chat).length > 0) {
    notes.push('notify: and chat: are not carried into the cluster (their secrets stay on this machine); add them to the ConfigMap slipway with secrets of your own if the cluster should send them.');
  }
  return { config, notes };
}

function gitSection(git: RunningConfig['git'], carried: ReadonlySet<CarriedSecret>, notes: string[]) {
  const remote = (which: 'source' | 'gitops', key: CarriedSecret) => {
    const { url, branch, https, ssh } = git[which];
    if (!isRemote(url)) {
      // The source repo may live on Slipway's volume; the GitOps repo must be one the engine reads.
      const why = which === 'gitops' ? 'which Flux or Argo CD cannot read; set git.gitops.url to a remote both can reach' : 'and nowhere else: set git.source.url to a remote to keep the apps\' source beside it';
      notes.push(`git.${which}.url is ${url === undefined ? 'not set' : 'a folder on this machine'}: in the cluster Slipway keeps that repo on its volume, ${why}.`);
    }
    if (ssh) notes.push(`git.${which}.ssh is not carried into the cluster: give the pod an HTTPS token (git.${which}.https) instead.`);
    const token = https && carried.has(key) ? { https: { token: secretFile(key), username: https.username } } : {};
    if (https && !carried.has(key)) notes.push(`git.${which}.https.token had no value to carry: the pod pushes without it.`);
    return { ...(isRemote(url) ? { url } : {}), branch, ...token };
  };
  return { author: git.author, source: remote('source', CARRIED_SECRETS.gitSourceToken), gitops: { ...remote('gitops', CARRIED_SECRETS.gitGitopsToken), path: git.gitops.path } };
}

function registrySection(input: InClusterConfigInput, notes: string[]) {
  const { registry } = input.running;
  if (input.registry) {
    return { host: input.registry.host, repository: registry.repository, insecure: false, dockerConfig: `${REGISTRY_LOGIN_DIR}/config.json` };
  }
  if (registry.host === undefined) notes.push('registry.host is not set: in the cluster images would stay on Slipway\'s volume, where no node can pull them; set registry.host or bootstrap with --registry.');
  if (registry.ca) notes.push('registry.ca is a file on this machine and is not carried into the cluster.');
  const login = registry.dockerConfig && input.carried.has(CARRIED_SECRETS.registryDockerConfig) ? { dockerConfig: secretFile(CARRIED_SECRETS.registryDockerConfig).file } : {};
  return { ...(registry.host === undefined ? {} : { host: registry.host }), repository: registry.repository, insecure: registry.insecure, ...login };
}

function imageSection(image: RunningConfig['image'], notes: string[]) {
  // An OCI layout folder is on this machine only; `host` means the pod's own Node, which Slipway's image has.
  const localBase = image.base?.startsWith('oci:') === true;
  if (localBase) notes.push(`image.base ${image.base} is a folder on this machine: the pod uses the default base image instead.`);
  return { ...(image.repository === undefined ? {} : { repository: image.repository }), ...(image.base === undefined || localBase ? {} : { base: image.base }), ...(image.platforms ? { platforms: image.platforms } : {}) };
}

function llmSection(llm: NonNullable<RunningConfig['llm']>, carried: ReadonlySet<CarriedSecret>, notes: string[]) {
  const { apiKey: _apiKey, ...rest } = llm;
  if (!carried.has(CARRIED_SECRETS.llmApiKey)) notes.push('llm: no API key to carry into the cluster: the pod plans and writes apps with the offline templates unless the model needs none.');
  return { ...rest, ...(carried.has(CARRIED_SECRETS.llmApiKey) ? { apiKey: secretFile(CARRIED_SECRETS.llmApiKey) } : {}) };
}

function fluxSection(input: InClusterConfigInput) {
  const { flux } = input.running;
  // The notification-controller's Service, reached inside the cluster without going through the gateway.
  const receiver =
    input.receiverPath === undefined
      ? {}
      : { receiver: { url: `http://webhook-receiver.${flux.namespace}.svc.cluster.local${input.receiverPath}`, type: flux.receiver?.type ?? 'github', token: secretFile(SECRET_KEYS.fluxReceiverToken) } };
  return { ...receiver, namespace: flux.namespace, gitRepository: flux.gitRepository };
}

function argocdSection(argocd: RunningConfig['argocd']) {
  const webhook = argocd.refresh === 'webhook' && argocd.webhookUrl !== undefined ? { webhookUrl: argocd.webhookUrl, webhookSecret: secretFile(SECRET_KEYS.argocdWebhookSecret) } : {};
  return { namespace: argocd.namespace, refresh: argocd.refresh, ...webhook };
}

function serverSection(server: RunningConfig['server'], carried: ReadonlySet<CarriedSecret>, notes: string[]) {
  const hook = server.hookSecret && carried.has(CARRIED_SECRETS.hookSecret) ? { hookSecret: secretFile(CARRIED_SECRETS.hookSecret) } : {};
  if (server.hookSecret && !carried.has(CARRIED_SECRETS.hookSecret)) notes.push('server.hookSecret had no value to carry: the signed intake answers 404 in the cluster.');
  return {
    // Every address of the pod: the Service and the probes reach it there; the token below guards it.
    host: '0.0.0.0',
    port: SERVER_PORT,
    concurrency: server.concurrency,
    bodyLimit: server.bodyLimit,
    rateLimit: server.rateLimit,
    ...hook,
    tokens: [{ name: BOOTSTRAP_TOKEN_NAME, scope: 'admin', token: secretFile(SECRET_KEYS.apiToken) }],
  };
}
