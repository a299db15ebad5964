import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listTemplates, loadTemplate } from './template-manifest.ts';
import { includeParts, readTemplateParts, readTemplateSources } from './template-parts.ts';
import { fillPlaceholders } from './template-render.ts';
import { TemplateGenerator } from './template-generator.ts';

const templatesDir = fileURLToPath(new URL('../../../templates/', import.meta.url));
const HOSTILE = `</title><script>alert("x")</script>'\`\${process.exit(1)}`;

const parts = new Map([
  ['kit.js', "const TITLE = '{{title}}';\nfunction hello() {\n  return TITLE;\n}\n"],
  ['vars.css', 'color-scheme: {{theme}};\n--accent: {{accent}};\n'],
  ['outer.js', '// outer\n{{> kit.js}}\n'],
  ['loop.js', '{{> loop.js}}\n'],
  ['a.js', '{{> b.js}}\n'],
  ['b.js', '{{> c.js}}\n'],
  ['c.js', '{{> d.js}}\n'],
  ['d.js', '// deep\n'],
]);

describe('includeParts', () => {
  it('inlines a part where its line stands, indented like the line, and leaves the rest alone', () => {
    const file = "import x from 'y';\n{{> kit.js}}\nhello();\n";
    expect(includeParts('t/files/server.js', file, parts)).toBe("import x from 'y';\nconst TITLE = '{{title}}';\nfunction hello() {\n  return TITLE;\n}\nhello();\n");
    expect(includeParts('t/files/a.css', ':root {\n  {{> vars.css}}\n}\n', parts)).toBe(':root {\n  color-scheme: {{theme}};\n  --accent: {{accent}};\n}\n');
    expect(includeParts('t/files/x.js', '{{ title }} {{title}}\n', parts)).toBe('{{ title }} {{title}}\n');
  });

  it('lets a part include a part', () => {
    expect(includeParts('t/files/server.js', '{{> outer.js}}\n', parts)).toBe(`// outer\n${parts.get('kit.js')}`);
  });

  it("fills a part's placeholders like the including file's, escaped for the including file's type", () => {
    const css = fillPlaceholders('t/files/a.css', includeParts('t/files/a.css', ':root {\n  {{> vars.css}}\n}\n', parts), { theme: 'dark', accent: 'red;}body{x:url(//e)' });
    expect(css).toContain('color-scheme: dark;');
    expect(css).not.toContain(';}body');
    const js = fillPlaceholders('t/files/app.js', includeParts('t/files/app.js', '{{> kit.js}}\n', parts), { title: HOSTILE });
    expect(js).not.toMatch(/<script>|'\$\{|`/);
    // The same part in an HTML file is escaped as HTML.
    const html = fillPlaceholders('t/files/index.html', includeParts('t/files/index.html', '{{> kit.js}}\n', parts), { title: HOSTILE });
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;');
  });

  it('refuses an unknown part, naming the file and the part', () => {
    expect(() => includeParts('shop/files/server.js', '{{> nope.js}}\n', parts)).toThrow("shop/files/server.js includes part 'nope.js', which is not in templates/_parts/ (there: kit.js, vars.css, outer.js, loop.js, a.js, b.js, c.js, d.js)");
  });

  it('refuses a part path that leaves _parts/ or names a folder', () => {
    expect(() => includeParts('shop/files/server.js', '{{> ../timer/files/server.js}}\n', parts)).toThrow("shop/files/server.js includes '../timer/files/server.js': a part is named by its file name in templates/_parts/, without folders");
    expect(() => includeParts('shop/files/server.js', '{{> sub/kit.js}}\n', parts)).toThrow(/includes 'sub\/kit.js': a part is named by its file name/);
  });

  it('refuses parts nested deeper than three, and a part that includes itself', () => {
    expect(includeParts('shop/files/x.js', '{{> b.js}}\n', parts)).toBe('// deep\n');
    expect(() => includeParts('shop/files/x.js', '{{> a.js}}\n', parts)).toThrow('shop/files/x.js includes parts 4 deep (a.js → b.js → c.js → d.js); parts may include parts at most 3 deep');
    expect(() => includeParts('shop/files/x.js', '{{> loop.js}}\n', parts)).toThrow(/includes parts 4 deep \(loop.js → loop.js → loop.js → loop.js\)/);
  });

  it('refuses an include that does not stand on its own line, so none is left in an app', () => {
    expect(() => includeParts('shop/files/x.js', 'const a = 1; {{> kit.js}}\n', parts)).toThrow("shop/files/x.js has 'const a = 1; {{> kit.js}}': an include stands alone on its line, as {{> name}}");
  });
});

describe('templates/_parts', () => {
  it('is read as the parts, and a templates folder without it has none', async () => {
    const read = await readTemplateParts(templatesDir);
    expect([...read.keys()]).toEqual(expect.arrayContaining(['api-server.js', 'base.css', 'http-kit.js', 'json-store.js', 'page-kit.js', 'theme-vars.css']));
    // Its README describes the parts; it is not one.
    expect(read.has('README.md')).toBe(false);
    expect((await readTemplateParts(await mkdtemp(join(tmpdir(), 'slipway-parts-')))).size).toBe(0);
  });

  it('is not a template: not listed, and refused by name like any unknown template', async () => {
    expect((await listTemplates(templatesDir)).map((t) => t.id)).not.toContain('_parts');
    await expect(loadTemplate(templatesDir, '_parts')).rejects.toThrow("'_parts' is not a template id");
    await expect(new TemplateGenerator({ templatesDir }).plan({ description: 'a page', template: '_parts' })).rejects.toThrow(/^unknown template '_parts'; known templates: form, /);
  });

  it('is used by every template that shares code, and no generated file keeps an include line', async () => {
    const generator = new TemplateGenerator({ templatesDir });
    const ids = (await readdir(templatesDir)).filter((id) => !id.startsWith('_')).sort();
    for (const id of ids) {
      const plan = await generator.plan({ description: 'an app', template: id });
      const { files } = await generator.generate(plan, { name: 'an-app', description: 'an app' });
      for (const file of files) expect(file.content, `${id}/${file.path}`).not.toContain('{{>');
      const sources = await readTemplateSources(templatesDir, id);
      expect(sources.map((s) => s.path)).toEqual(files.map((f) => f.path));
    }
  });

  it('makes a template that includes a missing part fail with the file and the part named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-parts-'));
    await mkdir(join(dir, 'shop', 'files'), { recursive: true });
    await writeFile(join(dir, 'shop', 'files', 'server.js'), '{{> json-store.js}}\n');
    await expect(readTemplateSources(dir, 'shop')).rejects.toThrow("shop/files/server.js includes part 'json-store.js', which is not in templates/_parts/ (there: none)");
  });
});
