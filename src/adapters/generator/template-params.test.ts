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

describe('deriveParams for the timer family', () => {
  const timer = { mode: 'pomodoro', countdownTo: '', title: 'Pomodoro Timer' };

  it.each([
    ['a countdown to our wedding day', { mode: 'countdown', title: 'Countdown to Our Wedding Day' }],
    ['a stopwatch for my running laps', { mode: 'stopwatch', title: 'Stopwatch for My Running Laps' }],
    ['a pomodoro timer with a dark theme', { mode: 'pomodoro', theme: 'dark' }],
    ['days until June 12 2027', { mode: 'countdown', countdownTo: '2027-06-12' }],
    ['a countdown to 12 June 2027 in a dark theme', { mode: 'countdown', countdownTo: '2027-06-12', theme: 'dark' }],
    ['a countdown to 2027-06-12T18:30 for the party', { mode: 'countdown', countdownTo: '2027-06-12T18:30', title: 'Countdown to 2027-06-12T18:30 for the Party' }],
    ['a countdown: our trip to Rome', { mode: 'countdown', title: 'Countdown' }],
    ['a world clock with time zones', { mode: 'clock', title: 'World Clock' }],
    ['what time is it in Tokyo', { mode: 'clock' }],
    ['time my 5k runs', { mode: 'stopwatch' }],
    ['a lap counter for the track', { mode: 'stopwatch' }],
    ['a focus timer with breaks', { mode: 'pomodoro', title: 'Focus Timer' }],
    ['a timer until Christmas', { mode: 'countdown' }],
    ['a countdown clock', { mode: 'countdown', title: 'Countdown Clock' }],
  ])('%s', (request, expected) => {
    expect(deriveParams(request, timer)).toMatchObject(expected);
  });

  it('gives the mode\'s own title when the request names no app', () => {
    expect(deriveParams('please make me a countdown?', timer)).toMatchObject({ title: 'Countdown', heading: 'Countdown' });
    expect(deriveParams('a stopwatch', timer)).toMatchObject({ title: 'Stopwatch', heading: 'Stopwatch' });
  });

  it('sets a date only for a countdown, and only a real one', () => {
    expect(deriveParams('a stopwatch for June 12 2027', timer)).not.toHaveProperty('countdownTo');
    expect(deriveParams('a countdown to February 30 2027', timer)).not.toHaveProperty('countdownTo');
  });

  it('leaves mode and date out for templates that do not declare them', () => {
    const params = deriveParams('a countdown to 2027-06-12', { title: 'Notes' });
    expect(params).not.toHaveProperty('mode');
    expect(params).not.toHaveProperty('countdownTo');
  });
});

describe('resolveParams with a text pattern', () => {
  const manifest = {
    id: 'timer',
    parameters: {
      countdownTo: { kind: 'text' as const, default: '', pattern: '(?:\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])(?:T(?:[01]\\d|2[0-3]):[0-5]\\d)?)?', description: 'A date like 2027-06-12 or 2027-06-12T18:30 (or empty)' },
    },
  };

  it.each(['', '2027-06-12', '2027-06-12T18:30'])('takes %j', (value) => {
    expect(resolveParams(manifest, { countdownTo: value })).toEqual({ countdownTo: value });
  });

  it.each(['June 12', '2027-6-12', '2027-06-12T24:00', '2027-06-12 18:30', '2027-06-12T18:30"><script>', '2027-06-12x'])('refuses %j, saying the form', (value) => {
    expect(() => resolveParams(manifest, { countdownTo: value })).toThrow(InputError);
    expect(() => resolveParams(manifest, { countdownTo: value })).toThrow(/countdownTo of template timer must be a date like 2027-06-12/);
  });
});
