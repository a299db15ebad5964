import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The tables of hostile-input.test.ts: each case prepares a sandbox and says what the command must refuse. */

export type Category = 'cli arguments' | 'config files' | 'build folders' | 'render targets';

/** One case's sandbox (see newBox in hostile-input.test.ts). */
export interface Box {
  root: string;
  home: string;
  /** An empty slipway.yaml that SLIPWAY_CONFIG names. */
  config: string;
  /** A small app with server.js. */
  app: string;
  /** A folder render may write into (absent at first). */
  out: string;
  /** Files outside everything, which links point at: they must never change. */
  outside: string;
  /** Where build writes its OCI layout: it must never be created. */
  image: string;
  baseRef: string;
}

export interface Prepared {
  argv: string[];
  /** What the output must say: the thing to fix. */
  message: RegExp;
  env?: Record<string, string>;
  /** A secret the output must not contain. */
  secret?: string;
  /** More folders that must be unchanged. */
  watch?: string[];
  /** Paths that must not exist afterwards. */
  absent?: string[];
  /** Run the real command as the user nobody (for what root may always do). */
  asNobody?: boolean;
}

export interface HostileCase {
  label: string;
  prepare(box: Box): Prepared;
  /** Also run through the real `slipway` command. */
  spawn?: boolean;
  /** Only through the real command (e.g. it needs another user). */
  spawnOnly?: boolean;
  needsNobody?: boolean;
}

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const IMAGE = `registry.k8s-lab.dev/dynamic-apps/notes:v1.0.0@${DIGEST}`;

/** Marks every `every`-th case of a table (and the first) to run through the real command too. */
function sample(cases: HostileCase[], every: number): HostileCase[] {
  return cases.map((c, i) => (i % every === 0 ? { ...c, spawn: true } : c));
}

// ---------------------------------------------------------------- command-line arguments

const NAME_RULE = /app name is a DNS-1123 label|reserved|app name is empty/;
const BAD_NAMES = [
  '123', '1app', '9lives', '0', '42-x', 'My-App', 'APP', 'my_app', 'app-', '-app', 'a..b', 'a.b', 'a b', 'ÿapp', 'café',
  'a'.repeat(41), 'x'.repeat(200), '', 'slipway', 'kube-dash', 'flux-ui', 'slipway-x', 'system-info', 'default', 'argocd',
  'kubernetes', 'registry', '../etc', 'a/b', 'app\n', '$(id)', '`id`', 'app;ls', '<script>',
];

const nameCases: HostileCase[] = BAD_NAMES.map((name) => ({
  label: `create --name ${JSON.stringify(name)}`,
  prepare: () => ({ argv: ['create', 'a pomodoro timer', `--name=${name}`], message: NAME_RULE }),
}));

const descriptionCases: HostileCase[] = [
  ['', /description is empty/],
  ['   ', /description is empty/],
  ['\t\n', /description is empty/],
  ['a\u0007b', /control characters/],
  ['\u001b[31mred timer', /control characters/],
  ['a\u007ftimer', /control characters/],
  ['x'.repeat(2001), /at most 2000/],
].map(([text, message]) => ({
  label: `create with the description ${JSON.stringify(String(text).slice(0, 20))}${String(text).length > 20 ? '…' : ''}`,
  prepare: () => ({ argv: ['create', String(text), '--name', 'ok-app'], message: message as RegExp }),
}));

const templateCases: HostileCase[] = ['nope', '../timer', 'timer/../form', 'TIMER', '<script>', '', 'timer '].map((id) => ({
  label: `create --template ${JSON.stringify(id)}`,
  prepare: () => ({ argv: ['create', 'a pomodoro timer', `--template=${id}`], message: /unknown template/ }),
}));

const targetCases: HostileCase[] = [
  ...['moon', 'LOCAL', '', 'cluster '].map((target) => ({
    label: `create --target ${JSON.stringify(target)}`,
    prepare: () => ({ argv: ['create', 'a pomodoro timer', `--target=${target}`], message: /--target must be local or cluster/ }),
  })),
  {
    label: 'create --target cluster with no GitOps repo configured',
    prepare: () => ({ argv: ['create', 'a pomodoro timer', '--target', 'cluster'], message: /git\.gitops\.url is not set[\s\S]*slipway init --target cluster/ }),
  },
];

const runIdCases: HostileCase[] = [
  ...['abc', 'run-1', '../../etc/passwd', 'run-20261122033000-AB12CD', 'run-20261122033000-ab12cd; rm -rf /', ' run-20261122033000-ab12cd'].map((id) => ({
    label: `resume ${JSON.stringify(id)}`,
    prepare: () => ({ argv: ['resume', id], message: /is not a run id/ }),
  })),
  { label: 'resume an unknown run', prepare: () => ({ argv: ['resume', 'run-20261122033000-ab12cd'], message: /no run run-20261122033000-ab12cd/ }) },
];

const appArgumentCases: HostileCase[] = [
  ['delete', '123', /starts with a digit/],
  ['delete', '../x', /is not allowed/],
  ['delete', 'slipway', /reserved/],
  ['delete', 'nope', /no app named 'nope'/],
  ['delete', '', /app name is empty/],
  ['status', 'nope', /no app named 'nope'/],
  ['status', '../etc', /no app named/],
  ['status', '<script>', /no app named/],
  ['runs', '../x', /is not allowed/],
  ['runs', '1app', /starts with a digit/],
].map(([command, app, message]) => ({
  label: `${command} ${JSON.stringify(app)}`,
  prepare: () => ({ argv: [command as string, app as string], message: message as RegExp }),
}));

const limitCases: HostileCase[] = [
  ...['abc', '1.5', '0', '-1', '1e3', '10x', ' 5', '', '99999999999', '0x10'].map((limit) => ({
    label: `runs --limit ${JSON.stringify(limit)}`,
    prepare: () => ({ argv: ['runs', `--limit=${limit}`], message: /--limit must be a whole number/ }),
  })),
  { label: 'runs --limit without a value', prepare: () => ({ argv: ['runs', '--limit'], message: /needs a value/ }) },
];

