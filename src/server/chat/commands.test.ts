import { describe, expect, it } from 'vitest';
import { parseChatCommand } from './commands.ts';

describe('parseChatCommand', () => {
  it.each([
    ['a pomodoro timer with a dark theme', { kind: 'create', description: 'a pomodoro timer with a dark theme' }],
    ['  new   a pomodoro timer\n with a dark theme ', { kind: 'create', description: 'a pomodoro timer with a dark theme' }],
    ['/new@SlipwayBot a notes app', { kind: 'create', description: 'a notes app' }],
    ['list', { kind: 'list' }],
    ['LIST', { kind: 'list' }],
    ['/list@SlipwayBot', { kind: 'list' }],
    ['status pomodoro-timer', { kind: 'status', app: 'pomodoro-timer' }],
    ['/status pomodoro-timer', { kind: 'status', app: 'pomodoro-timer' }],
    ['delete pomodoro-timer', { kind: 'delete', app: 'pomodoro-timer' }],
    ['/delete@slipway_bot pomodoro-timer', { kind: 'delete', app: 'pomodoro-timer' }],
    ['', { kind: 'help' }],
    ['   ', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['/start', { kind: 'help' }],
    ['/help@SlipwayBot', { kind: 'help' }],
    ['new', { kind: 'help' }],
    ['status', { kind: 'help' }],
    ['/delete', { kind: 'help' }],
    ['/deploy everything', { kind: 'help' }],
  ] as const)('reads %j', (text, command) => {
    expect(parseChatCommand(text)).toEqual(command);
  });

  it('reads a description that begins with a command word as a description', () => {
    expect(parseChatCommand('status page for my blog')).toEqual({ kind: 'create', description: 'status page for my blog' });
    expect(parseChatCommand('list of groceries with checkboxes')).toEqual({ kind: 'create', description: 'list of groceries with checkboxes' });
    expect(parseChatCommand('delete old tasks tracker')).toEqual({ kind: 'create', description: 'delete old tasks tracker' });
    expect(parseChatCommand('help desk ticket board')).toEqual({ kind: 'create', description: 'help desk ticket board' });
  });
});
