import { describe, expect, it } from 'vitest';
import { Composition, InputError } from '../../../domain/index.ts';
import { changeComposition } from './change-composition.ts';
import { readRequest } from './read-request.ts';

const recipes = readRequest('a recipe box')!;
const weights = readRequest('a weight log')!;

describe('changeComposition', () => {
  it('adds fields typed by their names, and leaves the rest of the request for the title and theme', () => {
    const { composition, done, rest } = changeComposition('add a rating and a prep time in minutes, then make it dark', recipes);
    expect(composition.entity.fields.slice(-2)).toEqual([
      { name: 'rating', label: 'Rating', type: 'number' },
      { name: 'prepTime', label: 'Prep time', type: 'text' },
    ]);
    expect(done).toEqual(['added rating (number), prepTime (text)']);
    expect(rest).toBe('make it dark');
    expect(Composition.parse(composition)).toEqual(composition);
    // The plan it came from is not changed.
    expect(recipes.entity.fields.map((f) => f.name)).toEqual(['name', 'ingredients', 'steps', 'tags', 'source']);
  });

  it('adds a chart of the number it names, a board with the columns it names, a calendar and a random pick, in a fixed order', () => {
    const priced = changeComposition('add a price; add a chart of the price', recipes);
    expect(priced.composition.chart).toEqual({ value: 'price', date: 'date' });
    expect(priced.composition.entity.fields.find((f) => f.name === 'date')).toEqual({ name: 'date', label: 'Date', type: 'date' });
    const board = changeComposition('add a random pick and add a board with columns to try, tried and favourite', recipes).composition;
    expect(board.views).toEqual(['list', 'board', 'random']);
    expect(board.board).toEqual({ field: 'status', columns: ['To try', 'Tried', 'Favourite'] });
    expect(changeComposition('show a calendar', weights).composition.views).toEqual(['list', 'calendar', 'chart']);
  });

  it('removes views and fields, and sets the columns of a board', () => {
    const noChart = changeComposition('remove the chart', weights);
    expect(noChart.composition.views).toEqual(['list']);
    expect(noChart.composition.chart).toBeUndefined();
    expect(changeComposition('remove the chart and remove the weight field', weights).composition.entity.fields.map((f) => f.name)).toEqual(['date', 'note']);
    expect(changeComposition('drop the tags', recipes).composition.entity.fields.map((f) => f.name)).toEqual(['name', 'ingredients', 'steps', 'source']);
    const kanban = readRequest('a kanban board for chores')!;
    expect(changeComposition('set the columns to backlog, doing and done', kanban).composition.board!.columns).toEqual(['Backlog', 'Doing', 'Done']);
    const unboarded = changeComposition('remove the board', kanban).composition;
    expect(unboarded.board).toBeUndefined();
    expect(unboarded.entity.fields.some((f) => f.name === 'status')).toBe(false);
  });

  it('refuses what would break a view or the item, saying what to do instead', () => {
    const refused = (request: string, c: Composition) => {
      try {
        changeComposition(request, c);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return `${(error as InputError).message} | ${(error as InputError).hint ?? ''}`;
      }
      throw new Error(`"${request}" was accepted`);
    };
    expect(refused('remove the weight field', weights)).toBe('the chart uses weight, so it cannot be removed on its own | Remove the chart too: "remove the chart and remove the weight field".');
    expect(refused('remove the name', recipes)).toMatch(/^name names each of the recipes, so it cannot be removed/);
    expect(refused('add a chart', recipes)).toMatch(/^a chart draws a number, and recipes have no number field \| Add one first/);
    expect(refused('add a chart', weights)).toMatch(/^the app already has a chart/);
    expect(refused('remove the board', recipes)).toMatch(/^the app has no board to remove/);
    expect(refused('set the columns to a, b', recipes)).toMatch(/^the app has no board/);
    expect(refused('add steps', recipes)).toMatch(/^recipes already have a field steps/);
  });

  it('leaves what it does not understand for the rest of the change', () => {
    expect(changeComposition('add a photo upload', recipes)).toMatchObject({ done: [], rest: 'add a photo upload' });
    expect(changeComposition('set the title to "Pots and Pans" and make it dark', recipes)).toMatchObject({ done: [], rest: 'set the title to "Pots and Pans" and make it dark' });
  });
});
