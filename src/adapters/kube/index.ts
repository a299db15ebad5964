// Access to a Kubernetes API server (kubeconfig files, in-cluster service accounts), shared by the watcher and the syncers.
export { kubeAccessFromKubeconfig, kubeAccessInCluster, SERVICE_ACCOUNT_DIR, type KubeAccess } from './kube-access.ts';
