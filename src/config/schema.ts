import { z } from 'zod';
import { PROVIDER_NAMES } from '../adapters/generator/llm/providers/registry.ts';
import { gitOpsEngineNames } from '../adapters/gitops/index.ts';
import { MAX_TOKEN_NAME_LENGTH, TOKEN_NAME, TOKEN_NAME_RULE, TOKEN_SCOPES } from '../domain/api-token.ts';
import { AppAccess } from '../domain/app-access.ts';
import { APPS_DOMAIN } from '../render/settings-parts.ts';
import { branchNameProblem } from './branch-name.ts';
import { gitRemoteProblem, hostProblem, urlProblem } from './network-names.ts';

/**
 * A string that `problem` accepts; the message says what it must be and why it is not, and quotes the
 * value unless it may hold a secret (URLs may carry tokens in their user info or path).
 */
function checked(problem: (value: string) => string | undefined, what: string, quote = true) {
  return z.string().superRefine((value, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: `${quote ? `${JSON.stringify(value)} is not` : 'must be'} ${what}: ${why}` });
  });
}

const HttpUrl = checked(urlProblem, 'an http:// or https:// URL', false);
/** A Kubernetes namespace or object name (DNS-1123 label). */
const KubeName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes name: lowercase letters, digits and -, such as flux-system');
/** An API token's name, as `slipway token create --name` takes it. */
const TokenName = z.string().max(MAX_TOKEN_NAME_LENGTH).regex(TOKEN_NAME, TOKEN_NAME_RULE);
/** A file path; ~ and relative paths are resolved against the file's folder when loading. */
const FilePath = z.string().min(1, 'a file path').refine((p) => !p.includes('\0'), 'a file path without NUL characters');

/** A secret is named, never written here: an environment variable or a file holding it. */
export const SecretSource = z
  .object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as FLUX_RECEIVER_TOKEN').optional(), file: z.string().refine((p) => !p.includes('\0'), 'a file path without NUL characters').optional() })
  .strict()
  .refine((s) => Boolean(s.env) !== Boolean(s.file), 'give exactly one of env or file');
export type SecretSource = z.infer<typeof SecretSource>;

const GitRemote = z
  .object({
    /** Any git remote: a path or file:// URL to a bare repo, https, or ssh. Defaults to bare repos under $SLIPWAY_HOME/git. */
    url: z.string().min(1).pipe(checked(gitRemoteProblem, 'a git remote', false)).optional(),
    branch: checked(branchNameProblem, 'a git branch name').default('main'),
    /** SSH deploy key (and the host keys to trust) for ssh:// or git@host: remotes. */
    ssh: z.object({ keyFile: FilePath, knownHostsFile: FilePath.optional(), strictHostKeyChecking: z.enum(['yes', 'accept-new']).default('yes') }).strict().optional(),
    /** HTTPS token (e.g. a GitHub fine-grained token with contents:write), never put in the URL. */
    https: z.object({ token: SecretSource, username: z.string().default('x-access-token') }).strict().optional(),
  })
  .strict();

/** Why `text` is not `host[:port]`, or undefined. */
function registryHostProblem(text: string): string | undefined {
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(text)!;
  if (match[2] !== undefined && Number(match[2]) > 65535) return 'the port is above 65535';
  return hostProblem(match[1]!);
}

/** Which run outcomes a notification target hears of; cancelled runs only when listed. */
const NotifyOn = z.array(z.enum(['succeeded', 'failed', 'cancelled'])).min(1, 'list at least one of succeeded, failed, cancelled').default(['succeeded', 'failed']);
/** What every notification target may carry: a display name (shown on runs and in logs instead of its URL) and which outcomes it hears of. */
const notifyCommon = {
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._:@-]{0,62}$/, 'a short display name: letters, digits, spaces and . _ : @ -').optional(),
  on: NotifyOn,
};
const EmailAddress = z.email('an email address such as ops@example.org');

