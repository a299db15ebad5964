import type { Composition, GeneratedFile } from '../../../domain/index.ts';
import { compareCodeUnits } from '../../../domain/compare.ts';
import { escapeHtml as escapeHtmlText } from '../../../domain/text-escape.ts';
import { colourSet } from '../palette.ts';
import { fillPlaceholders } from '../template-render.ts';
import { appScript } from './app-script.ts';
import { serverSource } from './server-source.ts';
import type { TemplateParts } from '../template-parts.ts';
import { formMarkup, pageMarkup, readmeText, stylesText } from './page-parts.ts';

/** The values a composed app is filled with: title and package name, theme, and optionally the rest of the template parameters (heading, description, colours). */
export interface ComposeOptions {
  title: string;
  appName: string;
  theme: 'light' | 'dark';
  [param: string]: string;
}

/**
 * A composed app's files: a node:http server that keeps the items under $DATA_DIR and checks each
 * field's type, and a page with the list (search, sort, add, edit, delete) and the views asked for.
 * The code it shares with the templates comes from their parts (`templates/_parts/`, read by the caller).
 * The same composition, options and parts always give the same bytes.
 * @example composeApp(readRequest('a weight log')!, { title: 'Weight Log', appName: 'weight-log', theme: 'light' }, await readTemplateParts(templatesDir))
 */
export function composeApp(composition: Composition, options: ComposeOptions, parts: TemplateParts): GeneratedFile[] {
  const values: Record<string, string> = {
    heading: options.title,
    description: `Keep your ${composition.entity.plural}.`,
    ...colourSet(options.theme, 'blue'),
    ...options,
  };
  const sources: Record<string, string> = {
    'package.json': '{\n  "name": "{{appName}}",\n  "version": "1.0.0",\n  "description": "{{description}}",\n  "private": true,\n  "type": "module",\n  "engines": { "node": ">=20" },\n  "scripts": { "start": "node server.js" }\n}\n',
    'README.md': readmeText(composition),
    'server.js': serverSource(composition, parts),
    'public/index.html': pageMarkup(composition, formMarkup(composition, escapeHtmlText), parts),
    'public/styles.css': stylesText(parts),
    'public/app.js': appScript(composition),
  };
  return Object.entries(sources)
    .map(([path, content]) => ({ path, content: fillPlaceholders(`composed/${path}`, content, values) }))
    .sort((a, b) => compareCodeUnits(a.path, b.path));
}
