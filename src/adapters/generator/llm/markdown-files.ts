/**
 * Some models, asked to call a tool, answer in chat instead: a markdown reply with one fenced block
 * per file. When each block names its file, the files can be recovered; a block that names no file
 * is never guessed into one.
 */

export interface MarkdownFile {
  path: string;
  content: string;
}

const FENCE_OPEN = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\n`]*)$/;
const KNOWN_BARE_NAMES = new Set(['Dockerfile', 'Containerfile', 'Makefile', 'Procfile', 'LICENSE']);
const PATH_TOKEN = /^(?:\.\/)?[\w@.-]+(?:\/[\w@.-]+)*$/;

function looksLikePath(token: string): boolean {
  if (!PATH_TOKEN.test(token) || /^\.+$/.test(token)) return false;
  const base = token.split('/').at(-1)!;
  return token.includes('/') || /\.[A-Za-z0-9]{1,10}$/.test(base) || KNOWN_BARE_NAMES.has(base) || base.startsWith('.');
}

/** The path an info string names: `js server.js`, `json:package.json`, `html title="public/index.html"`. */
function pathFromInfo(info: string): string | undefined {
  const attribute = /\b(?:title|file(?:name)?|path)\s*=\s*"?([^"\s]+)"?/i.exec(info)?.[1];
  if (attribute && looksLikePath(attribute)) return attribute;
  // The language comes first (`js`, `json`); it never looks like a path, the file name does.
  return info.split(/[\s:]+/).find(looksLikePath);
}

/** The path a heading line just above a fence names: `### server.js`, `**File: public/app.js**`, `` `package.json`: ``. */
function pathFromHeading(line: string): string | undefined {
  const text = line
    .trim()
    .replace(/^#{1,6}\s+/, '')
    .replace(/^(?:[-*+]|\d+[.)])\s+/, '')
    .replace(/\*\*|__/g, '')
    .replace(/^(?:file(?:name)?|path)\s*[:-]\s*/i, '')
    .replace(/`/g, '')
    .replace(/\s*[:.]$/, '')
    .replace(/\s+\([^)]*\)$/, '')
    .trim();
  return looksLikePath(text) ? text : undefined;
}

/**
 * Every closed fenced block in `text` that names its file, in order. Unclosed blocks (a cut-off
 * answer) are left out.
 * @example filesFromMarkdown('**server.js**\n```js\nconsole.log(1)\n```').map((f) => f.path) // ['server.js']
 */
export function filesFromMarkdown(text: string): MarkdownFile[] {
  const lines = text.split(/\r?\n/);
  const files: MarkdownFile[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const close = new RegExp(`^[ \\t]{0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    if (end >= lines.length) break;
    let path = pathFromInfo(open[2]!.trim());
    for (let back = i - 1; !path && back >= 0 && back >= i - 2; back--) {
      if (lines[back]!.trim() === '') continue;
      path = pathFromHeading(lines[back]!);
      break;
    }
    if (path) files.push({ path, content: `${lines.slice(i + 1, end).join('\n')}\n` });
    i = end;
  }
  return files;
}
