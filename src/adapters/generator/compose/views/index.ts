import type { ViewKind } from '../../../../domain/index.ts';
import { boardMarkup, boardScript } from './board.ts';
import { calendarMarkup, calendarScript } from './calendar.ts';
import { chartMarkup, chartScript } from './chart.ts';
import { listMarkup, listScript } from './list.ts';
import { randomMarkup, randomScript } from './random.ts';

/** Each view's section of the page and its part of app.js. */
export const VIEW_PARTS: Readonly<Record<ViewKind, { markup: string; script: string }>> = {
  list: { markup: listMarkup, script: listScript },
  board: { markup: boardMarkup, script: boardScript },
  calendar: { markup: calendarMarkup, script: calendarScript },
  chart: { markup: chartMarkup, script: chartScript },
  random: { markup: randomMarkup, script: randomScript },
};