/** One place to tell when a run ends. Webhook URLs of Slack and Discord hold their token, so they are secrets. */
export const NotifyTarget = z.discriminatedUnion('type', [
  z.object({ type: z.literal('slack'), url: SecretSource, ...notifyCommon }).strict(),
  z.object({ type: z.literal('discord'), url: SecretSource, ...notifyCommon }).strict(),
  z.object({
    type: z.literal('ntfy'),
    server: HttpUrl.default('https://ntfy.sh'),
    topic: z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, 'an ntfy topic: 1 to 64 letters, digits, - and _'),
    /** An ntfy access token (tk_…), for a topic that needs one. */
    token: SecretSource.optional(),
    ...notifyCommon,
  }).strict(),
  z.object({
    type: z.literal('email'),
    smtp: z
      .object({
        host: checked(hostProblem, 'an SMTP server hostname or IP address'),
        port: z.number().int().min(1).max(65535).default(587),
        /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
        secure: z.boolean().default(false),
        user: z.string().min(1).optional(),
        password: SecretSource.optional(),
      })
      .strict()
      .refine((smtp) => Boolean(smtp.user) === Boolean(smtp.password), 'give both user and password, or neither'),
    /** The sender, e.g. `Slipway <slipway@example.org>`. */
    from: z.string().min(3).refine((from) => from.includes('@') && !/[\r\n]/.test(from), 'an address such as slipway@example.org or "Slipway <slipway@example.org>"'),
    to: z.array(EmailAddress).min(1, 'list at least one recipient'),
    ...notifyCommon,
  }).strict(),
  z.object({
    type: z.literal('webhook'),
    url: HttpUrl,
    /** HMAC key: the body is signed as the signed intake's requests are (X-Slipway-Timestamp, X-Slipway-Signature). */
    secret: SecretSource.optional(),
    ...notifyCommon,
  }).strict(),
], { error: (issue) => (issue.code === 'invalid_union' ? 'type must be one of slack, discord, ntfy, email, webhook' : undefined) });
export type NotifyTarget = z.infer<typeof NotifyTarget>;

/** Chat user, channel or chat ids as the platform names them (Slack U…/C…, Telegram numbers, Discord snowflakes). */
const ChatIds = z.array(z.string().regex(/^[-A-Za-z0-9_]{1,64}$/, 'an id as the platform shows it, such as U024BE7LH, C061EG9SL or -1001234567890')).default([]);
/** Who may ask Slipway in a chat: a user listed, or anyone in a channel listed (both empty: nobody); deleting also needs the user in allowDelete. */
const chatPolicy = { allowUsers: ChatIds, allowChannels: ChatIds, allowDelete: ChatIds };

/**
 * Apps' secrets kept outside the GitOps repo: an ExternalSecret per app pointing at a (Cluster)SecretStore
 * of the External Secrets Operator, and optionally Vault's KV v2 engine Slipway writes the values to.
 */
export const ExternalSecretsConfig = z
  .object({
    store: z.object({ kind: z.enum(['ClusterSecretStore', 'SecretStore']).default('ClusterSecretStore'), name: KubeName }).strict(),
    /** Where an app's values are in the store, with {env} and {app} replaced: the remoteRef key of each value. */
    remotePath: z
      .string()
      .regex(/^[A-Za-z0-9_.{}-]+(\/[A-Za-z0-9_.{}-]+)*$/, 'a path such as slipway/{env}/{app}: segments of letters, digits, . _ - and the {env} and {app} placeholders, joined by /')
      .refine((p) => p.includes('{app}'), 'a path holding {app}, so that each app has its own place')
      .default('slipway/{env}/{app}'),
    /** How often the operator reads the store again. */
    refreshInterval: z.string().regex(/^\d+(s|m|h)$/, 'a duration such as 30s, 15m or 1h').default('1h'),
    /** Vault's KV v2 engine the store reads: Slipway writes the values there when set, else it only references them. */
    vault: z.object({ url: HttpUrl, token: SecretSource, mount: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'a mount path such as secret').default('secret') }).strict().optional(),
  })
  .strict();
export type ExternalSecretsConfig = z.infer<typeof ExternalSecretsConfig>;

