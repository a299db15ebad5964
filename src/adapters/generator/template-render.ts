/**
 * Fills `{{name}}` placeholders in template files. Every value is escaped for the language of the
 * file it lands in, so a description holding `<script>`, quotes or backslashes stays text wherever it goes.
 */

import { escapeHtml as escapeHtmlText, escapeMarkdown as escapeMarkdownText } from '../../domain/text-escape.ts';

const PLACEHOLDER = /\{\{([a-zA-Z][a-zA-Z0-9]*)\}\}/g;

export type Escaper = (value: string) => string;

/** For HTML text and double- or single-quoted attribute values. */
export const escapeHtml: Escaper = escapeHtmlText;

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** For the inside of a JSON string: quotes and backslashes escaped, and `<>&` too so JSON inlined in HTML stays inert. */
export const escapeJsonString: Escaper = (value) => JSON.stringify(value).slice(1, -1).replace(/[<>&\u2028\u2029]/g, unicodeEscape);

/** For the inside of a JavaScript string literal of any quote style, template literals included. */
export const escapeJsString: Escaper = (value) => escapeJsonString(value).replace(/['`$]/g, unicodeEscape);

/**
 * For CSS values: anything but letters, digits, `#`, `%`, `.`, `-` and spaces becomes a CSS escape,
 * so a value can neither end its declaration nor open a function such as `url(`.
 */
export const escapeCss: Escaper = (value) =>
  // The space after the hex digits ends the escape and is swallowed by the CSS parser.
  value.replace(/[^A-Za-z0-9#%. -]/gu, (c) => `\\${c.codePointAt(0)!.toString(16)} `);

/** For Markdown prose: HTML escaped, and the characters that make links, emphasis or code (as SLIPWAY.md escapes them). */
export const escapeMarkdown: Escaper = escapeMarkdownText;

/** Which escaper a file's placeholders get, by file extension. */
const ESCAPERS: Readonly<Record<string, Escaper>> = {
  html: escapeHtml, htm: escapeHtml, svg: escapeHtml, xml: escapeHtml,
  css: escapeCss,
  js: escapeJsString, mjs: escapeJsString, cjs: escapeJsString,
  json: escapeJsonString, webmanifest: escapeJsonString,
  md: escapeMarkdown,
};

/**
 * The escaper for a file, or undefined when placeholders are not allowed in it.
 * @example escaperFor('public/index.html') === escapeHtml // true
 */
export function escaperFor(path: string): Escaper | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? ESCAPERS[name.slice(dot + 1).toLowerCase()] : undefined;
}

/** The placeholder names a text uses, in order of first use. */
export function placeholdersIn(content: string): string[] {
  return [...new Set([...content.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/**
 * Replaces every `{{name}}` in one pass (a value that itself looks like `{{x}}` is not expanded).
 * Throws when the file uses a name that has no value or sits in a file type that cannot be escaped:
 * both are defects of the template, not of the request.
 * @example fillPlaceholders('index.html', '<h1>{{title}}</h1>', { title: 'A & B' }) // '<h1>A &amp; B</h1>'
 */
export function fillPlaceholders(path: string, content: string, values: Readonly<Record<string, string>>): string {
  const escape = escaperFor(path);
  return content.replace(PLACEHOLDER, (_match, name: string) => {
    if (!escape) throw new Error(`${path} uses {{${name}}}, but placeholders are only allowed in ${Object.keys(ESCAPERS).map((e) => `.${e}`).join(' ')} files`);
    if (!Object.hasOwn(values, name)) throw new Error(`${path} uses {{${name}}}, which the template does not declare`);
    return escape(values[name]!);
  });
}
