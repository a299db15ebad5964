import { describe, expect, it } from 'vitest';
import { Composition } from '../../../domain/index.ts';
import { namedFields, readRequest } from './read-request.ts';

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

describe('readRequest, reading the fields and columns a request names', () => {
  it('adds the fields listed after "with", each typed by its name', () => {
    const cheeses = readRequest('a cheese collection with country, age in months, price and tasting notes')!;
    expect(cheeses.entity.name).toBe('cheese');
    expect(cheeses.entity.fields.map((f) => [f.name, f.type])).toEqual([
      ['name', 'text'], ['country', 'text'], ['age', 'number'], ['price', 'number'], ['tastingNotes', 'longtext'], ['tags', 'tags'],
    ]);
    // A unit is not part of the name ("age in months"), and the list ends where a sentence goes on.
    expect(namedFields('books with author and rating so I can sort them').map((f) => f.name)).toEqual(['author', 'rating']);
    expect(readRequest('a list of my bikes with purchase date, serial number, receipt link and category')!.entity.fields.map((f) => [f.name, f.type])).toEqual([
      ['name', 'text'], ['purchaseDate', 'date'], ['serialNumber', 'text'], ['receiptLink', 'url'], ['category', 'tags'], ['notes', 'longtext'],
    ]);
    expect(Composition.parse(cheeses)).toEqual(cheeses);
  });

  it('leaves out what reads as a feature or a sentence, and what the thing already has', () => {
    expect(namedFields('a weight log with a chart, in a dark theme')).toEqual([]);
    expect(namedFields('a list of plants with when I last watered each one')).toEqual([]);
    expect(readRequest('my recipes with ingredients, steps and a photo')!.entity.fields.map((f) => f.name)).toEqual(['name', 'ingredients', 'steps', 'tags', 'source']);
    expect(readRequest('an address book with phone numbers and emails')!.entity.fields.map((f) => f.name)).toEqual(['name', 'phone', 'email', 'birthday', 'address']);
  });

  it('takes the board columns a request names, else those of the process its words name', () => {
    expect(readRequest('a kanban for the garden with columns: sown, sprouted, planted out')!.board!.columns).toEqual(['Sown', 'Sprouted', 'Planted out']);
    expect(readRequest('a board of hiring candidates')!.board!.columns).toEqual(['Applied', 'Interview', 'Offer', 'Closed']);
    // Renovation jobs are tasks, not job applications.
    expect(readRequest('a kanban for the jobs around the house')!.board!.columns).toEqual(['To do', 'Doing', 'Done']);
  });

  it('charts the number the request names, not always the first', () => {
    expect(readRequest('log our heating oil deliveries and chart the cost')).toMatchObject({ entity: { name: 'fill-up' }, chart: { value: 'cost' } });
    expect(readRequest('track my cycling distance')!.chart).toEqual({ value: 'distance', date: 'date' });
    expect(readRequest('track my blood pressure each morning')).toMatchObject({ entity: { name: 'blood pressure reading' }, chart: { value: 'systolic' } });
  });

  it('does not keep a thing that only names a club, a shop or a verb', () => {
    expect(readRequest('a page for our running club')).toBeUndefined();
    expect(readRequest('an uptime page for the sites we run')).toBeUndefined();
    // A board game is a game to keep, not a board.
    expect(readRequest('a shelf of board games')).toMatchObject({ entity: { name: 'game' }, views: ['list'] });
    // What a pick is made from is what is kept.
    expect(readRequest('a lunch picker from our favourite cafes')).toMatchObject({ entity: { name: 'restaurant' }, views: ['list', 'random'] });
  });
});
