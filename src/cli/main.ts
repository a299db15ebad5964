import { Command, CommanderError } from 'commander';

/**
 * Builds the `slipway` program. Each command's implementation is imported only when it runs, so a
 * command loads just what it needs. Exit codes: 0 ok, 1 run failed, 2 bad input.
 */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('slipway')
    .description('Turn a request for a webapp into a running app, the GitOps way.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const lazy = <A extends unknown[]>(load: () => Promise<(...args: A) => Promise<number>>) =>
    async (...args: A) => setExit(await (await load())(...args));

  program
    .command('create')
    .description('create an app from a description and run it')
    .argument('<description...>', 'what the app should be, e.g. "a pomodoro timer with a dark theme"')
    .option('--name <name>', 'app name (DNS-1123 label, at most 40 characters); derived from the description when absent')
    .option('--template <id>', 'use this template instead of the one the description scores best')
    .option('--target <target>', 'local (this machine) or cluster (the GitOps repo and cluster in slipway.yaml); default: target in slipway.yaml')
    .option('--json', 'print one JSON object with app, url, runId, template, commits and timeline')
    .action(lazy(async () => (await import('./commands/run-commands.ts')).createCommand));
  program
    .command('resume')
    .description('continue an interrupted or failed run from its last finished step')
    .argument('<runId>', 'the run to continue (see `slipway runs`)')
    .option('--json', 'print the result as JSON')
    .action(lazy(async () => (await import('./commands/run-commands.ts')).resumeCommand));
  program
    .command('delete')
    .description('stop an app and remove it from both repos')
    .argument('<app>', 'app name')
    .option('--json', 'print the result as JSON')
    .action(lazy(async () => (await import('./commands/run-commands.ts')).deleteCommand));
  program
    .command('list')
    .description('list apps with their state, URL and last commits')
    .option('--json', 'print JSON')
    .action(lazy(async () => (await import('./commands/query-commands.ts')).listCommand));
  program
    .command('status')
    .description("show an app's state, URL and recent commits")
    .argument('<app>', 'app name')
    .option('--json', 'print JSON')
    .action(lazy(async () => (await import('./commands/query-commands.ts')).statusCommand));
  program
    .command('runs')
    .description("list recent runs, or one app's runs, with their timelines")
    .argument('[app]', 'only this app')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many runs', '20')
    .action(lazy(async () => (await import('./commands/query-commands.ts')).runsCommand));
  program
    .command('build')
    .description('build a directory into an OCI image and push it (no Docker daemon)')
    .argument('<dir>', 'the app directory')
    .requiredOption('--image <ref>', 'where the image goes: registry/repo:tag, or oci:<dir>:<tag>')
    .option('--base <ref>', "base image (registry ref, oci:<dir>:<tag>, or 'host' for one made from this machine's Node)")
    .option('--platform <list>', 'comma-separated platforms, e.g. linux/amd64,linux/arm64')
    .option('--insecure', 'talk to the registries of --image and --base over plain HTTP')
    .option('--entrypoint <cmd>', 'command that starts the app, as a JSON array or words', 'node server.js')
    .option('--json', 'print { image, digest, platforms, layers, bytesUploaded, blobsSkipped }')
    .action(lazy(async () => (await import('./commands/build-command.ts')).buildCommand));
  program
    .command('render')
    .description("render an app's cluster manifests, validate them against the upstream schemas, and write them at their GitOps paths")
    .requiredOption('--name <app>', 'app name (DNS-1123 label)')
    .requiredOption('--image <ref@digest>', 'image pinned by digest, e.g. registry.lan/apps/notes:1.0@sha256:…')
    .option('--engine <engine>', 'flux or argocd (default: engine in slipway.yaml, else flux)')
    .requiredOption('--out <dir>', 'directory laid out like the GitOps repo (a checkout, or an empty folder)')
    .option('--json', 'print { app, engine, out, files }')
    .action(lazy(async () => (await import('./commands/render-command.ts')).renderCommand));
  program
    .command('init')
    .description('write a slipway.yaml for this machine or for a homelab cluster')
    .option('--target <target>', 'local (this machine) or cluster', 'local')
    .option('--engine <engine>', 'flux or argocd', 'flux')
    .option('--gitops-url <url>', "the cluster's GitOps repo (ssh://, git@host:, https:// or a path)")
    .option('--gitops-branch <branch>', 'branch to commit to', 'main')
    .option('--gitops-path <path>', 'folder holding one directory per app', 'kubernetes/apps/dynamic')
    .option('--source-url <url>', 'the apps source repo (default: a bare repo under $SLIPWAY_HOME)')
    .option('--ssh-key <file>', 'SSH deploy key for ssh remotes')
    .option('--known-hosts <file>', 'known_hosts file with the git server\'s host key')
    .option('--https-token-env <name>', 'environment variable holding an HTTPS token for https remotes')
    .option('--registry <host>', 'registry host[:port] to push images to')
    .option('--insecure-registry', 'the registry speaks plain HTTP')
    .option('--platform <list>', 'image platforms, e.g. linux/arm64')
    .option('--apps-domain <domain>', 'apps answer at <app>.<domain>, e.g. apps.k8s-lab.dev')
    .option('--namespace <ns>', 'namespace the apps run in', 'dynamic-apps')
    .option('--receiver-url <url>', 'Flux Receiver URL (with the path from .status.webhookPath)')
    .option('--receiver-type <type>', 'github, generic-hmac or generic', 'github')
    .option('--receiver-token-env <name>', 'environment variable holding the Receiver token', 'FLUX_RECEIVER_TOKEN')
    .option('--kubeconfig <file>', 'kubeconfig for following rollouts')
    .option('--out <file>', 'where to write', 'slipway.yaml')
    .option('--force', 'replace an existing file')
    .option('--json', 'print what was written as JSON')
    .action(lazy(async () => (await import('./commands/init-command.ts')).initCommand));
  program
    .command('doctor')
    .description('check git, podman, registry, repos and config, and say how to fix each')
    .option('--json', 'print JSON')
    .action(lazy(async () => (await import('./commands/doctor-command.ts')).doctorCommand));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are bad input.
      return error.exitCode === 0 ? 0 : 2;
    }
    throw error;
  }
  return code;
}