/** `slipway build <app> --image oci:<box.image>:v1 --base <test base>` with `change` applied. */
function build(change: (box: Box) => { dir?: string; image?: string; extra?: string[] }) {
  return (box: Box) => {
    const { dir = box.app, image = `oci:${box.image}:v1`, extra = [] } = change(box);
    return ['build', dir, `--image=${image}`, ...(extra.some((e) => e.startsWith('--base')) ? [] : [`--base=${box.baseRef}`]), ...extra];
  };
}

const buildOptionCases: HostileCase[] = [
  ['--image oci::v1 (no directory)', build(() => ({ image: 'oci::v1' })), /names no directory/],
  ['--image oci: (nothing)', build(() => ({ image: 'oci:' })), /names no directory/],
  ['--image oci:@sha256:… (no directory)', build(() => ({ image: `oci:@${DIGEST}` })), /names no directory/],
  ['--image with a tag holding a space', build((b) => ({ image: `oci:${b.image}:bad tag` })), /tag "bad tag"/],
  ['--image with a tag starting with -', build((b) => ({ image: `oci:${b.image}:-v1` })), /tag "-v1"/],
  ['--image with an empty tag', build((b) => ({ image: `oci:${b.image}:` })), /tag ""/],
  ['--image oci layout by digest', build((b) => ({ image: `oci:${b.image}@${DIGEST}` })), /must name a tag, not a digest/],
  ['--image oci layout that is a file', build((b) => ({ image: `oci:${join(b.outside, 'secret.txt')}:v1` })), /is a file, not an OCI layout directory/],
  ['--image with a URL scheme', build(() => ({ image: 'http://registry.lan/a:v1' })), /starts with a URL scheme/],
  ['--image with upper case', build(() => ({ image: 'registry.lan/UPPER:v1' })), /uppercase/],
  ['--image by digest', build(() => ({ image: `registry.lan/a:v1@${DIGEST}` })), /must name a tag, not a digest/],
  ['--image empty', build(() => ({ image: '' })), /image reference is empty/],
  ['--image with an empty path part', build(() => ({ image: 'registry.lan/a//b:v1' })), /empty path component/],
  ['--image with a bad registry host', build(() => ({ image: 'reg_lan:5000/a:v1' })), /registry host/],
  ['--image with an empty registry tag', build(() => ({ image: 'registry.lan/a:' })), /tag ""/],
  ['--image with a 300-character repository', build(() => ({ image: `registry.lan/${'a'.repeat(300)}:v1` })), /longer than 255/],
  ['--base oci::v1', build(() => ({ extra: ['--base=oci::v1'] })), /--base oci::v1 names no directory/],
  ['--base with a URL scheme', build(() => ({ extra: ['--base=http://x/y'] })), /URL scheme/],
  ['--base with upper case', build(() => ({ extra: ['--base=registry.lan/A:v1'] })), /uppercase/],
  ['--base with a short digest', build(() => ({ extra: ['--base=oci:/nonexistent@sha256:abc'] })), /digest "sha256:abc"/],
  ['--platform linux', build(() => ({ extra: ['--platform=linux'] })), /form os\/arch/],
  ['--platform with a ;', build(() => ({ extra: ['--platform=linux/amd64;rm'] })), /form os\/arch/],
  ['--platform ,,', build(() => ({ extra: ['--platform=,,'] })), /names no platform/],
  ['--platform in upper case', build(() => ({ extra: ['--platform=linux/AMD64'] })), /form os\/arch/],
  ['--platform with four parts', build(() => ({ extra: ['--platform=a/b/c/d'] })), /form os\/arch/],
  ['--platform with a space', build(() => ({ extra: ['--platform=linux/ amd64'] })), /form os\/arch/],
  ['--entrypoint []', build(() => ({ extra: ['--entrypoint=[]'] })), /non-empty array/],
  ['--entrypoint [1]', build(() => ({ extra: ['--entrypoint=[1]'] })), /non-empty array/],
  ['--entrypoint [""]', build(() => ({ extra: ['--entrypoint=[""]'] })), /non-empty array/],
  ['--entrypoint [', build(() => ({ extra: ['--entrypoint=['] })), /non-empty array/],
  ['--entrypoint of spaces', build(() => ({ extra: ['--entrypoint=   '] })), /--entrypoint is empty/],
  ['a directory that does not exist', build((b) => ({ dir: join(b.root, 'nope') })), /is not a directory/],
  ['a file as the directory', build((b) => ({ dir: join(b.outside, 'secret.txt') })), /is not a directory/],
].map(([label, argv, message]) => ({
  label: `build ${label as string}`,
  prepare: (box: Box) => ({ argv: (argv as (b: Box) => string[])(box), message: message as RegExp }),
}));

const epochCases: HostileCase[] = ['-1', 'abc', '1.5'].map((epoch) => ({
  label: `build with SOURCE_DATE_EPOCH=${epoch}`,
  prepare: (box: Box) => ({ argv: build(() => ({}))(box), env: { SOURCE_DATE_EPOCH: epoch }, message: /SOURCE_DATE_EPOCH must be whole seconds/ }),
}));

const renderOptionCases: HostileCase[] = [
  ...['1app', 'Notes', '../x', '', 'slipway'].map((name) => ({
    label: `render --name ${JSON.stringify(name)}`,
    prepare: (box: Box) => ({ argv: ['render', `--name=${name}`, '--image', IMAGE, '--out', box.out], message: NAME_RULE }),
  })),
  ...[
    ['registry.lan/a:1', /not pinned by digest/],
    ['registry.lan/a:1@sha256:abc', /digest "sha256:abc"/],
    [`http://registry.lan/a@${DIGEST}`, /URL scheme/],
    ['', /--image is required/],
  ].map(([image, message]) => ({
    label: `render --image ${JSON.stringify(image)}`,
    prepare: (box: Box) => ({ argv: ['render', '--name', 'notes', `--image=${image as string}`, '--out', box.out], message: message as RegExp }),
  })),
  ...['helm', 'FLUX'].map((engine) => ({
    label: `render --engine ${engine}`,
    prepare: (box: Box) => ({ argv: ['render', '--name', 'notes', '--image', IMAGE, '--engine', engine, '--out', box.out], message: /--engine must be flux or argocd/ }),
  })),
  ...['', '   '].map((out) => ({
    label: `render --out ${JSON.stringify(out)}`,
    prepare: () => ({ argv: ['render', '--name', 'notes', '--image', IMAGE, `--out=${out}`], message: /--out is required/ }),
  })),
  { label: 'render without --out', prepare: () => ({ argv: ['render', '--name', 'notes', '--image', IMAGE], message: /required option '--out <dir>'/ }) },
];

