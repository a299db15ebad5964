export { APP_PORT, listOfflineTemplates, TemplateGenerator, type TemplateGeneratorOptions } from './template-generator.ts';
export { listTemplates, loadTemplate, type TemplateManifest, type TemplateKeyword, type TemplateParameter } from './template-manifest.ts';
export { chooseTemplate, FALLBACK_TEMPLATE, type TemplateChoice } from './template-scorer.ts';
export { deriveParams, deriveTitle, detectStyle, resolveParams } from './template-params.ts';
