/**
 * Every model provider Slipway can use. A new provider is one folder (`<name>/index.ts` exporting
 * its descriptor) and one line here; the config schema, the generator choice and `slipway doctor`
 * follow from this list. The order is the order of detection from the environment.
 */
import { anthropic } from './anthropic/index.ts';
import { google } from './google/index.ts';
import { ollama } from './ollama/index.ts';
import { openaiCompatible } from './openai-compatible/index.ts';
import { openai } from './openai/index.ts';
import type { ProviderDescriptor } from './types.ts';

export const PROVIDERS = [openaiCompatible, anthropic, openai, google, ollama] as const satisfies readonly ProviderDescriptor[];

export const PROVIDER_NAMES = ['openai', 'anthropic', 'openai-compatible', 'google', 'ollama'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The descriptor of a registered provider. */
export function providerFor(name: ProviderName): ProviderDescriptor {
  return PROVIDERS.find((p) => p.name === name)!;
}