const AGE_KEY = 'age1jnfdpn8uvmhfj7y9jmgwj58qyncf6c7jjc6g6kqax93m40nd3cssvyfnqt';

const bootstrapOptionCases: HostileCase[] = [
  ...['helm', 'FLUX'].map((engine) => ({
    label: `bootstrap --engine ${engine}`,
    prepare: (box: Box) => ({ argv: ['bootstrap', '--out', box.out, '--engine', engine, '--age-recipient', AGE_KEY], message: /--engine must be flux or argocd/, absent: [box.out] }),
  })),
  ...['ssh-ed25519 AAAA', 'AGE-SECRET-KEY-1QQQ', 'age1', '$(id)'].map((key) => ({
    label: `bootstrap --age-recipient ${JSON.stringify(key)}`,
    prepare: (box: Box) => ({ argv: ['bootstrap', '--out', box.out, `--age-recipient=${key}`], message: /age/, absent: [box.out] }),
  })),
  {
    label: 'bootstrap --seal-cert with SOPS',
    prepare: (box: Box) => ({ argv: ['bootstrap', '--out', box.out, '--secrets', 'sops', '--seal-cert', join(box.outside, 'secret.txt')], message: /--seal-cert goes with --secrets sealed-secrets/, absent: [box.out] }),
  },
  {
    label: 'bootstrap --seal-cert not a certificate',
    prepare: (box: Box) => ({ argv: ['bootstrap', '--out', box.out, '--secrets', 'sealed-secrets', '--seal-cert', join(box.outside, 'secret.txt')], message: /not a PEM certificate/, absent: [box.out] }),
  },
  {
    label: 'bootstrap --out a folder of something else',
    prepare: (box: Box) => ({ argv: ['bootstrap', '--out', box.outside, '--age-recipient', AGE_KEY], message: /neither empty nor a git checkout/, watch: [box.outside] }),
  },
  { label: 'bootstrap without --out', prepare: () => ({ argv: ['bootstrap', '--age-recipient', AGE_KEY], message: /required option '--out <dir>'/ }) },
];

/** `slipway init --out <root>/init.yaml …`: the file must not be written. */
function init(args: string[], message: RegExp, out?: (box: Box) => string): HostileCase {
  return {
    label: `init ${args.join(' ')}${out ? ' (--out elsewhere)' : ''}`.trim(),
    prepare: (box) => {
      const file = out ? out(box) : join(box.root, 'init.yaml');
      return { argv: ['init', ...args, '--out', file], message, absent: out ? [] : [file], watch: [box.root].filter(() => Boolean(out)) };
    },
  };
}