/** How Secrets Slipway commits to the GitOps repo are encrypted (see src/adapters/secrets). */
export const SecretsConfig = z
  .object({
    /**
     * `sops`: SOPS + age, decrypted by Flux; `sealed-secrets`: sealed for the Sealed Secrets controller;
     * `external-secrets` (apps' secrets only): an ExternalSecret per app, see `externalSecrets`.
     */
    backend: z.enum(['sops', 'sealed-secrets', 'external-secrets']).default('sops'),
    /** age public keys (age1…) SOPS files are encrypted to; Flux holds the secret key of one of them. */
    ageRecipients: z.array(z.string().min(1, 'an age public key (age1…)')).default([]),
    /** The controller's certificate, from `kubeseal --fetch-cert`. */
    sealCert: FilePath.optional(),
    externalSecrets: ExternalSecretsConfig.optional(),
  })
  .strict()
  .refine((s) => s.backend !== 'external-secrets' || s.externalSecrets !== undefined, { message: 'backend external-secrets needs externalSecrets: { store: { kind, name } } (the (Cluster)SecretStore apps read from)', path: ['externalSecrets'] });
export type SecretsConfig = z.infer<typeof SecretsConfig>;

/** Chat commands served by `slipway serve`; a platform left out answers 404 on its endpoints. */
export const ChatConfig = z
  .object({
    slack: z.object({
      /** Checks that requests come from Slack (Basic Information → Signing Secret). */
      signingSecret: SecretSource,
      /** The bot's token (xoxb-…), for chat.postMessage answers to mentions. */
      botToken: SecretSource,
      /** Slack's Web API root; another for a proxy (or a test's stand-in). */
      apiUrl: HttpUrl.default('https://slack.com/api'),
      ...chatPolicy,
    }).strict().optional(),
    telegram: z.object({
      /** The secret_token given to setWebhook; Telegram sends it back in X-Telegram-Bot-Api-Secret-Token. */
      secretToken: SecretSource,
      botToken: SecretSource,
      apiUrl: HttpUrl.default('https://api.telegram.org'),
      ...chatPolicy,
    }).strict().optional(),
    discord: z.object({
      /** The application's public key (General Information), 64 hex digits: it checks each interaction's Ed25519 signature. */
      publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, 'the application\'s public key: 64 hex digits'),
      applicationId: z.string().regex(/^\d{1,32}$/, 'the application id: digits, such as 1234567890123456789'),
      /** Only `slipway chat discord register-command` needs it. */
      botToken: SecretSource.optional(),
      apiUrl: HttpUrl.default('https://discord.com/api/v10'),
      ...chatPolicy,
    }).strict().optional(),
  })
  .strict();
export type ChatConfig = z.infer<typeof ChatConfig>;

/** An environment's name: it becomes a tag suffix, a folder and part of object names, so a short DNS label. */
export const EnvName = z.string().regex(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/, 'an environment name: up to 20 lowercase letters, digits and -, starting with a letter, such as dev or prod');

/** Where one environment's apps go; what is left out follows from the settings above (see src/config/environments.ts). */
export const EnvironmentConfig = z
  .object({
    /** Folder in the GitOps repo holding this environment's apps. */
    gitopsPath: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path such as kubernetes/apps/dev')
      .refine((path) => !path.split('/').some((part) => part === '.' || part === '..'), "a relative path without '.' or '..' parts, such as kubernetes/apps/dev")
      .optional(),
    /** Namespace this environment's apps run in. */
    namespace: KubeName.optional(),
    /** Apps answer at `<app>.<domain>`. */
    domain: z.string().max(200).regex(APPS_DOMAIN, 'a domain such as dev.apps.example.com or dev.${APPS_SUBDOMAIN}').optional(),
    /** The end of this environment's image tags (`v1.2.0-a3f5c2b-<tagSuffix>`); default the environment's name. */
    tagSuffix: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/, 'a tag suffix: up to 32 lowercase letters, digits and -, such as dev').optional(),
  })
  .strict();
export type EnvironmentConfig = z.infer<typeof EnvironmentConfig>;

const Email = z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address such as ada@example.com');
const EmailDomain = z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, 'a domain such as example.com');

