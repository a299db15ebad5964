import { ignoreClosedPipes } from './closed-pipe.ts';
import { parseCommandLine, UsageError, type ProgramSpec } from './command-line.ts';
import { reportError } from './output.ts';

/** A command's implementation, loaded only when it runs: `slipway build` loads the builder and nothing else. */
type Handler = () => Promise<(...args: never[]) => Promise<number>>;

/**
 * The `slipway` program, declared as data: help text and parsing come from these declarations.
 * Exit codes: 0 ok, 1 run failed, 2 bad input.
 */
export const PROGRAM: ProgramSpec<Handler> = {
  name: 'slipway',
  version: '0.1.0',
  description: 'Turn a request for a webapp into a running app, the GitOps way.',
  commands: [
    {
      name: 'create',
      description: 'create an app from a description and run it',
      arguments: [['<description...>', 'what the app should be, e.g. "a pomodoro timer with a dark theme"']],
      options: [
        { flags: '--name <name>', description: 'app name (DNS-1123 label, at most 40 characters); derived from the description when absent' },
        { flags: '--template <id>', description: 'use this template instead of the one the description scores best' },
        { flags: '--target <target>', description: 'local (this machine) or cluster (the GitOps repo and cluster in slipway.yaml); default: target in slipway.yaml' },
        { flags: '--json', description: 'print one JSON object with app, url, runId, template, commits and timeline' },
      ],
      handler: async () => (await import('./commands/run-commands.ts')).createCommand,
    },
    {
      name: 'resume',
      description: 'continue an interrupted or failed run from its last finished step',
      arguments: [['<runId>', 'the run to continue (see `slipway runs`)']],
      options: [{ flags: '--json', description: 'print the result as JSON' }],
      handler: async () => (await import('./commands/run-commands.ts')).resumeCommand,
    },
    {
      name: 'delete',
      description: 'stop an app and remove it from both repos',
      arguments: [['<app>', 'app name']],
      options: [{ flags: '--json', description: 'print the result as JSON' }],
      handler: async () => (await import('./commands/run-commands.ts')).deleteCommand,
    },
    {
      name: 'list',
      description: 'list apps with their state, URL and last commits',
      options: [{ flags: '--json', description: 'print JSON' }],
      handler: async () => (await import('./commands/query-commands.ts')).listCommand,
    },
    {
      name: 'status',
      description: "show an app's state, URL and recent commits",
      arguments: [['<app>', 'app name']],
      options: [{ flags: '--json', description: 'print JSON' }],
      handler: async () => (await import('./commands/query-commands.ts')).statusCommand,
    },
    {
      name: 'runs',
      description: "list recent runs, or one app's runs, with their timelines",
      arguments: [['[app]', 'only this app']],
      options: [
        { flags: '--json', description: 'print JSON' },
        { flags: '--limit <n>', description: 'how many runs', default: '20' },
      ],
      handler: async () => (await import('./commands/query-commands.ts')).runsCommand,
    },
    {
      name: 'build',
      description: 'build a directory into an OCI image and push it (no Docker daemon)',
      arguments: [['<dir>', 'the app directory']],
      options: [
        { flags: '--image <ref>', description: 'where the image goes: registry/repo:tag, or oci:<dir>:<tag>', required: true },
        { flags: '--base <ref>', description: "base image (registry ref, oci:<dir>:<tag>, or 'host' for one made from this machine's Node)" },
        { flags: '--platform <list>', description: 'comma-separated platforms, e.g. linux/amd64,linux/arm64' },
        { flags: '--insecure', description: 'talk to the registries of --image and --base over plain HTTP' },
        { flags: '--entrypoint <cmd>', description: 'command that starts the app, as a JSON array or words', default: 'node server.js' },
        { flags: '--json', description: 'print { image, digest, platforms, layers, bytesUploaded, blobsSkipped }' },
      ],
      handler: async () => (await import('./commands/build-command.ts')).buildCommand,
    },
    {
      name: 'render',
      description: "render an app's cluster manifests, validate them against the upstream schemas, and write them at their GitOps paths",
      options: [
        { flags: '--name <app>', description: 'app name (DNS-1123 label)', required: true },
        { flags: '--image <ref@digest>', description: 'image pinned by digest, e.g. registry.lan/apps/notes:1.0@sha256:…', required: true },
        { flags: '--engine <engine>', description: 'flux or argocd (default: engine in slipway.yaml, else flux)' },
        { flags: '--out <dir>', description: 'directory laid out like the GitOps repo (a checkout, or an empty folder)', required: true },
        { flags: '--json', description: 'print { app, engine, out, files }' },
      ],
      handler: async () => (await import('./commands/render-command.ts')).renderCommand,
    },
    {
      name: 'init',
      description: 'write a slipway.yaml for this machine or for a homelab cluster',
      options: [
        { flags: '--target <target>', description: 'local (this machine) or cluster', default: 'local' },
        { flags: '--engine <engine>', description: 'flux or argocd', default: 'flux' },
        { flags: '--gitops-url <url>', description: "the cluster's GitOps repo (ssh://, git@host:, https:// or a path)" },
        { flags: '--gitops-branch <branch>', description: 'branch to commit to', default: 'main' },
        { flags: '--gitops-path <path>', description: 'folder holding one directory per app', default: 'kubernetes/apps/dynamic' },
        { flags: '--source-url <url>', description: 'the apps source repo (default: a bare repo under $SLIPWAY_HOME)' },
        { flags: '--ssh-key <file>', description: 'SSH deploy key for ssh remotes' },
        { flags: '--known-hosts <file>', description: "known_hosts file with the git server's host key" },
        { flags: '--https-token-env <name>', description: 'environment variable holding an HTTPS token for https remotes' },
        { flags: '--registry <host>', description: 'registry host[:port] to push images to' },
        { flags: '--insecure-registry', description: 'the registry speaks plain HTTP' },
        { flags: '--platform <list>', description: 'image platforms, e.g. linux/arm64' },
        { flags: '--apps-domain <domain>', description: 'apps answer at <app>.<domain>, e.g. apps.k8s-lab.dev' },
        { flags: '--namespace <ns>', description: 'namespace the apps run in', default: 'dynamic-apps' },
        { flags: '--receiver-url <url>', description: 'Flux Receiver URL (with the path from .status.webhookPath)' },
        { flags: '--receiver-type <type>', description: 'github, generic-hmac or generic', default: 'github' },
        { flags: '--receiver-token-env <name>', description: 'environment variable holding the Receiver token', default: 'FLUX_RECEIVER_TOKEN' },
        { flags: '--kubeconfig <file>', description: 'kubeconfig for following rollouts' },
        { flags: '--out <file>', description: 'where to write', default: 'slipway.yaml' },
        { flags: '--force', description: 'replace an existing file' },
        { flags: '--json', description: 'print what was written as JSON' },
      ],
      handler: async () => (await import('./commands/init-command.ts')).initCommand,
    },
    {
      name: 'repair',
      description: "rebuild a damaged or lost state file from the repos' commits and what is running (the old file is moved aside, never deleted)",
      options: [{ flags: '--json', description: 'print { file, problem, movedTo, apps, runs }' }],
      handler: async () => (await import('./commands/repair-command.ts')).repairCommand,
    },
    {
      name: 'doctor',
      description: 'check git, podman, registry, repos and config, and say how to fix each',
      options: [{ flags: '--json', description: 'print JSON' }],
      handler: async () => (await import('./commands/doctor-command.ts')).doctorCommand,
    },
  ],
};

/** Runs one command line; returns the exit code. Usage errors print the reason and exit 2. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  let parsed;
  try {
    parsed = parseCommandLine(PROGRAM, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (argv.length === 0) process.stderr.write(error.help);
    else process.stderr.write(`error: ${error.message}\n(run with --help for usage)\n`);
    return 2;
  }
  if (parsed.kind !== 'run') {
    process.stdout.write(parsed.text);
    return 0;
  }
  try {
    const run = (await parsed.command.handler()) as (...args: unknown[]) => Promise<number>;
    return await run(...parsed.args, parsed.options);
  } catch (error) {
    // Commands report their own errors; this is the last line, so nobody sees a stack trace.
    return reportError(error, false);
  }
}