const initCases: HostileCase[] = [
  init(['--target', 'moon'], /target:/),
  init(['--engine', 'helm'], /engine:/),
  init(['--target', 'cluster'], /--gitops-url is required/),
  init(['--gitops-branch', 'main..x'], /git\.gitops\.branch: "main\.\.x" is not a git branch name/),
  init(['--gitops-branch=-x'], /git\.gitops\.branch: .*starts with '-'/),
  init(['--gitops-path', '/abs'], /git\.gitops\.path/),
  init(['--gitops-path', '../x'], /git\.gitops\.path: .*'\.\.'/),
  init(['--registry', 'not a host'], /registry\.host: "not a host"/),
  init(['--registry', 'registry.lan:99999'], /registry\.host: .*above 65535/),
  init(['--platform', 'linux/sparc'], /image\.platforms/),
  init(['--namespace', 'Bad_NS'], /render\.namespace/),
  init(['--receiver-url', 'ftp://flux.lan/hook'], /flux\.receiver\.url: must be an http/),
  init(['--receiver-url', 'https://flux.lan/hook', '--receiver-type', 'weird'], /flux\.receiver\.type/),
  init(['--receiver-url', 'https://flux.lan/hook', '--receiver-token-env', 'lower'], /flux\.receiver\.token\.env/),
  init(['--target', 'cluster', '--gitops-url', 'https://git.lan/h.git', '--https-token-env', 'bad-name'], /git\.gitops\.https\.token\.env/),
  init(['--source-url', 'ext::false'], /git\.source\.url: .*transport 'ext::'/),
  init(['--target', 'cluster', '--gitops-url', 'ftp://git.lan/h.git'], /git\.gitops\.url: .*ftp:\/\//),
  init(['--apps-domain', 'a b'], /publicUrl/),
  init([], /--out .* is a directory/, (box) => box.root),
  init([], /exists/, (box) => join(box.outside, 'secret.txt')),
];

const usageCases: HostileCase[] = [
  [['frobnicate'], /unknown command 'frobnicate'/],
  [['create', 'a timer', '--nmae', 'x'], /unknown option '--nmae' \(did you mean --name\?\)/],
  [['status', 'a', 'b'], /too many arguments/],
  [['create', 'a timer', '--name'], /needs a value/],
  [['--bogus'], /unknown option '--bogus'/],
  [['create'], /missing the description: say what the app should be/],
  [['list', 'extra'], /too many arguments/],
  [['list', '--json=1'], /takes no value/],
].map(([argv, message]) => ({ label: `usage: slipway ${(argv as string[]).join(' ')}`, prepare: () => ({ argv: argv as string[], message: message as RegExp }) }));

/** Services outside the cluster: what `external add`/`remove` and `--uses` must refuse before anything is committed. */
const externalCases: HostileCase[] = [
  ...['NAS', 'nas_1', '-nas', 'nas-', 'a'.repeat(64), '$(id)', '../nas', 'nas.lan', ''].map((name) => [['external', 'add', name, '--address', '192.168.1.20', '--port', '445'], /DNS label|at most 63 characters|unknown option '-nas'/] as const),
  ...['192.168.1.300', '1.2.3', 'nas lan', '-x', '$(id)', '10.0.0.1/24', 'http://nas', '::g', ''].map((address) => [['external', 'add', 'nas', `--address=${address}`, '--port', '445'], /IPv4 or IPv6 address/] as const),
  ...['0', '65536', '-1', 'http', '4.5', ''].map((port) => [['external', 'add', 'nas', '--address', '192.168.1.20', `--port=${port}`], /port/] as const),
  [['external', 'add', 'nas', '--address', '192.168.1.20', '--port', '445', '--protocol', 'ICMP'], /TCP|UDP/] as const,
  [['external', 'add', 'nas', '--port', '445'], /--address/] as const,
  [['external', 'add', 'nas', '--address', '192.168.1.20', '--port', '445', '--env', 'moon'], /there is no environment "moon"/] as const,
  [['external', 'remove', 'nas'], /there is no external 'nas'/] as const,
  [['external', 'remove', 'NAS'], /DNS label/] as const,
  [['create', 'a pomodoro timer', '--name', 'uses-app', '--uses', 'nas'], /unknown external nas \(there are none yet\)/] as const,
  [['create', 'a pomodoro timer', '--name', 'uses-app', '--uses', 'nas,$(id)'], /unknown externals nas, \$\(id\)/] as const,
].map(([argv, message]) => ({ label: `slipway ${argv.map((a) => JSON.stringify(a)).join(' ')}`.slice(0, 120), prepare: () => ({ argv: [...argv], message }) }));

export const CLI_CASES: HostileCase[] = sample([
  ...nameCases, ...descriptionCases, ...templateCases, ...targetCases, ...runIdCases, ...appArgumentCases, ...limitCases,
  ...buildOptionCases, ...epochCases, ...renderOptionCases, ...bootstrapOptionCases, ...initCases, ...usageCases, ...externalCases,
], 11);

// ---------------------------------------------------------------- configuration files

/** `slipway create` with this slipway.yaml: it must be refused before anything is committed. */
function config(label: string, yaml: string, message: RegExp, secret?: string): HostileCase {
  return {
    label,
    prepare: (box) => {
      writeFileSync(box.config, yaml);
      return { argv: ['create', 'a pomodoro timer', '--name', 'cfg-app'], message, ...(secret ? { secret } : {}) };
    },
  };
}

const BAD_BRANCHES = ['main..x', 'a b', '-x', 'x.lock', '.x', 'a/.b', 'a//b', '/a', 'a/', 'a.', '@', 'a@{b', 'a\\b', 'a~b', 'a^b', 'a:b', 'a?b', 'a*b', 'a[b', 'HEAD', ''];

const configCases: HostileCase[] = [
  config('target: moon', 'target: moon\n', /target:/),
  config('target: 1', 'target: 1\n', /target:/),
  config('engine: helm', 'engine: helm\n', /engine:/),
  config('an unknown top-level key', 'colour: red\n', /unknown field\(s\) 'colour'/),
  config('a list at the top', '- a\n- b\n', /invalid configuration/),
  config('a string at the top', '"just text"\n', /invalid configuration/),
  config('a number at the top', '42\n', /invalid configuration/),
  config('an unclosed list', 'target: [local\n', /not valid YAML/),
  config('a key with two colons', 'target: a: b\n', /not valid YAML/),
  config('an unterminated string', 'target: "local\n', /not valid YAML/),
  config('a tab indent', 'git:\n\tsource: {}\n', /not valid YAML/),
  config('a duplicate key', 'target: local\ntarget: cluster\n', /not valid YAML/),
  config('git: a string', 'git: yes\n', /git:/),
  config('git.author.name empty', 'git:\n  author: { name: "", email: a@b.c }\n', /git\.author\.name/),
  config('git.author.email too short', 'git:\n  author: { name: x, email: a }\n', /git\.author\.email/),
  config('git.author unknown key', 'git:\n  author: { name: x, email: a@b.c, pgp: k }\n', /unknown field\(s\) 'pgp'/),
  ...BAD_BRANCHES.map((branch) => config(`git.source.branch ${JSON.stringify(branch)}`, `git:\n  source:\n    branch: ${JSON.stringify(branch)}\n`, /git\.source\.branch: .* is not a git branch name/)),
  config('git.gitops.branch main..x', 'git:\n  gitops:\n    branch: main..x\n', /git\.gitops\.branch: "main\.\.x" is not a git branch name: it contains '\.\.'/),
  config('git.gitops.branch a number', 'git:\n  gitops:\n    branch: 5\n', /git\.gitops\.branch/),
  ...['ext::false', 'fd::17', '-uhack', 'ftp://git.lan/a.git', 'gopher://git.lan/a.git', ''].map((url) =>
    config(`git.source.url ${JSON.stringify(url)}`, `git:\n  source:\n    url: ${JSON.stringify(url)}\n`, /git\.source\.url/)),
  config('git.gitops.url with the ext transport', 'git:\n  gitops:\n    url: "ext::nc evil 1"\n', /git\.gitops\.url: must be a git remote: it uses the transport 'ext::'/),
  ...['/abs', '../x', 'a/../../b', 'a//b', 'a b', './x'].map((path) =>
    config(`git.gitops.path ${JSON.stringify(path)}`, `git:\n  gitops:\n    path: ${JSON.stringify(path)}\n`, /git\.gitops\.path/)),
  config('git.gitops.ssh.keyFile empty', 'git:\n  gitops:\n    url: ssh://git@h/a.git\n    ssh: { keyFile: "" }\n', /git\.gitops\.ssh\.keyFile/),
  config('git.gitops.ssh without keyFile', 'git:\n  gitops:\n    url: ssh://git@h/a.git\n    ssh: {}\n', /git\.gitops\.ssh\.keyFile/),
  config('git.gitops.ssh.strictHostKeyChecking no', 'git:\n  gitops:\n    url: ssh://git@h/a.git\n    ssh: { keyFile: k, strictHostKeyChecking: "no" }\n', /strictHostKeyChecking/),
  config('git.gitops.https.token inline', 'git:\n  gitops:\n    url: https://h/a.git\n    https: { token: ghp_s3cr3tvalue }\n', /git\.gitops\.https\.token/, 'ghp_s3cr3tvalue'),
  config('git.gitops.https.token env in lower case', 'git:\n  gitops:\n    url: https://h/a.git\n    https: { token: { env: lower } }\n', /git\.gitops\.https\.token\.env/),
  config('git.gitops.https.token with env and file', 'git:\n  gitops:\n    url: https://h/a.git\n    https: { token: { env: A, file: b } }\n', /exactly one of env or file/),
  config('git.gitops.https.token empty', 'git:\n  gitops:\n    url: https://h/a.git\n    https: { token: {} }\n', /exactly one of env or file/),
  config('git.gitops.https.token with a value key', 'git:\n  gitops:\n    url: https://h/a.git\n    https: { token: { value: hunter2secret } }\n', /unknown field\(s\) 'value'/, 'hunter2secret'),
  config('local.runtime docker', 'local:\n  runtime: docker\n', /local\.runtime/),
  ...['not a host', 'a..b', '-x.lan', `${'x'.repeat(64)}.lan`, 'http://127.0.0.1', '127.0.0.1:8080', '', 'host_name', '1.2.3.4/24'].map((host) =>
    config(`local.host ${JSON.stringify(host)}`, `local:\n  host: ${JSON.stringify(host)}\n`, /local\.host: .* is not an IP address or hostname/)),
  config('local.host a number', 'local:\n  host: 127\n', /local\.host/),
  ...['0', '-1', 'soon', '601'].map((value) => config(`local.readyTimeoutSeconds ${value}`, `local:\n  readyTimeoutSeconds: ${value}\n`, /local\.readyTimeoutSeconds/)),
  config('local.variables with a bad name', 'local:\n  variables: { "1X": a }\n', /local\.variables/),
  config('local.variables with a number', 'local:\n  variables: { A: 1 }\n', /local\.variables\.A/),
  ...['not a host', 'registry.lan:99999', 'http://registry.lan', 'a b', '', 'registry.lan:port'].map((host) =>
    config(`registry.host ${JSON.stringify(host)}`, `registry:\n  host: ${JSON.stringify(host)}\n`, /registry\.host/)),
  ...['UPPER', '/x', 'a//b', 'a_'].map((repo) => config(`registry.repository ${JSON.stringify(repo)}`, `registry:\n  repository: ${JSON.stringify(repo)}\n`, /registry\.repository/)),
  config('registry.insecure "yes"', 'registry:\n  insecure: "yes"\n', /registry\.insecure/),
  config('registry.dockerConfig empty', 'registry:\n  dockerConfig: ""\n', /registry\.dockerConfig/),
  config('registry.ca empty', 'registry:\n  ca: ""\n', /registry\.ca/),
  config('image.platforms linux/sparc', 'image:\n  platforms: [linux/sparc]\n', /image\.platforms\.0/),
  config('image.platforms empty', 'image:\n  platforms: []\n', /image\.platforms/),
  config('image.platforms a string', 'image:\n  platforms: linux/amd64\n', /image\.platforms/),
  ...['oci::v1', 'http://registry.lan/node:24', 'registry.lan/Node:24', 'oci:/base@sha256:abc'].map((base) =>
    config(`image.base ${JSON.stringify(base)}`, `image:\n  base: ${JSON.stringify(base)}\n`, /image\.base in slipway\.yaml/)),
  config('image unknown key', 'image:\n  tag: latest\n', /unknown field\(s\) 'tag'/),
  config('llm.provider foo', 'llm:\n  provider: foo\n', /llm\.provider/),
  ...['ftp://ollama.lan:11434', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'http://', 'ws://ollama.lan'].map((url) =>
    config(`llm.baseUrl ${JSON.stringify(url)}`, `llm:\n  baseUrl: ${JSON.stringify(url)}\n`, /llm\.baseUrl: must be an http:\/\/ or https:\/\/ URL/)),
  config('llm.baseUrl with a password', 'llm:\n  baseUrl: "ftp://user:pa55word@ollama.lan/"\n', /llm\.baseUrl: must be an http/, 'pa55word'),
  config('llm.apiKey inline', 'llm:\n  apiKey: sk-inline-s3cret\n', /llm\.apiKey/, 'sk-inline-s3cret'),
  config('llm.maxTokens -1', 'llm:\n  maxTokens: -1\n', /llm\.maxTokens/),
  config('llm.maxTokens 1.5', 'llm:\n  maxTokens: 1.5\n', /llm\.maxTokens/),
  config('llm.models.planner empty', 'llm:\n  models: { planner: "" }\n', /llm\.models\.planner/),
  ...['0', '11', '2.5', '"3"'].map((value) => config(`generation.maxAttempts ${value}`, `generation:\n  maxAttempts: ${value}\n`, /generation\.maxAttempts/)),
  ...['ftp://flux.lan/hook', 'flux.lan/hook', 'https://'].map((url) =>
    config(`flux.receiver.url ${JSON.stringify(url)}`, `flux:\n  receiver:\n    url: ${JSON.stringify(url)}\n`, /flux\.receiver\.url/)),
  config('flux.receiver without url', 'flux:\n  receiver:\n    type: github\n', /flux\.receiver\.url/),
  config('flux.receiver.type gitlab', 'flux:\n  receiver:\n    url: https://flux.lan/hook\n    type: gitlab\n', /flux\.receiver\.type/),
  config('flux.receiver.token inline', 'flux:\n  receiver:\n    url: https://flux.lan/hook\n    token: whsec-inline-value\n', /flux\.receiver\.token/, 'whsec-inline-value'),
  config('flux.namespace Bad_NS', 'flux:\n  namespace: Bad_NS\n', /flux\.namespace/),
  config('flux.gitRepository "a b"', 'flux:\n  gitRepository: a b\n', /flux\.gitRepository/),
  config('argocd.namespace UP', 'argocd:\n  namespace: UP\n', /argocd\.namespace/),
  config('argocd.refresh push', 'argocd:\n  refresh: push\n', /argocd\.refresh/),
  config('argocd.webhookUrl ftp', 'argocd:\n  webhookUrl: ftp://argo.lan/api/webhook\n', /argocd\.webhookUrl: must be an http/),
  config('argocd.webhookSecret inline', 'argocd:\n  webhookSecret: argo-inline-s3cret\n', /argocd\.webhookSecret/, 'argo-inline-s3cret'),
  config('kube.kubeconfig empty', 'kube:\n  kubeconfig: ""\n', /kube\.kubeconfig/),
  config('kube.inCluster "yes"', 'kube:\n  inCluster: "yes"\n', /kube\.inCluster/),
  config('kube unknown key', 'kube:\n  token: kube-inline-s3cret\n', /unknown field\(s\) 'token'/, 'kube-inline-s3cret'),
  ...['https://apps.lan/', 'ftp://{app}.apps.lan/', 'https://{app} x.lan/', '{app}', 'https://{app}.apps.lan:99999/'].map((url) =>
    config(`publicUrl ${JSON.stringify(url)}`, `publicUrl: ${JSON.stringify(url)}\n`, /publicUrl/)),
  ...['0', '-5', 'x'].map((value) => config(`watch.source ${value}`, `watch:\n  source: ${value}\n`, /watch\.source/)),
  config('watch unknown key', 'watch:\n  forever: 1\n', /unknown field\(s\) 'forever'/),
  config('render.namespace Bad_NS', 'render:\n  namespace: Bad_NS\n', /render\.namespace/),
  config('render unknown key', 'render:\n  replicas: 3\n', /render: unknown field\(s\) 'replicas'/),
  config('render a list', 'render: [1]\n', /render/),
];

/** Environment variables that point at the wrong thing. */
const environmentCases: HostileCase[] = [
  {
    label: 'SLIPWAY_HOME is a file',
    prepare: (box) => ({ argv: ['create', 'a pomodoro timer', '--name', 'cfg-app'], env: { SLIPWAY_HOME: join(box.outside, 'secret.txt') }, message: /SLIPWAY_HOME: .*secret\.txt is not a directory/ }),
  },
  {
    label: 'SLIPWAY_HOME below a file',
    prepare: (box) => ({ argv: ['list'], env: { SLIPWAY_HOME: join(box.outside, 'secret.txt', 'home') }, message: /SLIPWAY_HOME: .*secret\.txt is a file/ }),
  },
  {
    label: 'SLIPWAY_CACHE is a file',
    prepare: (box) => ({ argv: ['create', 'a pomodoro timer', '--name', 'cfg-app'], env: { SLIPWAY_CACHE: join(box.outside, 'secret.txt') }, message: /SLIPWAY_CACHE: .*secret\.txt is not a directory/ }),
  },
  {
    label: 'SLIPWAY_CACHE is a file, for build',
    prepare: (box) => ({ argv: build(() => ({}))(box), env: { SLIPWAY_CACHE: join(box.outside, 'secret.txt') }, message: /SLIPWAY_CACHE: .*secret\.txt is not a directory/ }),
  },
  {
    label: 'SLIPWAY_CONFIG names a missing file',
    prepare: (box) => ({ argv: ['list'], env: { SLIPWAY_CONFIG: join(box.root, 'nope.yaml') }, message: /SLIPWAY_CONFIG points at .*nope\.yaml, which does not exist/ }),
  },
  {
    label: 'SLIPWAY_CONFIG names a directory',
    prepare: (box) => ({ argv: ['create', 'a pomodoro timer', '--name', 'cfg-app'], env: { SLIPWAY_CONFIG: box.outside }, message: /cannot read the configuration .*outside: it is a directory/ }),
  },
];

export const CONFIG_CASES: HostileCase[] = sample([...configCases, ...environmentCases], 9);

// ---------------------------------------------------------------- build folders

/** `slipway build` of the box's app after `setup` put something hostile in it. */
function folder(label: string, setup: (app: Box['app'], box: Box) => void, message: RegExp, options: { nobody?: boolean } = {}): HostileCase {
  return {
    label,
    ...(options.nobody ? { spawnOnly: true, needsNobody: true } : {}),
    prepare: (box) => {
      setup(box.app, box);
      return { argv: build(() => ({}))(box), message, ...(options.nobody ? { asNobody: true } : {}) };
    },
  };
}

/** The same hostile entry at the top of the app, in a folder, and three folders down. */
const PLACES: Array<[string, string]> = [['at the top', ''], ['in a folder', 'public'], ['three folders down', 'a/b/c']];
const placed = (app: string, place: string) => {
  const dir = join(app, place);
  mkdirSync(dir, { recursive: true });
  return dir;
};

const LINKS_OUT: Array<[string, (box: Box, depth: number) => string]> = [
  ['an absolute link to a file outside', (box) => join(box.outside, 'secret.txt')],
  ['a link to /etc/passwd', () => '/etc/passwd'],
  ['a relative link climbing out', (_box, depth) => `${'../'.repeat(depth + 1)}outside/secret.txt`],
  ['a link to ..', (_box, depth) => '../'.repeat(depth + 1).slice(0, -1)],
  ['a link to /', () => '/'],
];

function invalidName(dir: string, bytes: number[]): void {
  // A file name is bytes to the kernel: written through a Buffer path, exactly as given.
  writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(bytes), Buffer.from('.js')]), 'x');
}

