import { describe, expect, it } from 'vitest';
import { appNameProblem, assertAppName, deriveAppName, MAX_APP_NAME_LENGTH } from './app-name.ts';
import { assertDescription } from './description.ts';
import { InputError } from './errors.ts';

describe('app names', () => {
  it('derives a readable DNS-1123 label from a description', () => {
    expect(deriveAppName('A pomodoro timer with a dark theme', new Set())).toBe('pomodoro-timer-dark-theme');
    expect(deriveAppName('  Crème brûlée recipes!!! ', new Set())).toBe('creme-brulee-recipes');
    expect(deriveAppName('a todo list', new Set())).toBe('todo-list');
  });

  it('keeps derived names within the length limit and valid', () => {
    const name = deriveAppName('an extraordinarily comprehensive household inventory management dashboard for everything', new Set());
    expect(name.length).toBeLessThanOrEqual(MAX_APP_NAME_LENGTH);
    expect(appNameProblem(name)).toBeUndefined();
  });

  it('makes derived names unique among existing apps', () => {
    expect(deriveAppName('a pomodoro timer', new Set(['pomodoro-timer']))).toBe('pomodoro-timer-2');
    expect(deriveAppName('a pomodoro timer', new Set(['pomodoro-timer', 'pomodoro-timer-2']))).toBe('pomodoro-timer-3');
  });

  it('never derives a reserved or invalid name', () => {
    for (const text of ['slipway', 'kube system monitor', '123 go', '2048 game', '9', '42-',  '!!!', 'the a an', 'flux system dashboard']) {
      const name = deriveAppName(text, new Set());
      expect(appNameProblem(name), `${text} → ${name}`).toBeUndefined();
    }
  });

  it.each([
    ['', 'empty'],
    ['My_App', 'DNS-1123'],
    ['-app', 'DNS-1123'],
    ['app-', 'DNS-1123'],
    ['123', 'starts with a digit'],
    ['1app', 'starting with a letter'],
    ['a'.repeat(41), '41 characters'],
    ['slipway', 'reserved'],
    ['flux-system', 'reserved'],
    ['kube-dashboard', "reserved prefix 'kube-'"],
  ])('refuses %j with a message naming the rule (%s)', (name, rule) => {
    expect(() => assertAppName(name)).toThrow(InputError);
    expect(() => assertAppName(name)).toThrow(rule);
  });

  it('accepts good names', () => {
    expect(assertAppName('pomodoro')).toBe('pomodoro');
    expect(assertAppName('a1-b2')).toBe('a1-b2');
  });
});

describe('descriptions', () => {
  it('refuses empty or whitespace descriptions', () => {
    expect(() => assertDescription('')).toThrow(/description is empty/);
    expect(() => assertDescription('  \n\t ')).toThrow(InputError);
    expect(() => assertDescription(undefined)).toThrow(InputError);
  });
  it('refuses control characters and overlong text', () => {
    expect(() => assertDescription('a\u0007b')).toThrow(/control characters/);
    expect(() => assertDescription('x'.repeat(2001))).toThrow(/at most 2000/);
  });
  it('normalises white space', () => {
    expect(assertDescription('  a   pomodoro\ntimer ')).toBe('a pomodoro timer');
  });
});
