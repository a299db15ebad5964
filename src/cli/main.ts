import { Command, CommanderError, InvalidArgumentError } from '@commander-js/extra-typings';
import { ignoreClosedPipes } from './closed-pipe.ts';
import { positiveInteger } from './option-values.ts';
import { reportError } from './output.ts';
import { chooseServer, serverFrom } from './remote/server-choice.ts';
import { repeatable, SECRET_OPTIONS } from './secret-options.ts';
import { InputError } from '../domain/errors.ts';

/** The commands that work against a running server (`--server`); the others act on this machine only. */
const REMOTE_COMMANDS = new Set(['create', 'change', 'resume', 'delete', 'list', 'status', 'runs', 'logs', 'versions', 'gc', 'promote', 'rollback']);
/** Groups whose every subcommand also works against a server. */
const REMOTE_GROUPS = new Set(['env', 'secret', 'external']);

/**
 * The `slipway` program. Each command's implementation is imported only when it runs, so
 * `slipway build` loads the builder and nothing else. Exit codes: 0 ok, 1 run failed, 2 bad input.
 * `finish` receives the exit code of the command that ran.
 */
export function slipwayProgram(finish: (code: number) => void) {
  const program = new Command('slipway')
    .version('0.1.0')
    .description('Turn a request for a webapp into a running app, the GitOps way.')
    .showSuggestionAfterError()
    .showHelpAfterError('(run with --help for usage)')
    // Usage errors come back to main() as exceptions (exit 2) instead of ending the process.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(plainUsageMessage(text)) })
    .option('--server <url>', 'talk to a running `slipway serve` at this http(s) URL instead of this machine (also SLIPWAY_SERVER; token in SLIPWAY_TOKEN)')
    .option('--token-file <file>', "with --server: read the server's API token from this file instead of SLIPWAY_TOKEN")
    .hook('preAction', (root, command) => {
      const flags = root.opts();
      // `token list` is not `list`: the command that counts is the one right under the program.
      let top = command;
      while (top.parent && top.parent !== root) top = top.parent;
      const remote = (top === command && REMOTE_COMMANDS.has(command.name())) || REMOTE_GROUPS.has(top.name());
      if ((flags.server !== undefined || flags.tokenFile !== undefined) && !remote) {
        throw new InputError(`slipway ${top.name()} works on this machine only and does not take --server or --token-file`, {
          hint: `Run it without them (commands that take them: ${[...REMOTE_COMMANDS, ...REMOTE_GROUPS].join(', ')}).`,
        });
      }
      // SLIPWAY_SERVER set for everyday use does not stop `slipway build` or `doctor` from working here.
      chooseServer(remote ? serverFrom(flags, process.env) : undefined);
    });

  program
    .command('create')
    .description('create an app from a description (or a folder of code) and run it')
    .argument('[description...]', 'what the app should be, e.g. "a pomodoro timer with a dark theme"')
    .option('--from <dir>', 'ship the code in this folder instead of generating it (a Dockerfile, a Node app with a start script, or a static site)')
    .option('--name <name>', 'app name (DNS-1123 label, at most 40 characters); derived from the description when absent')
    .option('--template <id>', 'use this template instead of the one the description scores best')
    .option('--target <target>', 'local (this machine) or cluster (the GitOps repo and cluster in slipway.yaml); default: target in slipway.yaml')
    .option('--env <env>', 'the environment it ships to (environments: in slipway.yaml); default: defaultEnv')
    .option('--access <access>', 'public (anyone may open it) or private (only whom access: in slipway.yaml lets in); default: access.default')
    .option('--database <engine>', 'give the app a database (postgres): a local PostgreSQL here, a CloudNativePG Cluster on the cluster; DATABASE_URL tells the app where')
    .option('--uses <externals>', 'the services outside the cluster it calls, comma-separated (see slipway external); its NetworkPolicy allows them')
    .option('--json', 'print one JSON object with app, url, runId, template, commits and timeline')
    .action(async (words, opts) => finish(await (await import('./commands/run-commands.ts')).createCommand(words, opts)));

  program
    .command('change')
    .description('ship a new version of an app: what a request asks for, or the code in a folder (--from); a minor version unless --patch or --major says otherwise')
    .argument('<app>', 'app name')
    .argument('[request...]', 'what to change, e.g. "make the timer digits larger and add a reset button"; with --from, what the new version is (for its commits)')
    .option('--from <dir>', 'ship the code in this folder as the new version (a Dockerfile, a Node app with a start script, or a static site)')
    .option('--patch', 'number it as a patch (v1.0.1) rather than a minor version (v1.1.0)')
    .option('--major', 'number it as a major version (v2.0.0)')
    .option('--env <env>', 'the environment whose version is changed (default: prod)')
    .option('--access <access>', 'make it public or private from this version on (default: as it is now)')
    .option('--uses <externals>', 'the services outside the cluster it calls from this version on, comma-separated (replaces the list)')
    .option('--json', 'print one JSON object as create does, with the version and the diff summary')
    .action(async (app, words, opts) => finish(await (await import('./commands/run-commands.ts')).changeCommand(app, words, opts)));

  program
    .command('resume')
    .description('continue an interrupted or failed run from its last finished step')
    .argument('<runId>', 'the run to continue (see `slipway runs`)')
    .option('--json', 'print the result as JSON')
    .action(async (runId, opts) => finish(await (await import('./commands/run-commands.ts')).resumeCommand(runId, opts)));

  program
    .command('delete')
    .description('stop an app and remove it from both repos')
    .argument('<app>', 'app name')
    .option('--delete-data', "delete the app's database too (on this machine: its folder; asked on a terminal, required without one)")
    .option('--keep-data', "keep the app's database (the default on the cluster, where its Cluster is never pruned)")
    .option('--json', 'print the result as JSON')
    .action(async (app, opts) => finish(await (await import('./commands/run-commands.ts')).deleteCommand(app, opts)));

  program
    .command('rollback')
    .description('ship an earlier version of an app again, as a new version (history is never rewritten)')
    .argument('<app>', 'app name')
    .option('--to <version>', 'the version to go back to, e.g. v1.0.0 (default: the one before the current image; see `slipway versions`)')
    .option('--env <env>', 'the environment to roll back (default: the default environment)')
    .option('--json', 'print the result as JSON, with the new "version"')
    .action(async (app, opts) => finish(await (await import('./commands/run-commands.ts')).rollbackCommand(app, opts)));

  const env = program.command('env').description("an app's settings: plain values it reads from its environment (secrets: see `slipway secret`)");
  env
    .command('set')
    .description('set settings and ship the version the app runs with them (the version stays the same; the app restarts)')
    .argument('<app>', 'app name')
    .argument('<pairs...>', 'NAME=value, e.g. THEME=dark')
    .option('--env <env>', 'the environment (default: the default environment)')
    .option('--json', 'print the run as JSON')
    .action(async (app, pairs, opts) => finish(await (await import('./commands/config-commands.ts')).envSetCommand(app, pairs, opts)));
  env
    .command('unset')
    .description('remove settings and ship the version the app runs without them')
    .argument('<app>', 'app name')
    .argument('<names...>', 'setting names')
    .option('--env <env>', 'the environment (default: the default environment)')
    .option('--json', 'print the run as JSON')
    .action(async (app, names, opts) => finish(await (await import('./commands/config-commands.ts')).envUnsetCommand(app, names, opts)));
  env
    .command('list')
    .description("list an app's settings with their values, and its secrets by name (never their values)")
    .argument('<app>', 'app name')
    .option('--env <env>', 'the environment (default: the default environment)')
    .option('--json', 'print JSON: settings and secret names')
    .action(async (app, opts) => finish(await (await import('./commands/config-commands.ts')).envListCommand(app, opts)));

  const secret = program.command('secret').description("an app's secrets: values kept encrypted, handed to the app as environment");
  secret
    .command('set')
    .description('set a secret from standard input or a file (never from the command line) and ship the version the app runs with it')
    .argument('<app>', 'app name')
    .argument('<name>', 'the environment variable the app reads it from, e.g. API_KEY')
    .argument('[rest...]')
    .option('--from-file <file>', 'read the value from this file (one trailing newline is dropped)')
    .option('--env <env>', 'the environment (default: the default environment)')
    .option('--json', 'print the run as JSON')
    .action(async (app, name, rest, opts) => finish(await (await import('./commands/config-commands.ts')).secretSetCommand(app, name, rest, opts)));
  secret
    .command('unset')
    .description('remove a secret and ship the version the app runs without it')
    .argument('<app>', 'app name')
    .argument('<name>', 'secret name')
    .option('--env <env>', 'the environment (default: the default environment)')
    .option('--json', 'print the run as JSON')
    .action(async (app, name, opts) => finish(await (await import('./commands/config-commands.ts')).secretUnsetCommand(app, name, opts)));

  program
    .command('list')
    .description('list apps with their state, URL and last commits')
    .option('--json', 'print JSON')
    .action(async (opts) => finish(await (await import('./commands/query-commands.ts')).listCommand(opts)));

  program
    .command('status')
    .description("show an app's state, URL and recent commits")
    .argument('<app>', 'app name')
    .option('--json', 'print JSON')
    .action(async (app, opts) => finish(await (await import('./commands/query-commands.ts')).statusCommand(app, opts)));

  program
    .command('versions')
    .description("list an app's versions, newest first: request, source commit, image digest, when and by which run")
    .argument('<app>', 'app name')
    .option('--env <env>', "only this environment's versions")
    .option('--json', 'print JSON')
    .action(async (app, opts) => finish(await (await import('./commands/versions-command.ts')).versionsCommand(app, opts)));

  program
    .command('runs')
    .description("list recent runs, or one app's runs, with their timelines")
    .argument('[app]', 'only this app')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'how many runs', wholeNumber('--limit'), 20)
    .action(async (app, opts) => finish(await (await import('./commands/query-commands.ts')).runsCommand(app, opts)));

  program
    .command('logs')
    .description("print an app's recent output (a local process or container, or its pods on the cluster), and with --follow keep printing new lines")
    .argument('<app>', 'app name')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C or the app goes away')
    .option('--since <time>', 'only lines written since then: a duration back from now (30s, 10m, 2h, 1d) or an RFC 3339 time')
    .option('--tail <n>', 'how many of the last lines to start with (per pod on the cluster); 0 with --follow for new lines only', lineCount('--tail'), 200)
    .option('--env <env>', 'the environment whose cluster namespace the app runs in (default: the default environment)')
    .action(async (app, opts) => finish(await (await import('./commands/logs-command.ts')).logsCommand(app, opts)));

  program
    .command('promote')
    .description('ship the exact image one environment runs to another: the same digest, tagged and committed for the target')
    .argument('<app>', 'app name')
    .requiredOption('--from <env>', 'the environment whose running version is copied, e.g. dev')
    .requiredOption('--to <env>', 'the environment it goes to, e.g. prod')
    .option('--json', 'print what create prints, with the version')
    .action(async (app, opts) => finish(await (await import('./commands/promote-command.ts')).promoteCommand(app, opts)));

  const external = program.command('external').description('services outside the cluster (a NAS, a printer) that apps call by name');
  external
    .command('add')
    .description('add one: an IP address becomes a Service and an EndpointSlice, a host name an ExternalName Service; one GitOps commit')
    .argument('<name>', 'the name apps call it by (a DNS label, not an app\'s name)')
    .requiredOption('--address <address>', 'its IPv4 or IPv6 address, or its host name')
    .requiredOption('--port <port>', 'the port apps call (1-65535)')
    .option('--protocol <protocol>', 'TCP or UDP', 'TCP')
    .option('--env <env>', 'the environment it is for (default: defaultEnv)')
    .option('--json', 'print { external, env, kind, file, commit }')
    .action(async (name, opts) => finish(await (await import('./commands/external-command.ts')).externalAddCommand(name, opts)));
  external
    .command('list')
    .description('list them')
    .option('--env <env>', 'the environment (default: defaultEnv)')
    .option('--json', 'print a JSON array of { name, address, port, protocol }')
    .action(async (opts) => finish(await (await import('./commands/external-command.ts')).externalListCommand(opts)));
  external
    .command('remove')
    .description('remove one no app uses any more; one GitOps commit')
    .argument('<name>', 'its name')
    .option('--env <env>', 'the environment (default: defaultEnv)')
    .option('--json', 'print { external, env, kind, file, commit }')
    .action(async (name, opts) => finish(await (await import('./commands/external-command.ts')).externalRemoveCommand(name, opts)));

  program
    .command('gc')
    .description("delete the registry's images of deleted apps, and versions beyond the newest N that no environment pins")
    .option('--keep <n>', 'versions to keep per app and environment besides the pinned ones', wholeNumber('--keep'), 5)
    .option('--dry-run', 'list what would be deleted, and delete nothing')
    .option('--json', 'print { registry, keep, dryRun, deleted, kept, bytes, next }')
    .action(async (opts) => finish(await (await import('./commands/gc-command.ts')).gcCommand(opts)));

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
    .action(async (dir, opts) => finish(await (await import('./commands/build-command.ts')).buildCommand(dir, opts)));

  program
    .command('render')
    .description("render an app's cluster manifests, validate them against the upstream schemas, and write them at their GitOps paths")
    .requiredOption('--name <app>', 'app name (DNS-1123 label)')
    .requiredOption('--image <ref@digest>', 'image pinned by digest, e.g. registry.lan/apps/notes:1.0@sha256:…')
    .option('--engine <engine>', 'flux or argocd (default: engine in slipway.yaml, else flux)')
    .requiredOption('--out <dir>', 'directory laid out like the GitOps repo (a checkout, or an empty folder)')
    .option('--json', 'print { app, engine, out, files }')
    .action(async (opts) => finish(await (await import('./commands/render-command.ts')).renderCommand(opts)));

  program
    .command('bootstrap')
    .description('write the cluster side (namespaces, receiver, RBAC, Slipway itself) into the GitOps repo, validated and with every Secret encrypted, and commit it')
    .requiredOption('--out <dir>', 'a checkout of the GitOps repo (the files are committed there), or an empty folder')
    .option('--engine <engine>', 'flux or argocd (default: engine in slipway.yaml, else flux)')
    .option('--secrets <backend>', SECRET_OPTIONS.secrets)
    .option('--age-recipient <key>', SECRET_OPTIONS.ageRecipient, repeatable)
    .option('--seal-cert <file>', SECRET_OPTIONS.sealCert)
    .option('--registry', 'add a private registry in the cluster (as bootstrap.registry.enabled)')
    .option('--dry-run', 'print the diff of what would change, and write nothing')
    .option('--json', 'print { files, receiverPath, changed, removed, commit, notes }')
    .action(async (opts) => finish(await (await import('./commands/bootstrap-command.ts')).bootstrapCommand(opts)));

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
    .option('--known-hosts <file>', "known_hosts file with the git server's host key")
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
    .action(async (opts) => finish(await (await import('./commands/init-command.ts')).initCommand(opts)));

  program
    .command('repair')
    .description("rebuild a damaged or lost state file from the repos' commits and what is running (the old file is moved aside, never deleted)")
    .option('--json', 'print { file, problem, movedTo, apps, runs }')
    .action(async (opts) => finish(await (await import('./commands/repair-command.ts')).repairCommand(opts)));

  const token = program
    .command('token')
    .description('create, list and revoke the API tokens `slipway serve` accepts');

  token
    .command('create')
    .description('create a token and print it (only this once; Slipway keeps its hash)')
    .requiredOption('--name <name>', 'who holds it, e.g. n8n (1-40 characters: lowercase letters, digits, -)')
    .requiredOption('--scope <scope>', 'read (look), write (also create, delete, resume, cancel) or admin (everything)')
    .option('--json', 'print { name, scope, token }')
    .action(async (opts) => finish(await (await import('./commands/token-command.ts')).tokenCreateCommand(opts)));

  token
    .command('list')
    .description('list tokens: name, scope, created, last used (never the tokens themselves)')
    .option('--json', 'print JSON')
    .action(async (opts) => finish(await (await import('./commands/token-command.ts')).tokenListCommand(opts)));

  token
    .command('revoke')
    .description('delete a token: requests carrying it are refused from now on')
    .argument('<name>', 'the token to revoke (see `slipway token list`)')
    .option('--json', 'print { name, revoked }')
    .action(async (name, opts) => finish(await (await import('./commands/token-command.ts')).tokenRevokeCommand(name, opts)));

  const chat = program
    .command('chat')
    .description('set up the chat platforms `slipway serve` answers (chat: in slipway.yaml)');

  chat
    .command('telegram')
    .description('the Telegram bot')
    .command('set-webhook')
    .description("tell Telegram to send the bot's messages to slipway serve, with chat.telegram.secretToken")
    .requiredOption('--url <base>', 'the public base URL of slipway serve, e.g. https://slipway.example.org (the webhook is <base>/v1/chat/telegram)')
    .option('--json', "print { url, allowedUpdates, description } with Telegram's answer")
    .action(async (opts) => finish(await (await import('./commands/chat-command.ts')).telegramSetWebhookCommand(opts)));

  chat
    .command('discord')
    .description('the Discord application')
    .command('register-command')
    .description('register the /slipway command for chat.discord.applicationId (needs chat.discord.botToken)')
    .option('--json', 'print { applicationId, commands: [{ id, name }] }')
    .action(async (opts) => finish(await (await import('./commands/chat-command.ts')).discordRegisterCommand(opts)));

  program
    .command('doctor')
    .description('check git, podman, registry, repos and config, and say how to fix each')
    .option('--json', 'print JSON')
    .action(async (opts) => finish(await (await import('./commands/doctor-command.ts')).doctorCommand(opts)));

  program
    .command('serve')
    .description('serve the HTTP API (/v1 routes, run events, /openapi.json, /metrics) and work through the run queue')
    .option('--host <address>', 'address to listen on (default: server.host in slipway.yaml, else 127.0.0.1); an address other than loopback needs an API token first')
    .option('--port <port>', 'port to listen on, 0 for any free one (default: server.port in slipway.yaml, else 8420)', portNumber)
    .action(async (opts) => finish(await (await import('./commands/serve-command.ts')).serveCommand(opts)));

  return program;
}

