import { Composition, InputError, type ViewKind } from '../../../domain/index.ts';
import { stem } from '../template-scorer.ts';
import { DEFAULT_COLUMNS, fieldList, namedColumns } from './read-request.ts';

/** A view by the words a change uses for it. */
const VIEW_NAMES: ReadonlyArray<{ view: Exclude<ViewKind, 'list'>; words: RegExp }> = [
  { view: 'chart', words: /^(?:chart|graph|plot)$/ },
  { view: 'board', words: /^(?:board|kanban)$/ },
  { view: 'calendar', words: /^(?:calendar|streaks?)$/ },
  { view: 'random', words: /^(?:random pick|random picker|picker|pick|random)$/ },
];
const VIEW_ORDER: readonly ViewKind[] = ['list', 'board', 'calendar', 'chart', 'random'];

const ADD = /^(?:please\s+)?(?:add|show|include|give it|put in|also keep|keep|record|track)\s+(?:(?:a|an|the)\s+)?(?:new\s+)?/i;
const REMOVE = /^(?:please\s+)?(?:remove|drop|hide|delete|take away|take out|get rid of)\s+(?:(?:a|an|the)\s+)?/i;
const VIEW = /^(random pick(?:er)?|chart|graph|plot|board|kanban|calendar|streaks?|picker|pick|random)(?:\s+view)?\b\s*(.*)$/i;
const COLUMNS = /^(?:please\s+)?(?:set|change|rename|make)?\s*(?:the\s+)?(?:board\s+)?(?:columns|stages)\s*(?:to|:|as|be)?\s*(.+)$/i;

/** What a change did to a composed app, and the clauses it leaves for the title, theme and colours. */
export interface CompositionChange {
  composition: Composition;
  /** What changed, in words, for the run's report. */
  done: string[];
  /** The clauses about something else, joined back together (empty when there are none). */
  rest: string;
}

/**
 * Applies the parts of a change request that are about what a composed app keeps and shows: "add a
 * chart of the cost", "remove the calendar", "add a rating and a website", "remove the notes field",
 * "set the columns to backlog, doing and done". Clauses about anything else are returned in `rest`.
 * A clause that names a view or field it cannot change (the list, a field a view draws) is refused
 * with what to do instead.
 * @example changeComposition('add a chart and make it dark', weights).rest // 'make it dark'
 */
export function changeComposition(request: string, current: Composition): CompositionChange {
  const composition = structuredClone(current);
  const quoted: string[] = [];
  // Quoted values (a title) are set aside, so an "and" inside one does not split the request.
  const masked = request.replace(/["“]([^"”]*)["”]/g, (_, text: string) => `\u0000${quoted.push(text) - 1}\u0000`);
  const unmask = (text: string) => text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => `"${quoted[Number(i)]!}"`);
  // Clauses end at ";" or "." and before "and"/","/"then" followed by a verb; "add cuisine and rating" stays one.
  const clauses = masked.split(/\s*(?:;|\.(?:\s|$)|,?\s*\b(?:and|then|also)\b\s*(?=(?:add|remove|drop|delete|hide|show|include|make|set|use|rename|call|switch|turn|give|change|put|take|get)\b)|,\s*(?=(?:add|remove|drop|delete|hide|show|include|make|set|use|rename|call|switch|turn|give|change|put|take|get)\b))\s*/i);
  const done: string[] = [];
  const rest: string[] = [];
  for (const clause of clauses.map((c) => c.trim()).filter((c) => c.length > 0)) {
    const did = applyClause(clause, composition);
    if (did) done.push(did);
    else rest.push(unmask(clause));
  }
  return { composition: Composition.parse(composition), done, rest: rest.join(' and ') };
}

function applyClause(clause: string, c: Composition): string | undefined {
  const columns = COLUMNS.exec(clause);
  if (columns) return setColumns(c, columns[1]!);
  const adding = ADD.exec(clause);
  if (adding) {
    const what = clause.slice(adding[0].length);
    const view = VIEW.exec(what);
    if (view) return addView(c, viewOf(view[1]!), view[2]!);
    return addFields(c, what);
  }
  const removing = REMOVE.exec(clause);
  if (removing) {
    const what = clause.slice(removing[0].length).replace(/\s+(?:fields?|columns?|views?)$/i, '').trim();
    const view = VIEW.exec(what);
    if (view && view[2] === '') return removeView(c, viewOf(view[1]!));
    return removeField(c, what);
  }
  return undefined;
}

const viewOf = (word: string): Exclude<ViewKind, 'list'> => VIEW_NAMES.find((v) => v.words.test(word.toLowerCase()))!.view;