/** Cloudflare Access: an Access application per private app's hostname, and a reusable allow policy it uses. */
const CloudflareAccess = z
  .object({
    /** The account the Access applications belong to (32 hex digits, on the dashboard's overview page). */
    accountId: z.string().regex(/^[0-9a-f]{32}$/, 'a Cloudflare account id: 32 hexadecimal digits'),
    /** An API token with the "Access: Apps and Policies Edit" permission on that account. */
    apiToken: SecretSource,
    /** Who is let in: any of these emails, email domains or identity-provider groups. */
    allow: z
      .object({
        emails: z.array(Email).default([]),
        emailDomains: z.array(EmailDomain).default([]),
        /** Access groups by id (Zero Trust → Access → Groups). */
        groups: z.array(z.object({ id: z.string().regex(/^[0-9a-f-]{8,64}$/, 'an Access group id') }).strict()).default([]),
      })
      .strict()
      .refine((allow) => allow.emails.length + allow.emailDomains.length + allow.groups.length > 0, 'name at least one email, email domain or group to let in'),
    /** How long a sign-in lasts, as Cloudflare writes it: 30m, 24h, 720h. */
    sessionDuration: z.string().regex(/^\d+(\.\d+)?(s|m|h)$/, 'a duration such as 30m or 24h').default('24h'),
    apiUrl: HttpUrl.default('https://api.cloudflare.com/client/v4'),
  })
  .strict();

/** oauth2-proxy in front of each private app, signing people in with an OpenID Connect provider (Authelia, Dex, Authentik…). */
const OAuth2ProxyAccess = z
  .object({
    /** The proxy's image, pinned by digest so every app runs the same, checked build. */
    image: z.string().regex(/^[^\s@]+@sha256:[0-9a-f]{64}$/, 'an image pinned by digest, such as quay.io/oauth2-proxy/oauth2-proxy:v7.12.0@sha256:<64 hex digits>'),
    issuerUrl: HttpUrl,
    clientId: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'a client id without spaces'),
    clientSecret: SecretSource,
    allowedEmails: z.array(Email).default([]),
    allowedGroups: z.array(z.string().min(1).max(200).regex(/^[^\s,]+$/, 'a group name without spaces or commas')).default([]),
    emailDomains: z.array(EmailDomain).default([]),
  })
  .strict();

/** `access:` — whether apps are public or private unless a run says otherwise, and who guards the private ones. */
export const AccessConfig = z
  .object({
    default: AppAccess.default('public'),
    provider: z.enum(['cloudflare', 'oauth2-proxy']).optional(),
    cloudflare: CloudflareAccess.optional(),
    oauth2Proxy: OAuth2ProxyAccess.optional(),
  })
  .strict()
  .superRefine((access, ctx) => {
    if (access.provider === 'cloudflare' && !access.cloudflare) ctx.addIssue({ code: 'custom', path: ['cloudflare'], message: 'provider cloudflare needs the cloudflare section (accountId, apiToken, allow)' });
    if (access.provider === 'oauth2-proxy' && !access.oauth2Proxy) ctx.addIssue({ code: 'custom', path: ['oauth2Proxy'], message: 'provider oauth2-proxy needs the oauth2Proxy section (image, issuerUrl, clientId, clientSecret)' });
    if (access.default === 'private' && !access.provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'private apps need a provider: cloudflare or oauth2-proxy' });
  });
export type AccessConfig = z.infer<typeof AccessConfig>;

/** A CPU quantity (`500m`, `2`) or a memory/storage quantity (`256Mi`, `10Gi`), as Kubernetes writes them. */
const CpuQuantity = z.string().regex(/^[0-9]+(\.[0-9]+)?m?$/, 'a CPU quantity such as 500m or 2');
const ByteQuantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'a quantity such as 256Mi or 10Gi');
/** A relative folder of the GitOps repo. */
const RepoPath = z
  .string()
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path such as kubernetes/slipway')
  .refine((path) => !path.split('/').some((part) => part === '.' || part === '..'), "a relative path without '.' or '..' parts, such as kubernetes/slipway");

