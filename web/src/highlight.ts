/** Syntax highlighting for the languages Slipway's templates use; highlight.js escapes the text it returns. */
import hljs from 'highlight.js/lib/core';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('xml', xml);
hljs.registerLanguage('css', css);
hljs.registerLanguage('yaml', yaml);
hljs.registerLanguage('markdown', markdown);

const BY_EXTENSION: Record<string, string> = {
  js: 'javascript', mjs: 'javascript', cjs: 'javascript', ts: 'typescript', json: 'json',
  html: 'xml', htm: 'xml', svg: 'xml', xml: 'xml', css: 'css', yaml: 'yaml', yml: 'yaml', md: 'markdown',
};

/** The file's text as highlighted HTML (escaped), or undefined for a language it does not know. */
export function highlight(path: string, text: string): string | undefined {
  const language = BY_EXTENSION[path.split('.').pop()?.toLowerCase() ?? ''];
  return language ? hljs.highlight(text, { language, ignoreIllegals: true }).value : undefined;
}
