/**
 * Escapers for text people wrote (a request, a title) placed in HTML or Markdown, so that
 * `<script>`, quotes or Markdown syntax in it stay text. Pure; used by the templates and SLIPWAY.md.
 */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and double- or single-quoted attribute values. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);

/** For Markdown prose: HTML escaped, and the characters that make links, emphasis or code. */
export const escapeMarkdown = (value: string): string => escapeHtml(value).replace(/[\\`*_[\]()!|~]/g, '\\$&');
