/**
 * One Slipway image build as a command, for the benchmark (one process per build, as a CLI run is).
 *
 * node_modules/.bin/node bench/build-cli.ts --context DIR --base REF --target REF|oci:DIR:TAG \
 *   --cache DIR [--insecure-registry HOST]… [--platform linux/amd64]… [--workdir /app] [--entrypoint node,server.js]
 *
 * Prints the BuildResult as JSON on stdout.
 */
import { parseArgs } from 'node:util';
import { SlipwayBuilder } from '../src/adapters/image-builder/slipway-builder.ts';
import { parseOciLayoutRef } from '../src/adapters/image-builder/oci-layout-store.ts';
import { OciRegistry } from '../src/adapters/registry/oci-registry.ts';
import { parseImageRef } from '../src/adapters/registry/image-ref.ts';
import type { BuildRequest, Platform } from '../src/ports/index.ts';

const { values } = parseArgs({
  options: {
    context: { type: 'string' },
    base: { type: 'string' },
    target: { type: 'string' },
    cache: { type: 'string' },
    'insecure-registry': { type: 'string', multiple: true, default: [] },
    platform: { type: 'string', multiple: true, default: ['linux/amd64'] },
    workdir: { type: 'string', default: '/app' },
    entrypoint: { type: 'string', default: 'node,server.js' },
  },
});
if (!values.context || !values.base || !values.target || !values.cache) {
  process.stderr.write('usage: build-cli.ts --context DIR --base REF --target REF --cache DIR\n');
  process.exit(2);
}
const layout = parseOciLayoutRef(values.target);
const target: BuildRequest['target'] = layout ? { kind: 'oci-layout', dir: layout.dir, tag: layout.reference } : { kind: 'registry', ref: parseImageRef(values.target) };
const builder = new SlipwayBuilder({ registry: new OciRegistry({ insecureRegistries: values['insecure-registry'] }), cacheDir: values.cache });
const result = await builder.build({
  contextDir: values.context,
  base: values.base,
  target,
  platforms: values.platform as Platform[],
  workdir: values.workdir,
  entrypoint: values.entrypoint.split(','),
  exposedPorts: [8080],
});
process.stdout.write(`${JSON.stringify(result)}\n`);
