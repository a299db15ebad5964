// Access to a Kubernetes API server (kubeconfig files, credential plugins, in-cluster service accounts), shared by the watcher and the syncers.
export { kubeAccessFromKubeconfig, kubeAccessFromKubeconfigs, kubeAccessInCluster, SERVICE_ACCOUNT_DIR, type KubeAccess, type KubeconfigFile, type KubeconfigOptions } from './kube-access.ts';
export { ExecCredentialPlugin, type ExecConfig, type ExecCredential } from './exec-credential.ts';
export { currentClientCertificate, currentToken } from './current-credentials.ts';
// Pod logs (pod-logs.ts) build on the watcher's API client and are imported from their own file when read.