/** Runs one command line; returns the exit code. Usage errors print the reason and give 2. */
export async function main(argv: string[]): Promise<number> {
  ignoreClosedPipes();
  let code = 0;
  const program = slipwayProgram((result) => {
    code = result;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    // Help and --version end as "errors" with exit code 0; every other usage error is bad input.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // Commands report their own errors; this is the last line, so nobody sees a stack trace.
    return reportError(error, false);
  }
  return code;
}

/** An option's value as a whole number from 1 up (see positiveInteger), refused as a usage error. */
function wholeNumber(flag: string): (text: string) => number {
  return (text) => {
    try {
      return positiveInteger(flag, text);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** A number of lines, 0 to 10000 (as many as the API streams to start with), refused as a usage error. */
function lineCount(flag: string): (text: string) => number {
  return (text) => {
    if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 10_000) throw new InvalidArgumentError(`${flag} must be a whole number from 0 to 10000, not ${JSON.stringify(text)}`);
    return Number(text);
  };
}

/** A TCP port, 0 to 65535 (0: any free one), refused as a usage error. */
function portNumber(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new InvalidArgumentError(`--port must be a whole number from 0 to 65535, not ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Commander's usage messages, said on one line and in the words Slipway's users know: a suggestion
 * follows the unknown name, a missing value "needs a value", and a value given to a flag (`--json=1`,
 * which commander reads as an unknown option) "takes no value".
 */
export function plainUsageMessage(text: string): string {
  return text
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .replace(/unknown option '(--[a-z0-9-]+)=[^']*' \(did you mean \1\?\)/, "option '$1' takes no value")
    .replace(/(option '[^']+') argument missing/, '$1 needs a value');
}
