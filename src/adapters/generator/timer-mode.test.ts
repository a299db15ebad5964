import { describe, expect, it } from 'vitest';
import { findDate, timerMode } from './timer-mode.ts';

describe('timerMode', () => {
  it.each([
    ['a pomodoro timer with a dark theme', 'pomodoro'],
    ['a tomato timer for studying', 'pomodoro'],
    ['a focus timer with short breaks', 'pomodoro'],
    ['an interval timer for deep work', 'pomodoro'],
    ['a countdown to our wedding day', 'countdown'],
    ['count down to the product launch', 'countdown'],
    ['a countdown clock for new year', 'countdown'],
    ['how many days until Christmas', 'countdown'],
    ['a timer until my birthday', 'countdown'],
    ['sleeps till the holidays', 'countdown'],
    ['a page that shows the time until June 12 2027', 'countdown'],
    ['a stopwatch for my running laps', 'stopwatch'],
    ['a stop-watch with a big display', 'stopwatch'],
    ['something to time my swimming laps', 'stopwatch'],
    ['a lap timer for the race track', 'stopwatch'],
    ['a world clock with time zones', 'clock'],
    ['what time is it in Tokyo and Berlin', 'clock'],
    ['a big wall clock for the kitchen', 'clock'],
    ['show the timezones of my team', 'clock'],
  ])('%s → %s', (request, mode) => {
    expect(timerMode(request)).toBe(mode);
  });

  it.each(['an egg timer', 'a timer', 'a todo list until done'])('names no mode in %j, so the default stands', (request) => {
    expect(timerMode(request)).toBeUndefined();
  });
});

describe('findDate', () => {
  it.each([
    ['a countdown to 2027-06-12', '2027-06-12'],
    ['a countdown to 2027-06-12T18:30', '2027-06-12T18:30'],
    ['count down to 2027-06-12 09:05 for the launch', '2027-06-12T09:05'],
    ['days until June 12 2027', '2027-06-12'],
    ['days until june 12th, 2027', '2027-06-12'],
    ['a countdown to Dec 31 2026', '2026-12-31'],
    ['a countdown to 12 June 2027', '2027-06-12'],
    ['a countdown to the 1st of March 2028', '2028-03-01'],
    ['a countdown to February 29 2028 (a leap day)', '2028-02-29'],
  ])('%s → %s', (request, date) => {
    expect(findDate(request)).toBe(date);
  });

  it.each(['a countdown to our wedding day', 'a countdown to February 30 2027', 'a countdown to 2027-13-01', 'June 12', 'a countdown to 2027-02-29'])('finds no date in %j', (request) => {
    expect(findDate(request)).toBeUndefined();
  });
});
