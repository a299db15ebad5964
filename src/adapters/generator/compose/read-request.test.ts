import { describe, expect, it } from 'vitest';
import { Composition } from '../../../domain/index.ts';
import { readRequest } from './read-request.ts';

describe('readRequest', () => {
  it.each([
    ['a recipe box with tags', 'recipe', ['list']],
    ['a weight log', 'weigh-in', ['list', 'chart']],
    ['a habit tracker for daily streaks', 'habit check-in', ['list', 'calendar']],
    ['a kanban board for the chores at home', 'chore', ['list', 'board']],
    ['a random dinner picker from our favourite restaurants', 'restaurant', ['list', 'random']],
    ['an expense tracker with a chart', 'expense', ['list', 'chart']],
    ['a kanban board', 'task', ['list', 'board']],
    ['my vinyl collection', 'vinyl', ['list']],
    ['a list of houseplants', 'houseplant', ['list']],
  ])('%s → %s with views %j', (request, entity, views) => {
    const composition = readRequest(request);
    expect(composition?.entity.name).toBe(entity);
    expect(composition?.views).toEqual(views);
    // Every composition it gives is one the plan schema accepts.
    expect(Composition.parse(composition)).toEqual(composition);
  });

  it('gives the fields and types a thing has: a recipe keeps a name, ingredients and steps; a weigh-in a date and a number', () => {
    expect(readRequest('a recipe box')!.entity.fields.slice(0, 3)).toEqual([
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'ingredients', label: 'Ingredients', type: 'longtext' },
      { name: 'steps', label: 'Steps', type: 'longtext' },
    ]);
    const weight = readRequest('track my weight')!;
    expect(weight.entity.fields.map((f) => [f.name, f.type])).toEqual([['date', 'date'], ['weight', 'number'], ['note', 'text']]);
    expect(weight.chart).toEqual({ value: 'weight', date: 'date' });
  });

  it('adds a status field with the columns of the process the words name', () => {
    const jobs = readRequest('a job application tracker with stages')!;
    expect(jobs.board).toEqual({ field: 'status', columns: ['Applied', 'Interview', 'Offer', 'Closed'] });
    expect(jobs.entity.fields.at(-1)).toEqual({ name: 'status', label: 'Status', type: 'text', required: true });
    expect(readRequest('a kanban board for chores')!.board!.columns).toEqual(['To do', 'Doing', 'Done']);
  });

  it('adds a date for a calendar, and leaves out a chart when there is no number to plot', () => {
    const books = readRequest('a daily reading log of books')!;
    expect(books.views).toEqual(['list', 'calendar']);
    expect(books.entity.fields.some((f) => f.type === 'date')).toBe(true);
    expect(books.chart).toBeUndefined();
  });

  it('finds nothing to keep in a request for a page, a timer or gibberish', () => {
    expect(readRequest('a landing page for my bakery')).toBeUndefined();
    expect(readRequest('a pomodoro timer with a dark theme')).toBeUndefined();
    expect(readRequest('zzz qqq')).toBeUndefined();
  });

  it('is the same for the same words, whatever their case or hyphens', () => {
    expect(readRequest('A RECIPE-BOX')).toEqual(readRequest('a recipe box'));
  });
});