/**
 * `slipway bootstrap`: the cluster side it commits to the GitOps repo. The defaults suit a few
 * Raspberry Pis (4–8 GB each) shared with other workloads, so every app namespace gets a bounded share.
 */
export const BootstrapConfig = z
  .object({
    /** Folder of the GitOps repo the bootstrap writes (one kustomization.yaml lists its files). */
    path: RepoPath.default('kubernetes/slipway'),
    /** Namespace Slipway, its registry and its build Jobs run in. */
    namespace: KubeName.default('slipway'),
    /** What all apps of one namespace may ask for together (a ResourceQuota per apps namespace). */
    quota: z
      .object({
        requestsCpu: CpuQuantity.default('2'),
        requestsMemory: ByteQuantity.default('2Gi'),
        limitsMemory: ByteQuantity.default('4Gi'),
        pods: z.number().int().min(1).max(10000).default(30),
        persistentVolumeClaims: z.number().int().min(0).max(1000).default(10),
        requestsStorage: ByteQuantity.default('20Gi'),
      })
      .strict()
      .prefault({}),
    /** Per-container defaults and ceiling (a LimitRange per apps namespace), for containers that say nothing. */
    limits: z
      .object({
        defaultRequestCpu: CpuQuantity.default('10m'),
        defaultRequestMemory: ByteQuantity.default('64Mi'),
        defaultLimitMemory: ByteQuantity.default('256Mi'),
        maxCpu: CpuQuantity.default('1'),
        maxMemory: ByteQuantity.default('1Gi'),
      })
      .strict()
      .prefault({}),
    /** Slipway itself in the cluster. */
    slipway: z
      .object({
        /** Slipway's image pinned by digest (`npm run image` prints it); absent → Slipway's Deployment is left out. */
        image: z.string().min(1).optional(),
        /** Host name of its web page and API; default `slipway.<apps domain>`. */
        host: checked(hostProblem, 'a host name such as slipway.apps.example.com').optional(),
        /** Size of the volume holding its state. */
        storage: ByteQuantity.default('1Gi'),
      })
      .strict()
      .prefault({}),
    /** A private registry in the cluster (the seeds' Docker Registry v2), for homelabs without one. */
    registry: z
      .object({
        enabled: z.boolean().default(false),
        /** Host name it answers at through the gateway; default `registry.<apps domain>`. */
        host: checked(hostProblem, 'a host name such as registry.apps.example.com').optional(),
        storage: ByteQuantity.default('10Gi'),
        image: z.string().min(1).default('docker.io/library/registry:2.8.3'),
      })
      .strict()
      .prefault({}),
    /** A Grafana dashboard and Prometheus alerts for Slipway and the apps. */
    observability: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
  })
  .strict();
export type BootstrapConfig = z.infer<typeof BootstrapConfig>;

const BuildResources = z.object({ cpu: CpuQuantity.optional(), memory: ByteQuantity.optional(), 'ephemeral-storage': ByteQuantity.optional() }).strict();

/**
 * The rootless BuildKit image cluster builds run; a release tag (pin it with `@sha256:<digest>` as
 * well, once you have checked the digest your registry mirror or Docker Hub serves for it).
 */
export const DEFAULT_BUILDKIT_IMAGE = 'docker.io/moby/buildkit:v0.32.2-rootless';

