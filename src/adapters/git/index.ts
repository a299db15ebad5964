export { CliGit, type CliGitOptions } from './cli-git.ts';
export { sshCommand, type GitHttpsOptions, type GitSshOptions } from './git-auth.ts';
export { DEFAULT_PUSH_RETRY, type PushRetryPolicy } from './push-retry.ts';
export { parseRemoteUrl, redactRemote, type RemoteTransport, type RemoteUrl } from './remote-url.ts';
export { GitDirDiffer } from './dir-diff.ts';
