import { describe, expect, it } from 'vitest';
import { filesFromMarkdown } from './markdown-files.ts';

describe('filesFromMarkdown', () => {
  it('reads the file name from the info string or the line above', () => {
    const text = [
      'Here is your app.',
      '',
      '```json package.json',
      '{ "name": "a" }',
      '```',
      '',
      '### server.js',
      '',
      '```javascript',
      "import http from 'node:http';",
      '```',
      '**File: public/index.html**',
      '```html',
      '<p>hi</p>',
      '```',
      '`public/app.js`:',
      '~~~js',
      'console.log("```");',
      '~~~',
      '```css title="public/styles.css"',
      'body { margin: 0 }',
      '```',
      '1. `Dockerfile`',
      '```dockerfile',
      'FROM node:24-slim',
      '```',
    ].join('\n');
    expect(filesFromMarkdown(text)).toEqual([
      { path: 'package.json', content: '{ "name": "a" }\n' },
      { path: 'server.js', content: "import http from 'node:http';\n" },
      { path: 'public/index.html', content: '<p>hi</p>\n' },
      { path: 'public/app.js', content: 'console.log("```");\n' },
      { path: 'public/styles.css', content: 'body { margin: 0 }\n' },
      { path: 'Dockerfile', content: 'FROM node:24-slim\n' },
    ]);
  });

  it('never guesses a name for an unnamed block, and drops an unclosed block', () => {
    expect(filesFromMarkdown('Run this:\n\n```bash\nnpm start\n```\n\n### server.js\n```js\nconst a = 1;\n')).toEqual([]);
  });

  it('keeps hostile names for the guardrails to refuse', () => {
    expect(filesFromMarkdown('```sh ../escape.sh\nrm -rf /\n```').map((f) => f.path)).toEqual(['../escape.sh']);
  });
});
