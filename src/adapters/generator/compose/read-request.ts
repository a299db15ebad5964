import type { Composition, FieldType, ViewKind } from '../../../domain/index.ts';
import { tokenize } from '../template-scorer.ts';

type Field = Composition['entity']['fields'][number];
const f = (name: string, label: string, type: FieldType, required = false): Field => (required ? { name, label, type, required } : { name, label, type });

/** Things people keep, by the words they use for them, with the fields such a thing has. */
const ENTITIES: ReadonlyArray<{ words: readonly string[]; name: string; plural: string; fields: Field[]; views?: ViewKind[] }> = [
  { words: ['recipe', 'cookbook'], name: 'recipe', plural: 'recipes', fields: [f('name', 'Name', 'text', true), f('ingredients', 'Ingredients', 'longtext'), f('steps', 'Steps', 'longtext'), f('tags', 'Tags', 'tags'), f('source', 'Source', 'url')] },
  { words: ['bookmark', 'link', 'url'], name: 'bookmark', plural: 'bookmarks', fields: [f('title', 'Title', 'text', true), f('url', 'URL', 'url', true), f('tags', 'Tags', 'tags')] },
  { words: ['chore', 'housework'], name: 'chore', plural: 'chores', fields: [f('title', 'Chore', 'text', true), f('assignee', 'Who', 'text'), f('due', 'Due', 'date'), f('done', 'Done', 'checkbox')] },
  { words: ['habit', 'streak'], name: 'habit check-in', plural: 'habit check-ins', fields: [f('habit', 'Habit', 'text', true), f('date', 'Date', 'date', true), f('done', 'Done', 'checkbox')], views: ['calendar'] },
  { words: ['weight', 'bodyweight'], name: 'weigh-in', plural: 'weigh-ins', fields: [f('date', 'Date', 'date', true), f('weight', 'Weight (kg)', 'number', true), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['expense', 'spending', 'budget', 'receipt'], name: 'expense', plural: 'expenses', fields: [f('description', 'Description', 'text', true), f('amount', 'Amount', 'number', true), f('date', 'Date', 'date', true), f('category', 'Category', 'tags')], views: ['chart'] },
  { words: ['workout', 'exercise', 'run', 'running'], name: 'workout', plural: 'workouts', fields: [f('activity', 'Activity', 'text', true), f('date', 'Date', 'date', true), f('minutes', 'Minutes', 'number', true)], views: ['chart'] },
  { words: ['sleep'], name: 'night', plural: 'nights', fields: [f('date', 'Date', 'date', true), f('hours', 'Hours slept', 'number', true), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['mood'], name: 'mood entry', plural: 'mood entries', fields: [f('date', 'Date', 'date', true), f('mood', 'Mood (1-5)', 'number', true), f('note', 'Note', 'longtext')], views: ['chart'] },
  { words: ['book', 'reading'], name: 'book', plural: 'books', fields: [f('title', 'Title', 'text', true), f('author', 'Author', 'text'), f('rating', 'Rating', 'number'), f('finished', 'Finished', 'checkbox'), f('tags', 'Tags', 'tags')] },
  { words: ['movie', 'film', 'watchlist', 'show'], name: 'movie', plural: 'movies', fields: [f('title', 'Title', 'text', true), f('year', 'Year', 'number'), f('watched', 'Watched', 'checkbox'), f('tags', 'Tags', 'tags')] },
  { words: ['idea', 'brainstorm'], name: 'idea', plural: 'ideas', fields: [f('title', 'Idea', 'text', true), f('details', 'Details', 'longtext'), f('tags', 'Tags', 'tags')] },
  { words: ['restaurant', 'takeout', 'dinner'], name: 'restaurant', plural: 'restaurants', fields: [f('name', 'Name', 'text', true), f('cuisine', 'Cuisine', 'text'), f('visited', 'Been there', 'checkbox'), f('website', 'Website', 'url')] },
  { words: ['meal'], name: 'meal', plural: 'meals', fields: [f('name', 'Meal', 'text', true), f('date', 'Date', 'date', true), f('notes', 'Notes', 'longtext')], views: ['calendar'] },
  { words: ['event', 'appointment'], name: 'event', plural: 'events', fields: [f('title', 'Title', 'text', true), f('date', 'Date', 'date', true), f('place', 'Place', 'text'), f('notes', 'Notes', 'longtext')], views: ['calendar'] },
  { words: ['plant', 'garden'], name: 'plant', plural: 'plants', fields: [f('name', 'Plant', 'text', true), f('lastWatered', 'Last watered', 'date'), f('notes', 'Notes', 'longtext')] },
  { words: ['shopping', 'grocery'], name: 'thing to buy', plural: 'things to buy', fields: [f('name', 'Item', 'text', true), f('quantity', 'Quantity', 'number'), f('bought', 'Bought', 'checkbox')] },
  { words: ['inventory', 'pantry', 'stock'], name: 'item', plural: 'items', fields: [f('name', 'Item', 'text', true), f('quantity', 'Quantity', 'number'), f('location', 'Where', 'text')] },
  { words: ['gift', 'present', 'wishlist'], name: 'gift', plural: 'gifts', fields: [f('name', 'Gift', 'text', true), f('recipient', 'For', 'text'), f('price', 'Price', 'number'), f('link', 'Link', 'url'), f('bought', 'Bought', 'checkbox')] },
  { words: ['game', 'boardgame'], name: 'game', plural: 'games', fields: [f('name', 'Game', 'text', true), f('players', 'Players', 'text'), f('played', 'Played', 'checkbox'), f('tags', 'Tags', 'tags')] },
  { words: ['application', 'job'], name: 'application', plural: 'applications', fields: [f('company', 'Company', 'text', true), f('role', 'Role', 'text'), f('link', 'Posting', 'url'), f('notes', 'Notes', 'longtext')] },
  { words: ['task', 'card', 'ticket', 'todo'], name: 'task', plural: 'tasks', fields: [f('title', 'Title', 'text', true), f('notes', 'Notes', 'longtext'), f('due', 'Due', 'date'), f('done', 'Done', 'checkbox')] },
];

/** Words that ask for a view beyond the list. */
const VIEW_WORDS: ReadonlyArray<{ view: Exclude<ViewKind, 'list'>; words: readonly string[] }> = [
  { view: 'board', words: ['kanban', 'board', 'stage', 'column', 'pipeline', 'workflow', 'swimlane'] },
  { view: 'calendar', words: ['calendar', 'daily', 'streak', 'habit', 'schedule', 'planner', 'weekly'] },
  { view: 'chart', words: ['chart', 'graph', 'log', 'track', 'tracker', 'progress', 'trend', 'plot'] },
  { view: 'random', words: ['random', 'pick', 'picker', 'decide', 'roulette', 'shuffle', 'idea', 'suggest'] },
];

/** Words that say "a collection of things" about the noun beside them ("a vinyl collection", "a list of plants"). */
const COLLECTION_WORDS = new Set(['list', 'collection', 'catalog', 'catalogue', 'tracker', 'log', 'inventory', 'organizer', 'organiser', 'keeper', 'box', 'manager', 'database', 'library']);
const NOT_A_THING = new Set(['a', 'an', 'the', 'my', 'our', 'simple', 'small', 'little', 'personal', 'family', 'shared', 'app', 'web', 'webapp', 'page', 'site', 'dark', 'light', 'theme', 'with', 'for', 'of', 'to', 'and', 'that', 'which', 'where', 'i', 'we', 'can', 'me', 'us', 'todo', 'time']);

/** Board columns by the words that name a process. */
const COLUMN_SETS: ReadonlyArray<{ words: readonly string[]; columns: string[] }> = [
  { words: ['job', 'application'], columns: ['Applied', 'Interview', 'Offer', 'Closed'] },
  { words: ['bug', 'ticket', 'issue'], columns: ['Open', 'In progress', 'Fixed'] },
];
const DEFAULT_COLUMNS = ['To do', 'Doing', 'Done'];

/** A plain singular/plural for a noun found in the request. */
function plural(noun: string): string {
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

/**
 * What a request asks an app to keep: the first thing it names that Slipway knows the fields of
 * (recipes, chores, weigh-ins …), or a noun beside "list"/"collection"/"tracker" with a name, notes
 * and tags; and the views the words ask for (a board for "kanban", a chart for "log", a calendar for
 * "daily", a random pick for "picker"). Undefined when it names nothing to keep.
 * @example readRequest('a recipe box with tags')?.entity.name // 'recipe'
 * @example readRequest('a weight log')?.views // ['list', 'chart']
 */
export function readRequest(description: string): Composition | undefined {
  // Hyphens as breaks ("recipe-box" holds "recipe"), then joined ("to-do" holds "todo"); words stemmed to singular.
  const { split, joined } = tokenize(description);
  const words = [...split, ...joined];
  const has = (w: string) => words.includes(w);
  const known = ENTITIES.map((e) => ({ e, at: Math.min(...e.words.map((w) => words.indexOf(w)).filter((i) => i >= 0)) })).filter((x) => Number.isFinite(x.at));
  known.sort((a, b) => a.at - b.at);
  const wanted = new Set<ViewKind>(VIEW_WORDS.filter((v) => v.words.some(has)).map((v) => v.view));
  let entity: Composition['entity'];
  const base = known[0]?.e ?? (wanted.has('board') ? ENTITIES.find((e) => e.name === 'task') : undefined);
  if (base) {
    entity = { name: base.name, plural: base.plural, fields: base.fields.map((x) => ({ ...x })) };
    for (const view of base.views ?? []) wanted.add(view);
  } else {
    const noun = collectionNoun(words);
    if (!noun) return undefined;
    entity = { name: noun, plural: plural(noun), fields: [f('name', 'Name', 'text', true), f('notes', 'Notes', 'longtext'), f('tags', 'Tags', 'tags')] };
  }
  return withViews(entity, wanted, words);
}

function collectionNoun(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    if (!COLLECTION_WORDS.has(words[i]!)) continue;
    // "a list of plants" / "a vinyl collection"
    const after = words[i + 1] === 'of' ? words.slice(i + 2).find((w) => !NOT_A_THING.has(w)) : undefined;
    const before = words[i - 1];
    const noun = after ?? (before && !NOT_A_THING.has(before) && !COLLECTION_WORDS.has(before) ? before : undefined);
    if (noun && /^[a-z]{3,20}$/.test(noun)) return noun;
  }
  return undefined;
}

/** Adds the fields each wanted view needs; a chart needs a measure (a required number: a weight, an amount), not a rating or a year. */
function withViews(entity: Composition['entity'], wanted: Set<ViewKind>, words: readonly string[]): Composition {
  const fields = entity.fields;
  const composition: Composition = { entity, views: ['list'] };
  const ensureDate = () => fields.find((x) => x.type === 'date') ?? (fields.push(f('date', 'Date', 'date', true)), fields.at(-1)!);
  if (wanted.has('board')) {
    const columns = COLUMN_SETS.find((s) => s.words.some((w) => words.includes(w)))?.columns ?? DEFAULT_COLUMNS;
    fields.push(f('status', 'Status', 'text', true));
    composition.views.push('board');
    composition.board = { field: 'status', columns };
  }
  if (wanted.has('calendar')) {
    ensureDate();
    composition.views.push('calendar');
  }
  const value = fields.find((x) => x.type === 'number' && x.required);
  if (wanted.has('chart') && value) {
    composition.views.push('chart');
    composition.chart = { value: value.name, date: ensureDate().name };
  }
  if (wanted.has('random')) composition.views.push('random');
  return composition;
}
