import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { startKubeApiServer, type KubeApiServer } from '../../../test/support/kube-api-server.ts';
import { clusterParts, followHintFor } from '../../app/cluster-wiring.ts';
import { renderCommand } from '../../cli/commands/render-command.ts';
import { loadConfig, type ResolvedConfig } from '../../config/index.ts';
import { ConfigError } from '../../domain/errors.ts';
import type { GitOpsEngine } from '../../ports/gitops-engine.ts';
import { appPaths } from '../../render/kustomization.ts';
import { DESCRIPTION_ANNOTATION, renderApp, renderParentKustomization } from '../../render/index.ts';
import { engineChoice, renderSettingsFrom } from '../../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from '../../render/test-fixtures.ts';
import { NEW, putHealthyWorkload, startAppServer, watchRequest, watcherFor } from '../watcher/kube-watcher.test-support.ts';
import { gitOpsEngine, gitOpsEngineNames, registerGitOpsEngine } from './index.ts';

const IMAGE = `registry.k8s-lab.dev/dynamic-apps/notes:v1.0.0@sha256:${'0123456789abcdef'.repeat(4)}`;

/** Where the fake engine's controller listens (a real HTTP server on loopback), and what it was told. */
let controller: Server;
let controllerUrl: string;
const told: unknown[] = [];

/**
 * A third engine in a few lines: it lists each app by a ConfigMap `tiny.yaml`, is told to reconcile
 * with a POST, and reports its stages ok at once. Nothing outside this object knows it exists.
 */
const tinyEngine: GitOpsEngine = {
  name: 'tiny',
  title: 'Tiny',
  render: {
    name: 'tiny',
    entryFile: 'tiny.yaml',
    substitutesVariables: false,
    objects(spec, _input, settings) {
      const paths = appPaths(spec.name, settings);
      const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: spec.name, namespace: settings.namespace }, data: { path: paths.manifests } };
      return { manifests: [], files: [{ path: `${paths.dir}/tiny.yaml`, object }] };
    },
  },
  async syncer() {
    return {
      name: 'tiny:post',
      async sync(request) {
        const response = await fetch(controllerUrl, { method: 'POST', body: JSON.stringify(request) });
        return { engine: 'tiny', method: 'post', status: response.status, detail: await response.text() };
      },
    };
  },
  watchStages() {
    const ok = (stage: 'source' | 'reconcile') => ({
      stage,
      check: async () => ({ state: 'ok' as const, detail: `tiny ${stage} done` }),
      timeout: () => ({ reason: 'Timeout', message: 'never', hint: 'none' }),
    });
    return () => ({ source: ok('source'), reconcile: ok('reconcile') });
  },
  followHint: (app) => `Follow the rollout with: tiny watch ${app}`,
};

let unregister: () => void;
let dir: string;

beforeAll(async () => {
  controller = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      told.push(JSON.parse(body));
      res.writeHead(202).end('queued');
    });
  });
  await new Promise<void>((resolve) => controller.listen(0, '127.0.0.1', resolve));
  controllerUrl = `http://127.0.0.1:${(controller.address() as AddressInfo).port}/reconcile`;
  unregister = registerGitOpsEngine(tinyEngine);
});

