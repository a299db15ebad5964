/** A credential a kubeconfig's `exec` plugin hands out: a bearer token or a client certificate (PEM). */
export interface ExecCredential {
  token?: string;
  clientCert?: string;
  clientKey?: string;
}

/**
 * How to reach one Kubernetes API server: its URL and credentials (a bearer token, or a client
 * certificate such as k3s writes into its kubeconfig), and the CA that signed its certificate.
 * PEM text, never file paths, except `tokenFile`, which is re-read because in-cluster tokens rotate.
 */
export interface KubeAccess {
  /** `https://host:port` (no trailing path). */
  apiServer: string;
  token?: string;
  /** A file holding the bearer token, re-read about once a minute (projected service account tokens rotate). */
  tokenFile?: string;
  /** PEM CA bundle trusted for the API server (instead of the public roots, as kubectl does). */
  ca?: string;
  clientCert?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  /** A credential plugin asked for a token or client certificate when the kubeconfig user has an `exec` section. */
  exec?: { get(signal?: AbortSignal): Promise<ExecCredential> };
  /** The context's namespace (kubeconfig) or the pod's own namespace (in cluster), when known. */
  namespace?: string;
}