function addView(c: Composition, view: Exclude<ViewKind, 'list'>, detail: string): string {
  const fields = c.entity.fields;
  if (c.views.includes(view)) throw new InputError(`the app already has a ${view}`, { hint: `Ask for another change, or "remove the ${view}".` });
  if (view === 'board') {
    const named = /columns?|stages?/i.test(detail) ? namedColumns(detail) : undefined;
    if (!fields.some((f) => f.name === 'status')) fields.push({ name: 'status', label: 'Status', type: 'text', required: true });
    c.board = { field: 'status', columns: named ?? DEFAULT_COLUMNS };
  }
  if (view === 'calendar' || view === 'chart') ensureDate(c);
  if (view === 'chart') {
    const numbers = fields.filter((f) => f.type === 'number');
    const wanted = detail.toLowerCase().match(/[a-z]+/g)?.map(stem) ?? [];
    const value = numbers.find((f) => wanted.includes(stem(f.name.toLowerCase())) || wanted.includes(stem(f.label.toLowerCase()))) ?? numbers.find((f) => f.required) ?? numbers[0];
    if (!value) {
      throw new InputError(`a chart draws a number, and ${c.entity.plural} have no number field`, { hint: 'Add one first, in the same request: "add a price and add a chart of the price".' });
    }
    c.chart = { value: value.name, date: fields.find((f) => f.type === 'date')!.name };
  }
  c.views = VIEW_ORDER.filter((v) => v === view || c.views.includes(v));
  return view === 'chart' ? `added a chart of ${c.chart!.value}` : view === 'board' ? `added a board with columns ${c.board!.columns.join(', ')}` : `added a ${view === 'random' ? 'random pick' : view}`;
}

function ensureDate(c: Composition): void {
  if (!c.entity.fields.some((f) => f.type === 'date')) c.entity.fields.push({ name: 'date', label: 'Date', type: 'date' });
}

function removeView(c: Composition, view: Exclude<ViewKind, 'list'>): string {
  if (!c.views.includes(view)) throw new InputError(`the app has no ${view} to remove`, { hint: `Its views are: ${c.views.join(', ')}.` });
  c.views = c.views.filter((v) => v !== view);
  if (view === 'board' && c.board) {
    // The column field was the board's; the items keep their values in the data file.
    c.entity.fields = c.entity.fields.filter((f) => f.name !== c.board!.field);
    delete c.board;
  }
  if (view === 'chart') delete c.chart;
  return `removed the ${view === 'random' ? 'random pick' : view}`;
}

function setColumns(c: Composition, list: string): string {
  if (!c.board) throw new InputError('the app has no board, so it has no columns', { hint: 'Ask for "add a board with columns backlog, doing and done".' });
  const columns = namedColumns(`columns: ${list}`);
  if (!columns) throw new InputError(`"${list}" is not a list of 2 to 8 column names`, { hint: 'Name them like this: "set the columns to backlog, doing and done".' });
  c.board.columns = columns;
  return `set the board's columns to ${columns.join(', ')}`;
}

function addFields(c: Composition, what: string): string | undefined {
  // Every part must be a field: "a rating and a photo upload button" is not done by half.
  const { fields: named, skipped } = fieldList(what.replace(/^(?:fields?|columns?)\s+(?:for|called|named)?\s*/i, ''));
  if (named.length === 0 || skipped > 0) return undefined;
  const added: string[] = [];
  for (const field of named) {
    if (c.entity.fields.some((f) => f.name === field.name)) throw new InputError(`${c.entity.plural} already have a field ${field.name}`);
    if (c.entity.fields.length >= 12) throw new InputError(`${c.entity.plural} have 12 fields, the most a composed app keeps`, { hint: 'Remove a field first.' });
    c.entity.fields.push(field);
    added.push(`${field.name} (${field.type})`);
  }
  return `added ${added.join(', ')}`;
}

function removeField(c: Composition, what: string): string | undefined {
  const words = what.toLowerCase().match(/[a-z]+/g)?.map(stem).join(' ');
  const field = c.entity.fields.find((f) => stem(f.name.toLowerCase()) === words || f.label.toLowerCase().match(/[a-z]+/g)?.map(stem).join(' ') === words);
  if (!field) return undefined;
  if (field === c.entity.fields[0]) throw new InputError(`${field.name} names each of the ${c.entity.plural}, so it cannot be removed`);
  const view = c.board?.field === field.name ? 'board' : c.chart && [c.chart.value, c.chart.date].includes(field.name) ? 'chart' : c.views.includes('calendar') && field.type === 'date' && c.entity.fields.filter((f) => f.type === 'date').length === 1 ? 'calendar' : undefined;
  if (view) {
    const hint = view === 'board' ? 'Remove the board: its column field goes with it.' : `Remove the ${view} too: "remove the ${view} and remove the ${field.name} field".`;
    throw new InputError(`the ${view} uses ${field.name}, so it cannot be removed on its own`, { hint });
  }
  c.entity.fields = c.entity.fields.filter((f) => f !== field);
  return `removed ${field.name}`;
}
