import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../domain/index.ts';
import { fillPrompt, loadPrompt, PROMPT_NAMES, splitFrontMatter } from './prompts.ts';

const shipped = join(import.meta.dirname, '..', '..', '..', '..', 'prompts');

describe('prompts', () => {
  it('ships every prompt with a version that matches its file name', () => {
    for (const name of PROMPT_NAMES) {
      const prompt = loadPrompt(shipped, name);
      expect(prompt.id).toBe(`${name}.v${prompt.version}`);
      expect(prompt.body).not.toMatch(/^---/);
      expect(prompt.body.length).toBeGreaterThan(200);
    }
    expect(() => fillPrompt(loadPrompt(shipped, 'coder').body, { maxFiles: '40', maxKiB: '512' })).not.toThrow();
  });

  it('takes the highest version unless one is pinned, and checks the front matter', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-prompts-'));
    await writeFile(join(dir, 'coder.v1.md'), '---\nversion: 1\n---\none');
    await writeFile(join(dir, 'coder.v2.md'), '---\nversion: "2"\nnote: x\n---\ntwo');
    await writeFile(join(dir, 'repair.v1.md'), '---\nversion: 3\n---\nwrong');
    expect(loadPrompt(dir, 'coder')).toEqual({ name: 'coder', version: 2, id: 'coder.v2', body: 'two' });
    expect(loadPrompt(dir, 'coder', 1).body).toBe('one');
    expect(() => loadPrompt(dir, 'coder', 3)).toThrow(ConfigError);
    expect(() => loadPrompt(dir, 'planner')).toThrow(/there is no prompt planner/);
    expect(() => loadPrompt(dir, 'repair')).toThrow(/declares version 3/);
  });

  it('fills placeholders and refuses unknown ones', () => {
    expect(fillPrompt('At most {{maxFiles}} files, {{ maxKiB }} KiB', { maxFiles: '40', maxKiB: '512' })).toBe('At most 40 files, 512 KiB');
    expect(() => fillPrompt('{{nope}}', {})).toThrow(/\{\{nope\}\}/);
    expect(splitFrontMatter('no front matter')).toEqual({ meta: {}, body: 'no front matter' });
  });
});
