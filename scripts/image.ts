/**
 * Builds Slipway's own image the way Slipway ships apps: stages the bundled command, the web page
 * and the production packages into a folder (scripts/image/stage.ts), then builds and pushes it
 * with Slipway's own daemonless builder — the same parts as `slipway build` — for every platform
 * asked for, on the official Node image. Prints `<ref>@<digest>`, the value for
 * `bootstrap.slipway.image`. File times and `created` come from the last commit, so two builds of
 * one commit give one digest.
 *
 * npm run image -- [--image <registry/repo:tag>] [--base <ref>] [--platform linux/amd64,linux/arm64]
 *                  [--insecure] [--stage <dir>] [--no-bundle] [--json]
 */
import { execFileSync } from 'node:child_process';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseOciLayoutRef } from '../src/adapters/oci/oci-layout-store.ts';
import { parseImageRef } from '../src/adapters/registry/image-ref.ts';
import { composeBuild } from '../src/app/compose-build.ts';
import { checkBase, parseBuildTarget, parsePlatforms } from '../src/cli/commands/build-references.ts';
import { printJson, reportError } from '../src/cli/output.ts';
import { loadConfig } from '../src/config/load.ts';
import { InputError } from '../src/domain/errors.ts';
import { readProvenance } from './image/provenance.ts';
import { stageSlipway } from './image/stage.ts';

/**
 * The official Node image with its Debian tools: Slipway runs git for its repositories (and ssh
 * for ssh remotes), which the `-slim` variant does not carry.
 */
export const SLIPWAY_IMAGE_BASE = 'docker.io/library/node:24';
const PLATFORMS = 'linux/amd64,linux/arm64';
const USAGE = 'npm run image -- [--image <registry/repo:tag>] [--base <ref>] [--platform linux/amd64,linux/arm64] [--insecure] [--stage <dir>] [--no-bundle] [--json]';
const root = resolve(import.meta.dirname, '..');

process.exitCode = await main(process.argv.slice(2));

async function main(argv: string[]): Promise<number> {
  let json = false;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        image: { type: 'string' }, base: { type: 'string', default: SLIPWAY_IMAGE_BASE }, platform: { type: 'string', default: PLATFORMS },
        insecure: { type: 'boolean', default: false }, stage: { type: 'string' }, 'no-bundle': { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    json = values.json;
    const config = loadConfig({ env: process.env, cwd: process.cwd(), homedir: homedir() });
    const provenance = await readProvenance(root);
    const image = values.image ?? defaultImage(config.registry.host, provenance.version);
    const target = parseBuildTarget(image);
    checkBase(values.base, '--base');
    if (values.base === 'host') {
      throw new InputError("--base host cannot carry Slipway: it holds this machine's node alone, and Slipway also runs git", { hint: `Use an image with Node 24 and git, such as ${SLIPWAY_IMAGE_BASE} (the default).` });
    }
    const platforms = parsePlatforms(values.platform);
    if (provenance.dirty) say('the checkout has uncommitted changes: they go into the image, whose revision label names the last commit');

    if (!values['no-bundle']) execFileSync(process.execPath, [join(root, 'scripts', 'bundle.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const staged = await stageSlipway(root, resolve(values.stage ?? join(root, 'dist', 'image')));
    say(`staged ${staged.dir} (${staged.packages} production packages)`);

    const insecureRegistries: string[] = [];
    if (values.insecure) {
      if (target.kind === 'registry') insecureRegistries.push(target.ref.registry);
      if (!parseOciLayoutRef(values.base)) insecureRegistries.push(parseImageRef(values.base).registry);
    }
    const parts = composeBuild(config, { nodeBinary: process.execPath, vars: process.env, homedir: homedir() }, { cache: config.cache, insecureRegistries });
    const labels = {
      'org.opencontainers.image.title': 'slipway',
      'org.opencontainers.image.description': 'Slipway: a request for a webapp in, a running app out, the GitOps way',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.version': provenance.version,
      'org.opencontainers.image.revision': provenance.revision,
      ...(provenance.source ? { 'org.opencontainers.image.source': provenance.source } : {}),
    };
    const result = await parts.builder.build({
      contextDir: staged.dir, target, base: values.base, platforms, workdir: '/app',
      // `serve` is the command, not the entrypoint: `podman run <image> build …` runs any other.
      entrypoint: ['node', 'bin/slipway.cjs'], cmd: ['serve'],
      // State on a volume; caches in /tmp, the one other place a read-only root leaves writable.
      env: { NODE_ENV: 'production', SLIPWAY_HOME: '/var/lib/slipway', SLIPWAY_CACHE: '/tmp/slipway-cache' },
      exposedPorts: [8420], user: '1000:1000', labels, sourceDateEpoch: provenance.sourceDateEpoch,
    }).finally(() => parts.close());
    const pinned = target.kind === 'registry' ? `${image}@${result.digest}` : result.image;
    if (json) printJson({ ...result, image: pinned, version: provenance.version, revision: provenance.revision, sourceDateEpoch: provenance.sourceDateEpoch });
    else {
      process.stdout.write(`${pinned}\n`);
      say(`platforms ${result.platforms.join(', ')}  layers ${result.layers}  uploaded ${result.bytesUploaded} bytes  skipped ${result.blobsSkipped} blobs`);
    }
    return 0;
  } catch (error) {
    const usage = error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS');
    return reportError(usage ? new InputError(error.message, { hint: USAGE }) : error, json);
  }
}

/** `<registry>/slipway/slipway:<version>`, the registry being slipway.yaml's. */
function defaultImage(registry: string | undefined, version: string): string {
  if (!registry) throw new InputError('no registry to push Slipway\'s image to', { hint: 'Pass --image <registry>/slipway/slipway:<tag>, or set registry.host in slipway.yaml.' });
  return `${registry}/slipway/slipway:${version}`;
}

function say(line: string): void {
  process.stderr.write(`slipway image: ${line}\n`);
}
