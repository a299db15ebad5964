/**
 * The GitOps engines Slipway can drive, by the name slipway.yaml's `engine` and `render --engine`
 * use. Each is one folder beside this file implementing `GitOpsEngine` (src/ports/gitops-engine.ts);
 * a new engine is a new folder and one line in BUILT_IN. Config checks its `engine` against these
 * names, and everything engine-specific is reached through the engine picked here, once.
 */
import { ConfigError } from '../../domain/errors.ts';
import type { EngineRender, GitOpsEngine } from '../../ports/gitops-engine.ts';
import { argoCdEngine } from './argocd/engine.ts';
import { fluxEngine } from './flux/engine.ts';

const BUILT_IN: readonly GitOpsEngine[] = [fluxEngine, argoCdEngine];

const engines = new Map<string, GitOpsEngine>(BUILT_IN.map((engine) => [engine.name, engine]));

/** The engine names, in registry order (the first is the default): `['flux', 'argocd']`. */
export function gitOpsEngineNames(): [string, ...string[]] {
  return [...engines.keys()] as [string, ...string[]];
}

/**
 * The engine of that name.
 * @example gitOpsEngine('argocd').title // 'Argo CD'
 * @throws ConfigError for a name no engine has.
 */
export function gitOpsEngine(name: string): GitOpsEngine {
  const engine = engines.get(name);
  if (!engine) throw new ConfigError(`no GitOps engine named '${name}'`, { hint: `Set engine to one of ${gitOpsEngineNames().join(', ')}.` });
  return engine;
}

/**
 * Every engine's render part, in registry order (the first is the default): what the composition
 * root hands to the renderers (src/render), which never reach into this registry themselves.
 * @example renderSettingsFrom(config, { engines: gitOpsEngineRenders() })
 */
export function gitOpsEngineRenders(): EngineRender[] {
  return [...engines.values()].map((engine) => engine.render);
}

/**
 * Adds an engine beside the built-in ones (an extension, or a test's fake); returns how to remove it.
 * @throws ConfigError when the name is taken.
 */
export function registerGitOpsEngine(engine: GitOpsEngine): () => void {
  if (engines.has(engine.name)) throw new ConfigError(`a GitOps engine named '${engine.name}' is already registered`);
  engines.set(engine.name, engine);
  return () => void engines.delete(engine.name);
}

export { argoCdEngine, fluxEngine };