afterAll(async () => {
  unregister();
  await new Promise<void>((resolve) => controller.close(() => resolve()));
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-engines-'));
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function configWith(text: string): ResolvedConfig {
  writeFileSync(join(dir, 'slipway.yaml'), text);
  return loadConfig({ env: { SLIPWAY_CONFIG: join(dir, 'slipway.yaml'), SLIPWAY_HOME: join(dir, 'home') }, cwd: dir, homedir: dir });
}

describe('the GitOps engine registry', () => {
  it('holds Flux first (the default) and Argo CD, and names the choices for an unknown engine', () => {
    expect(gitOpsEngineNames().slice(0, 2)).toEqual(['flux', 'argocd']);
    expect(gitOpsEngine('argocd').title).toBe('Argo CD');
    expect(() => gitOpsEngine('helm')).toThrow(ConfigError);
    expect(() => gitOpsEngine('helm')).toThrow(/no GitOps engine named 'helm'/);
    expect(() => registerGitOpsEngine({ ...tinyEngine, name: 'flux' })).toThrow(/already registered/);
  });

  it('refuses in slipway.yaml an engine nobody registered', () => {
    expect(() => configWith('engine: helm\n')).toThrow(/engine/);
  });
});

describe('a third engine, registered and nothing else changed', () => {
  it('is accepted by slipway.yaml and renders the generic manifests beside its own file', () => {
    const config = configWith('target: cluster\nengine: tiny\nrender:\n  appsDomain: apps.k8s-lab.dev\n');
    expect(config.engine).toBe('tiny');
    const settings = renderSettingsFrom(config, { engine: config.engine });
    const files = renderApp(sampleSpec({ description: 'costs $5' }), { image: SAMPLE_IMAGE }, settings);
    const dir = 'kubernetes/apps/dynamic/pomodoro-timer';
    expect(files.map((f) => f.path)).toEqual([
      `${dir}/app/deployment.yaml`,
      `${dir}/app/httproute.yaml`,
      `${dir}/app/kustomization.yaml`,
      `${dir}/app/networkpolicy.yaml`,
      `${dir}/app/service.yaml`,
      `${dir}/tiny.yaml`,
    ]);
    expect(parse(files[5]!.content)).toMatchObject({ kind: 'ConfigMap', data: { path: `${dir}/app` } });
    // The engine substitutes nothing, so the description is not escaped for Flux's envsubst.
    expect(parse(files[0]!.content).metadata.annotations[DESCRIPTION_ANNOTATION]).toBe('costs $5');
  });

  it('is listed in the parent kustomization by its own file, replacing another engine\'s entry', () => {
    const before = renderParentKustomization(undefined, { add: 'notes' }, engineChoice('flux'));
    const after = renderParentKustomization(before, { add: 'notes' }, engineChoice('tiny'));
    expect(parse(after).resources).toEqual(['./notes/tiny.yaml']);
    expect(parse(renderParentKustomization(after, { remove: 'notes' }, engineChoice())).resources).toEqual([]);
  });

  it('is asked to reconcile through its own syncer, and names its own way to follow a rollout', async () => {
    const config = configWith('target: cluster\nengine: tiny\nrender:\n  appsDomain: apps.k8s-lab.dev\n');
    const parts = await clusterParts(config, {}, pino({ level: 'silent' }));
    const result = await parts.syncer!.sync({ app: 'notes', revision: NEW, branch: 'main', repoUrl: 'https://git.k8s-lab.dev/homelab/gitops.git' });
    expect(result).toEqual({ engine: 'tiny', method: 'post', status: 202, detail: 'queued' });
    expect(told.at(-1)).toEqual({ app: 'notes', revision: NEW, branch: 'main', repoUrl: 'https://git.k8s-lab.dev/homelab/gitops.git' });
    expect(followHintFor(config)?.('notes')).toBe('Follow the rollout with: tiny watch notes');
  });

  it('hands its stages to the Kubernetes watcher, which adds the rollout and the HTTP check', async () => {
    const kube: KubeApiServer = await startKubeApiServer({ tls: false });
    const app = await startAppServer();
    try {
      putHealthyWorkload(kube);
      const reports = await watcherFor(kube, { stages: tinyEngine.watchStages({} as ResolvedConfig) }).watch(watchRequest(app.url));
      expect(reports.map((r) => [r.stage, r.status, r.detail.startsWith('tiny') ])).toEqual([
        ['source', 'ok', true], ['reconcile', 'ok', true], ['rollout', 'ok', false], ['http', 'ok', false],
      ]);
      expect(app.hits()).toBeGreaterThan(0);
    } finally {
      await kube.stop();
      await app.stop();
    }
  });

  it('is a choice of slipway render --engine, which writes its files and says its name', async () => {
    writeFileSync(join(dir, 'slipway.yaml'), 'render:\n  appsDomain: apps.k8s-lab.dev\n');
    vi.stubEnv('SLIPWAY_CONFIG', join(dir, 'slipway.yaml'));
    vi.stubEnv('SLIPWAY_HOME', join(dir, 'home'));
    vi.stubEnv('SLIPWAY_CACHE', join(dir, 'cache'));
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const out = join(dir, 'gitops');

    expect(await renderCommand({ name: 'notes', image: IMAGE, engine: 'tiny', out })).toBe(0);

    expect(stdout).toMatch(/^Rendered notes for Tiny into /);
    expect(existsSync(join(out, 'kubernetes/apps/dynamic/notes/tiny.yaml'))).toBe(true);
    expect(existsSync(join(out, 'kubernetes/apps/dynamic/notes/ks.yaml'))).toBe(false);
    expect(parse(readFileSync(join(out, 'kubernetes/apps/dynamic/kustomization.yaml'), 'utf8')).resources).toEqual(['./notes/tiny.yaml']);
  });
});
