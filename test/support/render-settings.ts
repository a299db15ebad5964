/**
 * Render settings for tests, with the engines Slipway ships (the registry in src/adapters/gitops), as
 * the composition root builds them: the renderers take the engines' render parts, never the registry.
 */
import { gitOpsEngineRenders } from '../../src/adapters/gitops/index.ts';
import type { EngineRender } from '../../src/ports/gitops-engine.ts';
import * as settings from '../../src/render/settings.ts';

/** Every built-in engine's render part (Flux first, the default). */
export const ENGINES: readonly EngineRender[] = gitOpsEngineRenders();

/** The settings schema for the built-in engines. */
export const RenderSettingsSchema = settings.renderSettingsSchema(ENGINES);

/** The default settings (Flux), a fresh copy each call. */
export function defaultRenderSettings(): settings.RenderSettings {
  return settings.defaultRenderSettings(ENGINES);
}

/** `renderSettingsFrom` with the engines registered now (a test may register one of its own). */
export function renderSettingsFrom(config: settings.RenderConfigSource, overrides: { engine?: string } = {}): settings.RenderSettings {
  return settings.renderSettingsFrom(config, { engines: gitOpsEngineRenders(), ...overrides });
}

/** The render part of the registered engine of that name. */
export function engineRender(name: string): EngineRender {
  const engine = gitOpsEngineRenders().find((e) => e.name === name);
  if (!engine) throw new Error(`no engine named ${name}`);
  return engine;
}

/** What the parent kustomization needs: the chosen engine (Flux unless named) and all registered ones. */
export function engineChoice(name = 'flux'): { engine: EngineRender; engines: readonly EngineRender[] } {
  return { engine: engineRender(name), engines: gitOpsEngineRenders() };
}
