import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { listTemplates, type TemplateManifest } from './template-manifest.ts';
import { chooseTemplate, scoreTemplate, stem, tokenize } from './template-scorer.ts';

const templatesDir = fileURLToPath(new URL('../../../templates/', import.meta.url));
let templates: TemplateManifest[];

beforeAll(async () => {
  templates = await listTemplates(templatesDir);
});

describe('chooseTemplate with the bundled templates', () => {
  it.each([
    ['a pomodoro timer with a dark theme', 'timer'],
    ['a countdown clock for new year', 'timer'],
    ['Stopwatch', 'timer'],
    ['a todo list', 'notes-api'],
    ['a to-do list for the family', 'notes-api'],
    ['my TASKS and notes', 'notes-api'],
    ['a journal', 'notes-api'],
    ['a contact form for my band', 'form'],
    ['an RSVP page for our wedding', 'form'],
    ['newsletter sign-up', 'form'],
    ['a guestbook', 'form'],
    ['portfolio landing page', 'static-site'],
    ['a homepage about my bakery', 'static-site'],
    ['documentation site for my project', 'static-site'],
    ['a status page for my homelab services', 'status-page'],
    ['uptime monitor for my websites', 'status-page'],
    ['check if my servers are up', 'status-page'],
    ['service health dashboard', 'status-page'],
    ['ping my home assistant and show when it is down', 'status-page'],
    ['a dashboard with links to my self-hosted apps', 'link-dashboard'],
    ['start page for my homelab', 'link-dashboard'],
    ['a page of links to jellyfin, plex and grafana', 'link-dashboard'],
    ['a url shortener', 'shortener'],
    ['short links for my team', 'shortener'],
    ['go links that redirect to our services', 'shortener'],
    ['a pastebin', 'pastebin'],
    ['paste text and share a link', 'pastebin'],
    ['share code snippets', 'pastebin'],
  ])('%j → %s', (description, expected) => {
    const choice = chooseTemplate(description, templates);
    expect(choice.template).toBe(expected);
    expect(choice.score).toBeGreaterThan(0);
    expect(choice.matched.length).toBeGreaterThan(0);
  });

  it('reports score, matched keywords and every candidate, best first', () => {
    const choice = chooseTemplate('a pomodoro timer with a dark theme', templates);
    expect(choice).toMatchObject({ template: 'timer', score: 6, matched: ['pomodoro', 'timer'] });
    expect(choice.candidates.map((c) => c.template).sort()).toEqual(['form', 'guestbook-postgres', 'link-dashboard', 'notes-api', 'pastebin', 'shortener', 'static-site', 'status-page', 'timer']);
    expect(choice.candidates[0]).toEqual({ template: 'timer', score: 6 });
    const scores = choice.candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(choice.explanation).toContain('pomodoro');
  });

  it('falls back to static-site with score 0 when nothing matches, and says so', () => {
    const choice = chooseTemplate('xqzv blorp wibble', templates);
    expect(choice).toMatchObject({ template: 'static-site', score: 0, matched: [] });
    expect(choice.explanation).toMatch(/no keyword matched; fell back to static-site/);
    expect(choice.candidates.every((c) => c.score === 0)).toBe(true);
    expect(choice.candidates.at(-1)!.template).toBe('static-site');
  });

  it('matches whole words only', () => {
    expect(chooseTemplate('a platform for formatting', templates).score).toBe(0);
    expect(chooseTemplate('performance', templates).score).toBe(0);
  });

  it('leaves requests for things to keep (a log, a tracker, a recipe box) to the other templates and the fallback', () => {
    const taken = ['status-page', 'link-dashboard', 'shortener', 'pastebin'];
    for (const description of ['a weight log with a chart', 'a recipe box', 'a kanban board', 'a habit tracker', 'log my runs', 'a todo list', 'a contact form']) {
      expect(taken, description).not.toContain(chooseTemplate(description, templates).template);
    }
  });

  it('scores the new templates low (under 3) on a lone word that things people keep share: the request may be for a list of those', () => {
    for (const description of ['bookmarks', 'a wishlist with links to products', 'monitor the temperature of my fish tank', 'an inventory of my home lab servers']) {
      expect(chooseTemplate(description, templates).score, description).toBeLessThan(3);
    }
  });

  it('does not read "things to do" as a to-do list', () => {
    expect(chooseTemplate('things to do in Berlin', templates).template).toBe('static-site');
  });

  it('takes an override directly, with a null score', () => {
    const choice = chooseTemplate('a pomodoro timer', templates, { override: 'form' });
    expect(choice).toMatchObject({ template: 'form', score: null });
    expect(choice.explanation).toMatch(/--template form/);
    expect(choice.candidates[0]!.template).toBe('timer');
  });

  it('refuses an unknown override and lists the known ids', () => {
    expect(() => chooseTemplate('anything', templates, { override: 'wordpress' })).toThrow(InputError);
    expect(() => chooseTemplate('anything', templates, { override: 'wordpress' })).toThrow(/unknown template 'wordpress'; known templates: form, guestbook-postgres, link-dashboard, notes-api, pastebin, shortener, static-site, status-page, timer/);
  });
});

describe('scoring rules', () => {
  const fixtures = [
    { id: 'b', keywords: [{ word: 'alpha', weight: 2, synonyms: [] }] },
    { id: 'a', keywords: [{ word: 'alpha', weight: 2, synonyms: [] }] },
    { id: 'static-site', keywords: [{ word: 'alpha', weight: 2, synonyms: [] }] },
  ];

  it('breaks ties in a fixed order: by id, the fallback last', () => {
    expect(chooseTemplate('alpha', fixtures).candidates.map((c) => c.template)).toEqual(['a', 'b', 'static-site']);
    expect(chooseTemplate('alpha', [...fixtures].reverse()).template).toBe('a');
  });

  it('counts a keyword once, however many of its synonyms match', () => {
    const keywords = [{ word: 'note', weight: 3, synonyms: ['memo', 'notepad'] }, { word: 'list', weight: 1, synonyms: [] }];
    expect(scoreTemplate(tokenize('notes, memos and a notepad list'), keywords)).toEqual({ score: 4, matched: ['note', 'memo', 'notepad', 'list'] });
  });

  it('stems plurals on both sides', () => {
    expect(stem('notes')).toBe('note');
    expect(stem('diaries')).toBe('diary');
    expect(stem('address')).toBe('address');
    expect(scoreTemplate(tokenize('RSVPs'), [{ word: 'rsvp', weight: 3, synonyms: [] }]).score).toBe(3);
  });

  it('matches multi-word and hyphenated terms', () => {
    const keywords = [{ word: 'signup', weight: 2, synonyms: ['sign up'] }];
    expect(scoreTemplate(tokenize('a sign-up sheet'), keywords).score).toBe(2);
    expect(scoreTemplate(tokenize('sign up here'), keywords).score).toBe(2);
    expect(scoreTemplate(tokenize('sign here up'), keywords).score).toBe(0);
  });
});