const INVALID_UTF8: Array<[string, number[]]> = [
  ['a lone 0xff byte', [0x62, 0x61, 0x64, 0xff]],
  ['a broken two-byte sequence', [0xc3, 0x28]],
  ['a truncated euro sign', [0xe2, 0x82]],
  ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ['an overlong slash', [0xc0, 0xaf]],
];

const buildFolderCases: HostileCase[] = [
  ...PLACES.flatMap(([where, place]) => LINKS_OUT.map(([what, target]) =>
    folder(`${what} ${where}`, (app, box) => symlinkSync(target(box, place ? place.split('/').length : 0), join(placed(app, place), 'escape')), /symlink .*escape -> .* points outside the app directory/))),
  ...PLACES.flatMap(([where, place]) => [
    folder(`a fifo ${where}`, (app) => execFileSync('mkfifo', [join(placed(app, place), 'pipe')]), /pipe is neither a file, a directory nor a symlink/),
    folder(`a character device ${where}`, (app) => execFileSync('mknod', [join(placed(app, place), 'null0'), 'c', '1', '3']), /null0 is neither a file, a directory nor a symlink/),
    folder(`a socket ${where}`, (app) => bindSocket(join(placed(app, place), 'sock')), /sock is neither a file, a directory nor a symlink/),
  ]),
  folder('a block device', (app) => execFileSync('mknod', [join(app, 'loop9'), 'b', '7', '9']), /loop9 is neither a file, a directory nor a symlink/),
  ...PLACES.slice(0, 2).flatMap(([where, place]) => INVALID_UTF8.map(([what, bytes]) =>
    folder(`a file name with ${what} ${where}`, (app) => invalidName(placed(app, place), bytes), /file name ".*" in .* is not valid UTF-8[\s\S]*Rename it/))),
  folder('a folder name that is not UTF-8', (app) => mkdirSync(Buffer.concat([Buffer.from(`${app}/`), Buffer.from([0x64, 0xfe, 0x72])])), /file name "d\\xfer" in .* is not valid UTF-8/),
  folder('a path longer than the system allows', (app) => deepPath(app), /the path is too long/),
  folder('an empty folder', (app) => { execFileSync('rm', ['-rf', app]); mkdirSync(app); }, /is empty: there is nothing to build/),
  folder('an unreadable file', (app) => { writeFileSync(join(app, 'secret.key'), 'k'); chmodSync(join(app, 'secret.key'), 0o000); }, /cannot read .*secret\.key in the app directory: permission denied/, { nobody: true }),
  folder('an unreadable folder', (app) => { mkdirSync(join(app, 'private')); writeFileSync(join(app, 'private', 'a'), 'a'); chmodSync(join(app, 'private'), 0o000); }, /cannot read .*private in the app directory: permission denied/, { nobody: true }),
  folder('an unreadable file three folders down', (app) => { const dir = placed(app, 'a/b/c'); writeFileSync(join(dir, 'x.js'), 'x'); chmodSync(join(dir, 'x.js'), 0o200); }, /cannot read .*x\.js in the app directory: permission denied/, { nobody: true }),
  folder('a folder that may be listed but not entered', (app) => { mkdirSync(join(app, 'half')); writeFileSync(join(app, 'half', 'a'), 'a'); chmodSync(join(app, 'half'), 0o444); }, /cannot read .*half.* permission denied/, { nobody: true }),
];

