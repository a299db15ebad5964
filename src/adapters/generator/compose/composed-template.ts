import type { TemplateManifest } from '../template-manifest.ts';

/** The id a composed app is planned and generated as; it has no folder under templates/. */
export const COMPOSED_ID = 'composed';

/**
 * The composed app as a template manifest: the same parameters as the bundled templates (title,
 * heading, description, theme, colours), so deriving, checking and changing them works alike.
 */
export const COMPOSED_MANIFEST: TemplateManifest = {
  id: COMPOSED_ID,
  version: '1.0.2',
  title: 'Composed app',
  runtime: 'node',
  description: 'A list of the things the request keeps, with their fields, search and sort, and the views it asks for.',
  persistent: true,
  keywords: [],
  parameters: {
    title: { kind: 'text', default: 'My list', description: 'Page title' },
    heading: { kind: 'text', default: 'My list', description: 'Main heading' },
    description: { kind: 'text', default: 'Keep track of things.', description: 'Line under the heading' },
    appName: { kind: 'text', default: 'app', description: 'Package name (the app\'s name)' },
    theme: { kind: 'choice', default: 'light', choices: ['light', 'dark'], description: 'Light or dark colour scheme' },
    accentColor: { kind: 'color', default: '#2563eb', description: 'Buttons, links and the chart' },
    backgroundColor: { kind: 'color', default: '#f4f7fe', description: 'Page background' },
    surfaceColor: { kind: 'color', default: '#ffffff', description: 'Panel' },
    textColor: { kind: 'color', default: '#111827', description: 'Text' },
    mutedColor: { kind: 'color', default: '#6b7280', description: 'Secondary text' },
  },
};

/** Scores at or above which a bundled template is a better fit than a composed app; 3 unless a template's keywords are also things a list keeps. */
const STRONG_SCORE: Readonly<Record<string, number>> = { 'notes-api': 4, 'guestbook-postgres': 7 };
export const strongScore = (template: string): number => STRONG_SCORE[template] ?? 3;
