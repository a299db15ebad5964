import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { colourSet, mix } from './palette.ts';
import { deriveParams, deriveTitle, detectStyle, resolveParams, summarize } from './template-params.ts';

describe('deriveTitle', () => {
  it.each([
    ['a pomodoro timer with a dark theme', 'Pomodoro Timer'],
    ['a todo list', 'Todo List'],
    ['a contact form for my band', 'Contact Form for My Band'],
    ['portfolio landing page', 'Portfolio Landing Page'],
    ['Please make me a simple dark blue notes app', 'Notes'],
    ['a dark-themed countdown, please', 'Countdown'],
    ['an RSVP page for our wedding in purple', 'RSVP Page for Our Wedding'],
    ['a landing page called "Moon Bakery" in green', 'Moon Bakery'],
    ['a timer named focus time, with sounds', 'Focus Time'],
    ['a to-do list', 'To-Do List'],
  ])('%j → %j', (description, title) => {
    expect(deriveTitle(description)).toBe(title);
  });

  it('keeps titles short', () => {
    const title = deriveTitle('a page about ' + 'very long words '.repeat(20))!;
    expect(title.length).toBeLessThanOrEqual(60);
    expect(title.split(' ').length).toBeLessThanOrEqual(8);
  });

  it('gives nothing when only filler is left, so the template default applies', () => {
    expect(deriveTitle('a simple dark app')).toBeUndefined();
  });
});

describe('detectStyle and deriveParams', () => {
  it('reads a dark theme: dark background, light text', () => {
    const params = deriveParams('a pomodoro timer with a dark theme', { accentColor: '#e4572e' });
    expect(params).toMatchObject({ title: 'Pomodoro Timer', heading: 'Pomodoro Timer', theme: 'dark', accentColor: '#e4572e' });
    const luminance = (hex: string) => Number.parseInt(hex.slice(1, 3), 16) + Number.parseInt(hex.slice(3, 5), 16) + Number.parseInt(hex.slice(5, 7), 16);
    expect(luminance(params['backgroundColor']!)).toBeLessThan(150);
    expect(luminance(params['textColor']!)).toBeGreaterThan(600);
  });

  it('maps colour names (and aliases, and hex literals) to the accent', () => {
    expect(detectStyle('a green notes app')).toEqual({ accent: 'green' });
    expect(detectStyle('grey and dark')).toEqual({ accent: 'gray', theme: 'dark' });
    expect(detectStyle('accent #F80 please')).toEqual({ accent: '#ff8800' });
    expect(deriveParams('a blue todo list')).toMatchObject({ theme: 'light', accentColor: '#2563eb' });
    expect(deriveParams('a dark blue todo list')).toMatchObject({ theme: 'dark', accentColor: '#60a5fa' });
    for (const name of ['purple', 'red', 'orange', 'pink', 'teal']) expect(deriveParams(`a ${name} timer`)['accentColor']).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('leaves the colours to the template when the description names none', () => {
    const params = deriveParams('a todo list');
    expect(Object.keys(params).sort()).toEqual(['description', 'heading', 'title']);
    expect(params['description']).toBe('A todo list.');
  });

  it('summarises long descriptions to at most 280 characters', () => {
    const text = summarize('word '.repeat(200));
    expect(text.length).toBeLessThanOrEqual(280);
    expect(text.endsWith('…')).toBe(true);
  });

  it('mixes colours deterministically', () => {
    expect(mix('#000000', '#ffffff', 0.5)).toBe('#808080');
    expect(colourSet('dark', 'teal')).toEqual(colourSet('dark', 'teal'));
  });
});

describe('resolveParams', () => {
  const manifest = {
    id: 'demo',
    parameters: {
      title: { kind: 'text' as const, default: 'Demo', description: '' },
      accentColor: { kind: 'color' as const, default: '#112233', description: '' },
      minutes: { kind: 'integer' as const, default: '25', min: 1, max: 180, description: '' },
      theme: { kind: 'choice' as const, default: 'light', choices: ['light', 'dark'], description: '' },
    },
  };

  it('fills defaults, keeps declared values, drops undeclared ones, sorts keys', () => {
    const params = resolveParams(manifest, { title: 'Focus', extra: 'x', accentColor: '#AABBCC' });
    expect(params).toEqual({ accentColor: '#aabbcc', minutes: '25', theme: 'light', title: 'Focus' });
    expect(Object.keys(params)).toEqual(['accentColor', 'minutes', 'theme', 'title']);
  });

  it.each([
    [{ accentColor: 'red;}body{x:url(//evil)' }, /accentColor .*must be a colour/],
    [{ minutes: '0' }, /at least 1/],
    [{ minutes: '1e3' }, /whole number/],
    [{ theme: 'neon' }, /one of light, dark/],
    [{ title: 'a\u0000b' }, /control characters/],
  ])('refuses %j', (values, message) => {
    expect(() => resolveParams(manifest, values)).toThrow(InputError);
    expect(() => resolveParams(manifest, values)).toThrow(message);
  });
});
