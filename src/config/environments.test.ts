import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { gitOpsEngineRenders } from '../adapters/gitops/index.ts';
import { ConfigError, InputError } from '../domain/errors.ts';
import { renderApp, renderSettingsForEnv } from '../render/index.ts';
import { SAMPLE_IMAGE, sampleSpec } from '../render/test-fixtures.ts';
import { envPublicUrl, environmentsFrom } from './environments.ts';
import { ConfigSchema } from './schema.ts';

const parse = (file: Record<string, unknown>) => ConfigSchema.parse(file);

describe('environments', () => {
  it('are one, prod, with the existing settings when slipway.yaml names none', () => {
    const envs = environmentsFrom(parse({ git: { gitops: { path: 'clusters/pi/apps' } }, render: { namespace: 'apps', appsDomain: 'apps.lan' } }));
    expect(envs.names).toEqual(['prod']);
    expect(envs.get()).toEqual({ name: 'prod', gitopsPath: 'clusters/pi/apps', namespace: 'apps', domain: 'apps.lan', tagSuffix: 'prod', objectSuffix: '' });
  });

  it('fill what an environment leaves out: the default one as before, the others with their own folder, namespace and host', () => {
    const envs = environmentsFrom(parse({ environments: { dev: {}, prod: { tagSuffix: 'live' } }, render: { appsDomain: 'apps.lan' } }));
    expect(envs.names).toEqual(['dev', 'prod']);
    expect(envs.get('prod')).toEqual({ name: 'prod', gitopsPath: 'kubernetes/apps/dynamic', namespace: 'dynamic-apps', domain: 'apps.lan', tagSuffix: 'live', objectSuffix: '' });
    expect(envs.get('dev')).toEqual({ name: 'dev', gitopsPath: 'kubernetes/apps/dynamic-dev', namespace: 'dynamic-apps-dev', domain: 'dev.apps.lan', tagSuffix: 'dev', objectSuffix: '-dev' });
  });

  it('name the environments when an unknown one is asked for', () => {
    const envs = environmentsFrom(parse({ environments: { dev: {}, prod: {} } }));
    const error = (() => {
      try {
        envs.get('staging');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('there is no environment "staging"; the environments are: dev, prod');
  });

  it('refuse a defaultEnv that is not among them, and a bad name', () => {
    const issues = (file: Record<string, unknown>) => ConfigSchema.safeParse(file).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ environments: { dev: {} } })).toEqual(['defaultEnv: "prod" is not an environment; the environments are: dev']);
    expect(issues({ defaultEnv: 'dev' })).toEqual(['defaultEnv: "dev" is not an environment; the environments are: prod']);
    expect(issues({ environments: { Dev: {} }, defaultEnv: 'Dev' })?.join()).toMatch(/an environment name/);
    expect(parse({ environments: { dev: {}, live: {} }, defaultEnv: 'live' }).defaultEnv).toBe('live');
  });

  it('refuse two environments in one folder, one inside another, or in one namespace', () => {
    expect(() => environmentsFrom(parse({ environments: { dev: { gitopsPath: 'apps' }, prod: { gitopsPath: 'apps' } } }))).toThrow(ConfigError);
    expect(() => environmentsFrom(parse({ environments: { dev: { gitopsPath: 'apps/dev' }, prod: { gitopsPath: 'apps' } } }))).toThrow(/share the GitOps folder apps/);
    expect(() => environmentsFrom(parse({ environments: { dev: { namespace: 'apps' }, prod: { namespace: 'apps' } } }))).toThrow(/share the namespace apps/);
  });

  it('give each its public URL', () => {
    const envs = environmentsFrom(parse({ environments: { dev: {}, prod: {}, lab: { domain: 'lab.example.org' } } }));
    expect(envPublicUrl(envs.get('prod'), 'https://{app}.apps.lan/')).toBe('https://{app}.apps.lan/');
    expect(envPublicUrl(envs.get('dev'), 'https://{app}.apps.lan/')).toBe('https://{app}.dev.apps.lan/');
    expect(envPublicUrl(envs.get('lab'), 'http://{app}.apps.lan/')).toBe('http://{app}.lab.example.org/');
    expect(envPublicUrl(envs.get('dev'), undefined)).toBeUndefined();
  });

  it('render an app of another environment into its folder, namespace, host and Flux Kustomization', () => {
    const config = parse({ environments: { dev: {}, prod: {} }, render: { appsDomain: 'apps.lan' } });
    const envs = environmentsFrom(config);
    const files = (env: string) => renderApp(sampleSpec(), { image: SAMPLE_IMAGE }, renderSettingsForEnv(config, envs.get(env), { engines: gitOpsEngineRenders() }));
    const dev = files('dev');
    const file = (list: typeof dev, end: string) => list.find((f) => f.path.endsWith(end))!.content;
    expect(dev.map((f) => f.path).every((path) => path.startsWith('kubernetes/apps/dynamic-dev/pomodoro-timer/'))).toBe(true);
    expect(file(dev, 'ks.yaml')).toMatch(/name: pomodoro-timer-dev\n/);
    expect(file(dev, 'ks.yaml')).toMatch(/targetNamespace: dynamic-apps-dev\n/);
    expect(file(dev, 'httproute.yaml')).toMatch(/- pomodoro-timer\.dev\.apps\.lan\n/);
    // The default environment renders exactly what it did before environments existed.
    const before = renderApp(sampleSpec(), { image: SAMPLE_IMAGE }, renderSettingsForEnv(parse({ render: { appsDomain: 'apps.lan' } }), environmentsFrom(parse({ render: { appsDomain: 'apps.lan' } })).get(), { engines: gitOpsEngineRenders() }));
    expect(files('prod')).toEqual(before);
    expect(file(before, 'ks.yaml')).toMatch(/name: pomodoro-timer\n/);
  });

  it('read the README example as written', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('environments:\n  dev: {}'));
    expect(example).toBeDefined();
    const envs = environmentsFrom(parse({ ...parseYaml(example!), render: { appsDomain: 'apps.lan' } }));
    expect(envs.names).toEqual(['dev', 'lab', 'prod']);
    expect(envs.get('dev')).toMatchObject({ gitopsPath: 'kubernetes/apps/dynamic-dev', namespace: 'dynamic-apps-dev', domain: 'dev.apps.lan', tagSuffix: 'dev' });
    expect(envs.get('lab')).toEqual({ name: 'lab', gitopsPath: 'clusters/lab/apps', namespace: 'apps-lab', domain: 'lab.example.org', tagSuffix: 'lab', objectSuffix: '-lab' });
    expect(envs.get()).toMatchObject({ name: 'prod', gitopsPath: 'kubernetes/apps/dynamic', objectSuffix: '' });
  });
});