function bindSocket(path: string): void {
  // A socket bound and left behind, as a crashed server leaves it.
  execFileSync('python3', ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
}

/** Nested folders of 250-character names until the full path is longer than PATH_MAX (4096). */
function deepPath(app: string): void {
  // Step by step with relative chdir: no call ever takes the whole path, which the system would refuse.
  execFileSync('python3', ['-c', 'import os, sys\nos.chdir(sys.argv[1])\nfor _ in range(18):\n    os.mkdir("d" * 250)\n    os.chdir("d" * 250)\nopen("f", "w").write("x")', app]);
}

export const BUILD_FOLDER_CASES: HostileCase[] = sample(buildFolderCases, 5);

// ---------------------------------------------------------------- render targets

/** `slipway render` into the box's GitOps folder after `setup` made it hostile; `--engine argocd` with `argo`. */
function target(label: string, setup: (out: string, box: Box) => void, message: RegExp, options: { argo?: boolean; out?: (box: Box) => string; nobody?: boolean } = {}): HostileCase {
  return {
    label: `${label}${options.argo ? ' (argocd)' : ''}`,
    ...(options.nobody ? { spawnOnly: true, needsNobody: true } : {}),
    prepare: (box) => {
      setup(box.out, box);
      if (options.argo) writeFileSync(box.config, 'render:\n  appsDomain: apps.k8s-lab.dev\n  argocd:\n    repoURL: https://git.lan/homelab.git\n');
      const out = options.out ? options.out(box) : box.out;
      return {
        argv: ['render', '--name', 'notes', '--image', IMAGE, '--out', out, ...(options.argo ? ['--engine', 'argocd'] : [])],
        message, watch: [join(box.root, 'elsewhere')], ...(options.nobody ? { asNobody: true } : {}),
      };
    },
  };
}

const APPS = 'kubernetes/apps/dynamic';
const elsewhere = (box: Box) => {
  const dir = join(box.root, 'elsewhere');
  mkdirSync(join(dir, 'apps/dynamic/notes/app'), { recursive: true });
  writeFileSync(join(dir, 'kustomization.yaml'), 'kind: Kustomization\nresources: []\n');
  writeFileSync(join(dir, 'apps/dynamic/notes/app/keep.yaml'), 'kept: true\n');
  return dir;
};
/** `out/<path>` as a link to `to`, with the folders above it. */
const linkAt = (out: string, path: string, to: string) => {
  mkdirSync(join(out, path, '..'), { recursive: true });
  symlinkSync(to, join(out, path));
};

const LINKED: Array<[string, (out: string, box: Box) => void]> = [
  ['kubernetes/ is a link to a folder elsewhere', (out, box) => linkAt(out, 'kubernetes', elsewhere(box))],
  ['kubernetes/apps is a link', (out, box) => linkAt(out, 'kubernetes/apps', elsewhere(box))],
  ['kubernetes/apps/dynamic is a link', (out, box) => linkAt(out, APPS, join(elsewhere(box), 'apps/dynamic'))],
  ["the app's folder is a link", (out, box) => linkAt(out, `${APPS}/notes`, join(elsewhere(box), 'apps/dynamic/notes'))],
  // Cases that would write into system folders without the check point at stand-ins in the sandbox.
  ['kubernetes/apps/dynamic is an absolute link to a root-like folder', (out, box) => linkAt(out, APPS, systemLike(box))],
  ['kubernetes/apps/dynamic is a dangling link', (out, box) => linkAt(out, APPS, join(box.root, 'elsewhere', 'not-yet'))],
  ['kustomization.yaml is a link to a file outside', (out, box) => linkAt(out, `${APPS}/kustomization.yaml`, join(elsewhere(box), 'kustomization.yaml'))],
  ['kustomization.yaml is a link to a passwd file', (out, box) => linkAt(out, `${APPS}/kustomization.yaml`, join(systemLike(box), 'etc/passwd'))],
  ['kustomization.yaml is a dangling link', (out, box) => linkAt(out, `${APPS}/kustomization.yaml`, join(box.root, 'elsewhere', 'k.yaml'))],
  ['kustomization.yaml is a relative link climbing out', (out) => linkAt(out, `${APPS}/kustomization.yaml`, '../../../../outside/secret.txt')],
];

/** A folder shaped like the top of a system (etc/passwd, etc/hosts, usr/bin), watched like the rest. */
function systemLike(box: Box): string {
  const dir = join(box.root, 'elsewhere', 'root');
  mkdirSync(join(dir, 'etc'), { recursive: true });
  mkdirSync(join(dir, 'usr/bin'), { recursive: true });
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(dir, 'etc/hosts'), '127.0.0.1 localhost\n');
  return dir;
}

