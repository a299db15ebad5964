export { CliGit, type CliGitOptions } from './cli-git.ts';
export { parseRemoteUrl, redactRemote, type RemoteUrl } from './remote-url.ts';
