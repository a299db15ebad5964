import { describe, expect, it } from 'vitest';
import { escapeCss, escapeHtml, escapeJsString, escapeJsonString, escapeMarkdown, escaperFor, fillPlaceholders, placeholdersIn } from './template-render.ts';

const HOSTILE = `</title><script>alert("x")</script>'\`\${process.exit(1)}\\\u2028;}body{background:url(//e)}`;

describe('fillPlaceholders', () => {
  it('escapes for the file it fills', () => {
    expect(fillPlaceholders('a/index.html', '<h1>{{t}}</h1>', { t: 'A & <B>' })).toBe('<h1>A &amp; &lt;B&gt;</h1>');
    expect(fillPlaceholders('package.json', '{"d": "{{t}}"}', { t: 'say "hi"' })).toBe('{"d": "say \\"hi\\""}');
    expect(fillPlaceholders('README.md', '# {{t}}', { t: '[x](javascript:y)' })).toBe('# \\[x\\]\\(javascript:y\\)');
  });

  it('does not expand placeholders inside values', () => {
    expect(fillPlaceholders('x.html', '{{a}}{{b}}', { a: '{{b}}', b: '1' })).toBe('{{b}}1');
  });

  it('refuses undeclared names and placeholders in files it cannot escape', () => {
    expect(() => fillPlaceholders('x.html', '{{nope}}', {})).toThrow(/does not declare/);
    expect(() => fillPlaceholders('Dockerfile', '{{a}}', { a: '1' })).toThrow(/only allowed in/);
    expect(fillPlaceholders('.gitignore', 'data/\n', {})).toBe('data/\n');
  });

  it('lists the placeholders a text uses', () => {
    expect(placeholdersIn('{{a}} {{b}} {{a}} {{ c }}')).toEqual(['a', 'b']);
  });

  it('picks escapers by extension', () => {
    expect(escaperFor('public/app.js')).toBe(escapeJsString);
    expect(escaperFor('public/styles.css')).toBe(escapeCss);
    expect(escaperFor('server')).toBeUndefined();
  });
});

describe('escapers keep hostile text inert', () => {
  it('HTML', () => {
    const out = escapeHtml(HOSTILE);
    expect(out).not.toMatch(/[<>"']/);
  });

  it('JavaScript strings of every quote style', () => {
    const out = escapeJsString(HOSTILE);
    for (const quote of ["'", '"', '`']) {
      expect(new Function(`return ${quote}${out}${quote};`)()).toBe(HOSTILE);
    }
    expect(out).not.toMatch(/<\/script/i);
  });

  it('JSON strings', () => {
    const out = escapeJsonString(HOSTILE);
    expect(JSON.parse(`"${out}"`)).toBe(HOSTILE);
    expect(out).not.toMatch(/[<>]/);
  });

  it('CSS values cannot end a declaration or open a function', () => {
    const out = escapeCss(HOSTILE);
    expect(out).not.toMatch(/[;{}()<>"':/]/);
    expect(escapeCss('#1a2b3c')).toBe('#1a2b3c');
  });

  it('Markdown', () => {
    expect(escapeMarkdown('<b>*hi*</b>')).toBe('&lt;b&gt;\\*hi\\*&lt;/b&gt;');
  });
});
