import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { PlainSecret } from './bootstrap/types.ts';
import type { Labels } from './types.ts';

/** The port oauth2-proxy listens on in the pod; the Service and the NetworkPolicy point at it instead of the app's. */
export const PROXY_PORT = 4180;
/** The name of the proxy's container port, which the Service targets. */
export const PROXY_PORT_NAME = 'proxy';
/** The file (beside deployment.yaml) holding the proxy's encrypted Secret. */
export const PROXY_SECRET_FILE = 'oauth2-proxy-secret.yaml';
/** The file (beside deployment.yaml) holding the emails let in, when some are named. */
export const PROXY_EMAILS_FILE = 'oauth2-proxy-emails.yaml';
const EMAILS_DIR = '/etc/oauth2-proxy';

/** oauth2-proxy as slipway.yaml's `access.oauth2Proxy` sets it, without its client secret. */
export interface AccessProxySettings {
  /** Pinned by digest. */
  image: string;
  issuerUrl: string;
  clientId: string;
  allowedEmails: string[];
  allowedGroups: string[];
  emailDomains: string[];
}

/** The names of the proxy's objects for an app. */
export function accessProxyNames(app: string) {
  return { secret: `${app}-oauth2-proxy`, emails: `${app}-oauth2-proxy-emails` };
}

/**
 * The `oauth2-proxy` container placed beside the app's: it signs people in with the OpenID Connect
 * provider and passes those it lets in to the app on 127.0.0.1. It meets the restricted Pod Security
 * Standard like the app's container, answers its own probes on `/ping`, and reads its client and
 * cookie secrets from the app's Secret, so no secret is in the Deployment.
 * @example accessProxyContainer('notes', 8080, settings).ports[0].containerPort // 4180
 */
export function accessProxyContainer(app: string, appPort: number, proxy: AccessProxySettings) {
  const names = accessProxyNames(app);
  const args = [
    '--provider=oidc',
    `--oidc-issuer-url=${proxy.issuerUrl}`,
    `--client-id=${proxy.clientId}`,
    `--http-address=0.0.0.0:${PROXY_PORT}`,
    `--upstream=http://127.0.0.1:${appPort}/`,
    // The gateway terminates TLS and forwards: trust its X-Forwarded-* headers, and send cookies over HTTPS only.
    '--reverse-proxy=true',
    '--cookie-secure=true',
    '--skip-provider-button=true',
    '--silence-ping-logging=true',
    // Emails named one by one are read from a file; without emails or domains, anyone the provider signs in
    // (narrowed by groups when given) is let in, as oauth2-proxy's `*` says.
    ...(proxy.allowedEmails.length > 0 ? [`--authenticated-emails-file=${EMAILS_DIR}/emails.txt`] : []),
    ...(proxy.emailDomains.length > 0 ? proxy.emailDomains.map((d) => `--email-domain=${d}`) : proxy.allowedEmails.length > 0 ? [] : ['--email-domain=*']),
    ...proxy.allowedGroups.map((g) => `--allowed-group=${g}`),
  ];
  return {
    name: 'oauth2-proxy',
    image: proxy.image,
    imagePullPolicy: 'IfNotPresent',
    args,
    env: [
      { name: 'OAUTH2_PROXY_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: names.secret, key: 'client-secret' } } },
      { name: 'OAUTH2_PROXY_COOKIE_SECRET', valueFrom: { secretKeyRef: { name: names.secret, key: 'cookie-secret' } } },
    ],
    ports: [{ name: PROXY_PORT_NAME, containerPort: PROXY_PORT, protocol: 'TCP' }],
    startupProbe: ping({ periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 30 }),
    readinessProbe: ping({ periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
    livenessProbe: ping({ periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 }),
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(proxy.allowedEmails.length > 0 ? { volumeMounts: [{ name: 'oauth2-proxy-emails', mountPath: EMAILS_DIR, readOnly: true }] } : {}),
  } satisfies IContainer;
}

/** The volume the emails file comes from, when emails are named. */
export function accessProxyVolumes(app: string, proxy: AccessProxySettings) {
  return proxy.allowedEmails.length > 0 ? [{ name: 'oauth2-proxy-emails', configMap: { name: accessProxyNames(app).emails } }] : [];
}

/** The ConfigMap listing the emails let in, one per line (oauth2-proxy's authenticated emails file), when emails are named. */
export function renderAccessProxyEmails(app: string, namespace: string, labels: Labels, proxy: AccessProxySettings) {
  if (proxy.allowedEmails.length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: accessProxyNames(app).emails, namespace, labels },
    data: { 'emails.txt': `${[...new Set(proxy.allowedEmails)].sort().join('\n')}\n` },
  } satisfies IConfigMap;
}

/**
 * The proxy's Secret before encryption: the OpenID Connect client secret and the app's own cookie
 * secret. It is never written as it is: the render step encrypts it (SOPS or Sealed Secrets).
 * @example accessProxySecret('notes', 'dynamic-apps', labels, { clientSecret, cookieSecret }).name // 'notes-oauth2-proxy'
 */
export function accessProxySecret(app: string, namespace: string, labels: Labels, values: { clientSecret: string; cookieSecret: string }): PlainSecret {
  return { name: accessProxyNames(app).secret, namespace, labels, stringData: { 'client-secret': values.clientSecret, 'cookie-secret': values.cookieSecret } };
}

/**
 * The cookie secret oauth2-proxy wants from 32 random bytes given as hex: URL-safe base64, which it
 * decodes back to the 32 bytes of an AES-256 key (64 hex characters would be read as 64 bytes, and refused).
 * @example cookieSecretFromHex('00'.repeat(32)).length // 44
 */
export function cookieSecretFromHex(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

function ping(timing: { periodSeconds: number; timeoutSeconds: number; failureThreshold: number }) {
  return { httpGet: { path: '/ping', port: PROXY_PORT_NAME }, ...timing } satisfies IProbe;
}
