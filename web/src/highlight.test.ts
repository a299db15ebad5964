import { describe, expect, it } from 'vitest';
import { highlight } from './highlight.ts';

describe('highlight', () => {
  it("marks up the templates' languages by file extension", () => {
    expect(highlight('server.js', 'const port = 3000;')).toContain('<span class="hljs-keyword">const</span>');
    expect(highlight('app/deployment.yaml', 'kind: Deployment')).toContain('<span class="hljs-attr">kind:</span>');
    expect(highlight('public/styles.css', 'body { color: red; }')).toContain('hljs-selector-tag');
    expect(highlight('package.json', '{"a": 1}')).toContain('<span class="hljs-number">1</span>');
    expect(highlight('README.md', '# Title')).toContain('hljs-section');
  });

  it('escapes what the file holds, so a file cannot add markup to the page', () => {
    const html = highlight('public/index.html', '<script>alert(1)</script><img src=x onerror=alert(2)>')!;
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;');
  });

  it('leaves files in other languages to be shown as plain text', () => {
    expect(highlight('.gitignore', 'node_modules/')).toBeUndefined();
    expect(highlight('Dockerfile', 'FROM node')).toBeUndefined();
  });
});
