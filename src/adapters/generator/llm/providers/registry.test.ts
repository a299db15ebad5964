import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../../../../../test/support/cli.ts';
import { PROVIDER_NAMES, PROVIDERS, providerFor } from './registry.ts';

/** A module hook that reports every import of the AI SDK or a provider package on stderr. */
function sdkImportProbe(dir: string): string {
  const file = join(dir, 'sdk-probe.mjs');
  writeFileSync(file, [
    "import { registerHooks } from 'node:module';",
    'registerHooks({ resolve(specifier, context, next) {',
    '  if (/^(ai|@ai-sdk\\/.+|ollama-ai-provider-v2)$/.test(specifier)) process.stderr.write(`sdk-import ${specifier}\\n`);',
    '  return next(specifier, context);',
    '} });',
  ].join('\n'));
  return file;
}

describe('the provider registry', () => {
  it('lists each provider once, under the names the config accepts', () => {
    expect(PROVIDERS.map((p) => p.name).sort()).toEqual([...PROVIDER_NAMES].sort());
    for (const name of PROVIDER_NAMES) expect(providerFor(name).name).toBe(name);
  });

  it('gives every hosted provider a base URL, default models and a key variable', () => {
    for (const p of PROVIDERS.filter((d) => d.keyRequired)) {
      expect(p.baseUrl, p.name).toMatch(/^https:\/\//);
      expect(p.models, p.name).toBeDefined();
      expect(p.apiKeyEnv[0], p.name).toMatch(/^[A-Z_]+$/);
    }
  });

  it('loads no SDK package for `slipway list`, and the provider package only when a model is made', async () => {
    const opts = tempHome('slipway-sdk-probe-');
    const probe = sdkImportProbe(opts.cwd);
    const listed = await runCli(['list'], { ...opts, env: { NODE_OPTIONS: `--import=${probe}`, OPENAI_API_KEY: 'sk-test-not-used-0123456789' } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).not.toContain('sdk-import');
    // The same probe sees the package load once a model is created: it would catch an eager import.
    const script = `const { ollama } = await import(${JSON.stringify(join(import.meta.dirname, 'ollama', 'index.ts'))}); await ollama.create({ modelId: 'm', baseUrl: 'http://127.0.0.1:1' });`;
    const made = spawnSync(process.execPath, ['--import', probe, '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    expect(made.stderr).toContain('sdk-import ollama-ai-provider-v2');
  });
});