const fileAt = (out: string, path: string) => {
  mkdirSync(join(out, path, '..'), { recursive: true });
  writeFileSync(join(out, path), 'not a folder\n');
};

const renderTargetCases: HostileCase[] = [
  ...LINKED.flatMap(([label, setup]) => [
    target(label, setup, /refused .*: it is a symbolic link/),
    target(label, setup, /refused .*: it is a symbolic link/, { argo: true }),
  ]),
  target('kubernetes is a file', (out) => fileAt(out, 'kubernetes'), /refused .*kubernetes: render needs a folder there .* it is a file/),
  target('kubernetes/apps is a file', (out) => fileAt(out, 'kubernetes/apps'), /refused .*kubernetes\/apps: render needs a folder there/),
  target('kubernetes/apps/dynamic is a file', (out) => fileAt(out, APPS), /refused .*dynamic: render needs a folder there/),
  target('kubernetes/apps/dynamic is a file', (out) => fileAt(out, APPS), /refused .*dynamic: render needs a folder there/, { argo: true }),
  target("the app's folder is a file", (out) => fileAt(out, `${APPS}/notes`), /refused .*notes: render needs a folder there/),
  target('kustomization.yaml is a folder', (out) => mkdirSync(join(out, APPS, 'kustomization.yaml'), { recursive: true }), /refused .*kustomization\.yaml: render writes a file there, and it is a directory/),
  target('kustomization.yaml is a fifo', (out) => { mkdirSync(join(out, APPS), { recursive: true }); execFileSync('mkfifo', [join(out, APPS, 'kustomization.yaml')]); }, /refused .*kustomization\.yaml: render writes a file there, and it is not a regular file/),
  target('--out is /etc/passwd', () => undefined, /--out \/etc\/passwd is a file, not a directory/, { out: () => '/etc/passwd' }),
  target('--out is below /etc/passwd', () => undefined, /--out: a part of .* is a file, not a directory/, { out: () => '/etc/passwd/gitops' }),
  target('--out is a file', () => undefined, /--out .*secret\.txt is a file, not a directory/, { out: (box) => join(box.outside, 'secret.txt') }),
  target('--out is /dev/null', () => undefined, /--out \/dev\/null is a file, not a directory/, { out: () => '/dev/null' }),
  target('--out is below a file', () => undefined, /cannot be created: .*secret\.txt is a file|a part of .* is a file/, { out: (box) => join(box.outside, 'secret.txt', 'a', 'b') }),
  target('--out is a folder like /etc', () => undefined, /--out .*\/etc is not empty and does not look like a GitOps repo/, { out: (box) => join(systemLike(box), 'etc') }),
  target('--out is a project folder', () => undefined, /is not empty and does not look like a GitOps repo \(no \.git and no kubernetes\/ in it\)/, { out: (box) => box.app }),
  target('--out holds only a README', (out) => { mkdirSync(out); writeFileSync(join(out, 'README.md'), '# notes\n'); }, /is not empty and does not look like a GitOps repo/),
  target('--out is a home folder', (out) => { mkdirSync(out); writeFileSync(join(out, '.bashrc'), 'x\n'); mkdirSync(join(out, 'Documents')); }, /is not empty and does not look like a GitOps repo/),
  target('--out is a link to a file', (out, box) => symlinkSync(join(box.outside, 'secret.txt'), out), /--out .* is a file, not a directory/),
  target('--out is read-only for this user', (out) => { mkdirSync(join(out, APPS), { recursive: true }); execFileSync('chmod', ['-R', '555', out]); }, /--out: cannot write in .* \(read-only for this user\)/, { nobody: true }),
  target('--out is a new folder in a read-only one', (out) => { mkdirSync(out); chmodSync(out, 0o555); }, /--out: cannot write in .*gitops \(read-only for this user\)/, { nobody: true, out: (box) => join(box.out, 'new') }),
  target('the apps folder is read-only for this user', (out) => { mkdirSync(join(out, APPS), { recursive: true }); chmodSync(join(out, APPS), 0o555); execFileSync('chmod', ['777', out, join(out, 'kubernetes'), join(out, 'kubernetes/apps')]); }, /--out: cannot write in .*dynamic \(read-only for this user\)/, { nobody: true }),
];

export const RENDER_CASES: HostileCase[] = sample(renderTargetCases, 4);