/** Where apps that bring a Dockerfile are built: on this machine with buildah, or in the cluster by a Job. */
export const BuildConfig = z
  .object({
    /** `auto`: in the cluster when Slipway runs there (kube.inCluster), else buildah on this machine. */
    dockerfile: z.enum(['auto', 'buildah', 'cluster']).default('auto'),
    cluster: z
      .object({
        /** The namespace build Jobs run in (`slipway bootstrap` prepares it, with the builder's RBAC). */
        namespace: KubeName.default('slipway-builds'),
        /** A rootless BuildKit image: `<name>:<tag>`, or `<name>:<tag>@sha256:<digest>` to pin it. */
        image: z.string().regex(/^[a-z0-9]+([._:/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[0-9a-f]{64})?$/, 'an image with a tag, such as docker.io/moby/buildkit:v0.32.2-rootless (add @sha256:<digest> to pin it)').default(DEFAULT_BUILDKIT_IMAGE),
        /** A kubernetes.io/dockerconfigjson Secret in that namespace: the login the build pushes with. */
        registrySecret: KubeName.default('slipway-registry-push'),
        /** A Secret in that namespace whose `token` key is an HTTPS token for the source repo; absent: the repo is public to the cluster. */
        gitSecret: KubeName.optional(),
        /** Seconds a build may take before Kubernetes stops it. */
        timeoutSeconds: z.number().int().min(60).max(86_400).default(1800),
        resources: z
          .object({ requests: BuildResources.default({ cpu: '500m', memory: '512Mi' }), limits: BuildResources.default({ memory: '2Gi' }) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type BuildConfig = z.infer<typeof BuildConfig>;

export const ConfigSchema = z
  .object({
    /** Where the app runs: `local` (this machine) or `cluster` (the homelab, through GitOps). */
    target: z.enum(['local', 'cluster']).default('local'),
    git: z
      .object({
        author: z.object({ name: z.string().min(1).default('Slipway'), email: z.string().min(3).default('slipway@localhost') }).strict().default({ name: 'Slipway', email: 'slipway@localhost' }),
        source: GitRemote.default({ branch: 'main' }),
        gitops: GitRemote.extend({
          /** Directory in the GitOps repo holding one folder per app. */
          path: z
            .string()
            .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path such as kubernetes/apps/dynamic')
            // '.' and '..' would place apps outside the folder, or the repository, they belong in.
            .refine((path) => !path.split('/').some((part) => part === '.' || part === '..'), "a relative path without '.' or '..' parts, such as kubernetes/apps/dynamic")
            .default('kubernetes/apps/dynamic'),
        }).strict().default({ branch: 'main', path: 'kubernetes/apps/dynamic' }),
      })
      .strict()
      .default({ author: { name: 'Slipway', email: 'slipway@localhost' }, source: { branch: 'main' }, gitops: { branch: 'main', path: 'kubernetes/apps/dynamic' } }),
    local: z
      .object({
        /** `process` runs the app's files; `podman` its image; `kube` its rendered Deployment (podman kube play); `auto` podman when installed. */
        runtime: z.enum(['auto', 'process', 'podman', 'kube']).default('auto'),
        /** `${VAR}` values for the kube runtime (as Flux postBuild.substitute would give them in the cluster). */
        variables: z.record(z.string().regex(/^[_a-zA-Z][_a-zA-Z0-9]*$/), z.string()).default({}),
        /** Address apps listen on and are probed at. */
        host: checked(hostProblem, 'an IP address or hostname').default('127.0.0.1'),
        /** Seconds to wait for an app's /healthz. */
        readyTimeoutSeconds: z.number().positive().max(600).default(30),
      })
      .strict()
      .default({ runtime: 'auto', variables: {}, host: '127.0.0.1', readyTimeoutSeconds: 30 }),
    registry: z
      .object({
        /** Registry host[:port] images are pushed to; absent → images go to an OCI layout under $SLIPWAY_HOME/images. */
        host: checked(registryHostProblem, 'a host[:port] such as registry.k8s-lab.dev or 127.0.0.1:5000').optional(),
        /** Path prefix of app repositories in the registry. */
        repository: z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'a lowercase repository path such as dynamic-apps').default('dynamic-apps'),
        /** Plain HTTP (a registry on the LAN without TLS). */
        insecure: z.boolean().default(false),
        /** A Docker config.json (or Kubernetes dockerconfigjson Secret) holding the registry login. */
        dockerConfig: FilePath.optional(),
        /** PEM file of a CA that signed the registry's certificate. */
        ca: FilePath.optional(),
      })
      .strict()
      .default({ repository: 'dynamic-apps', insecure: false }),
    image: z
      .object({
        /**
         * Image name written into manifests, without tag; default `<registry.host>/<registry.repository>`,
         * or `${REGISTRY_URL}/dynamic-apps` (Flux substitutes it) when no registry is set.
         */
        repository: z.string().optional(),
        /** Base image for Node and static apps: a registry ref, `oci:<dir>:<tag>`, or `host` (made from this machine's Node). */
        base: z.string().optional(),
        /** Platforms to build, e.g. [linux/arm64] for Raspberry Pis; default: this machine's. */
        platforms: z.array(z.string().regex(/^linux\/(amd64|arm64|arm)(\/v[5-8])?$/, 'a platform such as linux/arm64')).min(1).optional(),
      })
      .strict()
      .default({}),
    /** Where Dockerfile apps are built: this machine (buildah) or the cluster (a BuildKit Job). */
    build: BuildConfig.prefault({}),
    /** A language model plans and writes apps; absent (and no API key in the environment) → the offline templates. */
    llm: z
      .object({
        /** One of the registered model providers (src/adapters/generator/llm/providers/registry.ts). */
        provider: z.enum(PROVIDER_NAMES).optional(),
        /** API root without a version path, e.g. http://vllm.lan:8000 for an OpenAI-compatible server or http://ollama.lan:11434 for Ollama. */
        baseUrl: HttpUrl.optional(),
        /** Where the API key is; default the provider's variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GOOGLE_GENERATIVE_AI_API_KEY …). */
        apiKey: SecretSource.optional(),
        /** Model per stage, as in seed 000: one plans, one writes the code (and repairs it). */
        models: z.object({ planner: z.string().min(1).optional(), coder: z.string().min(1).optional(), repair: z.string().min(1).optional() }).strict().default({}),
        maxTokens: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** How apps are generated and proven before they are built. */
    generation: z
      .object({
        /** Verification attempts, repairs included, before a run gives up. */
        maxAttempts: z.number().int().min(1).max(10).default(3),
      })
      .strict()
      .default({ maxAttempts: 3 }),
    /** The GitOps engine in the cluster, by its name in the engine registry (src/adapters/gitops). */
    engine: z.lazy(() => z.enum(gitOpsEngineNames())).default('flux'),
    flux: z
      .object({
        /** The notification-controller Receiver to call after each push (seed 001). */
        receiver: z
          .object({
            /** Full URL including the path from the Receiver's .status.webhookPath. */
            url: HttpUrl,
            type: z.enum(['github', 'generic-hmac', 'generic']).default('github'),
            /** The token in the Receiver's secretRef (HMAC key for github / generic-hmac). */
            token: SecretSource.optional(),
          })
          .strict()
          .optional(),
        namespace: KubeName.default('flux-system'),
        /** The GitRepository that holds the GitOps repo. */
        gitRepository: KubeName.default('flux-system'),
      })
      .strict()
      .default({ namespace: 'flux-system', gitRepository: 'flux-system' }),
    argocd: z
      .object({
        namespace: KubeName.default('argocd'),
        /** How to ask Argo CD to refresh: patch the Application's refresh annotation, or call its /api/webhook. */
        refresh: z.enum(['annotation', 'webhook']).default('annotation'),
        webhookUrl: HttpUrl.optional(),
        webhookSecret: SecretSource.optional(),
      })
      .strict()
      .default({ namespace: 'argocd', refresh: 'annotation' }),
    /** Kubernetes API access for following rollouts; absent → the run ends after the webhook and says how to follow it. */
    kube: z
      .object({
        /** Default: every file of KUBECONFIG (merged as kubectl merges them), else ~/.kube/config. */
        kubeconfig: FilePath.optional(),
        context: z.string().optional(),
        inCluster: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** Where apps answer in the cluster, for the final HTTP check, e.g. https://{app}.apps.k8s-lab.dev/ */
    publicUrl: z
      .string()
      .regex(/^https?:\/\/.*\{app\}.*$/, 'a URL with {app} in it, e.g. https://{app}.apps.k8s-lab.dev/')
      // With an app name in place of {app}, it must be a URL like any other.
      .pipe(checked((template) => urlProblem(template.replaceAll('{app}', 'app')), 'a URL template', false))
      .optional(),
    /** Seconds each stage of a cluster rollout may take. */
    watch: z
      .object({
        source: z.number().positive().default(120),
        reconcile: z.number().positive().default(300),
        rollout: z.number().positive().default(300),
        http: z.number().positive().default(120),
      })
      .strict()
      .default({ source: 120, reconcile: 300, rollout: 300, http: 120 }),
    /** What happens when a new version of an app does not come up. */
    rollout: z
      .object({
        /** A create or change whose await stage fails is followed by a rollback run to the version before it. */
        autoRollback: z.boolean().default(false),
      })
      .strict()
      .default({ autoRollback: false }),
    /** Manifest settings: namespace, apps domain, gateway, Flux source (see the README). */
    render: z.record(z.string(), z.unknown()).default({}),
    /** `slipway serve`: where it listens, how many runs it works on at once, and what it accepts. */
    server: z
      .object({
        /** Loopback by default; another address is refused unless API tokens exist (`slipway token create`). */
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8420),
        /** Runs worked on at once; more wait in the queue (two runs of one app never overlap). */
        concurrency: z.number().int().min(1).max(32).default(2),
        /** Largest request body accepted, in bytes; larger ones get 413. */
        bodyLimit: z.number().int().min(1024).default(1024 * 1024),
        /** Requests each token (or, without tokens, each client address) may make per minute; more get 429. */
        rateLimit: z.object({ perMinute: z.number().int().min(1).default(120) }).strict().default({ perMinute: 120 }),
        /** The shared secret of the signed intake, `POST /v1/hooks/create`; without it that route answers 404. */
        hookSecret: SecretSource.optional(),
        /**
         * API tokens read from secrets at start (in the cluster, the Secret `slipway bootstrap` wrote):
         * each is kept hashed under its name, as `slipway token create` keeps tokens, replacing an earlier value.
         */
        tokens: z
          .array(z.object({ name: TokenName, scope: z.enum(TOKEN_SCOPES).default('admin'), token: SecretSource }).strict())
          .refine((tokens) => new Set(tokens.map((t) => t.name)).size === tokens.length, 'give each token its own name')
          .default([]),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8420, concurrency: 2, bodyLimit: 1024 * 1024, rateLimit: { perMinute: 120 }, tokens: [] }),
    /** Where to tell people that a run succeeded or failed (Slack, Discord, ntfy, email, a signed webhook). */
    notify: z.array(NotifyTarget).default([]),
    /** Slack, Telegram and Discord commands that start runs and answer with the result. */
    chat: ChatConfig.default({}),
    /** What `slipway bootstrap` writes into the GitOps repo for the cluster side. */
    bootstrap: BootstrapConfig.prefault({}),
    /** Named environments (e.g. dev and prod), each with its GitOps folder, namespace, domain and tag suffix; absent → one, `prod`. */
    environments: z.record(EnvName, EnvironmentConfig).optional(),
    /** The environment runs use when no --env is given; it must be one of `environments`. */
    defaultEnv: EnvName.default('prod'),
    /** Who may open apps: public unless said otherwise; private ones behind Cloudflare Access or oauth2-proxy. */
    access: AccessConfig.default({ default: 'public' }),
    /** How Secrets committed to the GitOps repo are encrypted; absent → the command line says. */
    secrets: SecretsConfig.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const names = Object.keys(config.environments ?? { prod: {} });
    if (config.environments && names.length === 0) ctx.addIssue({ code: 'custom', path: ['environments'], message: 'name at least one environment, such as prod, or leave environments out' });
    else if (!names.includes(config.defaultEnv)) {
      ctx.addIssue({ code: 'custom', path: ['defaultEnv'], message: `"${config.defaultEnv}" is not an environment; the environments are: ${names.join(', ')}` });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** Everything the composition root needs: the validated file plus values from the environment. */
export interface ResolvedConfig extends Config {
  /** $SLIPWAY_HOME: state, bare repos, logs, workspaces. */
  home: string;
  /** Caches that may be shared by several homes: base images, layers ($SLIPWAY_CACHE, else $XDG_CACHE_HOME/slipway, else ~/.cache/slipway). */
  cache: string;
  /** The file it was read from, if any. */
  file?: string;
  logLevel: string;
}
