import type { Composition, FieldType, ViewKind } from '../../../domain/index.ts';
import { stem, tokenize } from '../template-scorer.ts';

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
  { words: ['workout', 'exercise', 'run', 'running', 'jog', 'cycling', 'ride'], name: 'workout', plural: 'workouts', fields: [f('activity', 'Activity', 'text', true), f('date', 'Date', 'date', true), f('minutes', 'Minutes', 'number', true), f('distance', 'Distance (km)', 'number')], views: ['chart'] },
  { words: ['sleep'], name: 'night', plural: 'nights', fields: [f('date', 'Date', 'date', true), f('hours', 'Hours slept', 'number', true), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['mood'], name: 'mood entry', plural: 'mood entries', fields: [f('date', 'Date', 'date', true), f('mood', 'Mood (1-5)', 'number', true), f('note', 'Note', 'longtext')], views: ['chart'] },
  { words: ['pressure', 'bloodpressure'], name: 'blood pressure reading', plural: 'blood pressure readings', fields: [f('date', 'Date', 'date', true), f('systolic', 'Systolic (mmHg)', 'number', true), f('diastolic', 'Diastolic (mmHg)', 'number', true), f('pulse', 'Pulse (bpm)', 'number'), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['fuel', 'petrol', 'diesel', 'gasoline', 'oil', 'fillup', 'refuel', 'mileage'], name: 'fill-up', plural: 'fill-ups', fields: [f('date', 'Date', 'date', true), f('litres', 'Litres', 'number', true), f('cost', 'Cost', 'number', true), f('odometer', 'Odometer (km)', 'number'), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['meter', 'electricity', 'kwh', 'utility'], name: 'meter reading', plural: 'meter readings', fields: [f('date', 'Date', 'date', true), f('reading', 'Reading', 'number', true), f('meter', 'Meter', 'text'), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['temperature', 'glucose', 'measurement'], name: 'reading', plural: 'readings', fields: [f('date', 'Date', 'date', true), f('value', 'Value', 'number', true), f('note', 'Note', 'text')], views: ['chart'] },
  { words: ['contact', 'phonebook', 'addressbook'], name: 'contact', plural: 'contacts', fields: [f('name', 'Name', 'text', true), f('phone', 'Phone', 'text'), f('email', 'Email', 'text'), f('birthday', 'Birthday', 'date'), f('address', 'Address', 'longtext')] },
  { words: ['book', 'reading'], name: 'book', plural: 'books', fields: [f('title', 'Title', 'text', true), f('author', 'Author', 'text'), f('rating', 'Rating', 'number'), f('finished', 'Finished', 'checkbox'), f('tags', 'Tags', 'tags')] },
  { words: ['movie', 'film', 'watchlist', 'show'], name: 'movie', plural: 'movies', fields: [f('title', 'Title', 'text', true), f('year', 'Year', 'number'), f('watched', 'Watched', 'checkbox'), f('tags', 'Tags', 'tags')] },
  { words: ['idea', 'brainstorm'], name: 'idea', plural: 'ideas', fields: [f('title', 'Idea', 'text', true), f('details', 'Details', 'longtext'), f('tags', 'Tags', 'tags')] },
  { words: ['restaurant', 'takeout', 'takeaway', 'cafe'], name: 'restaurant', plural: 'restaurants', fields: [f('name', 'Name', 'text', true), f('cuisine', 'Cuisine', 'text'), f('visited', 'Been there', 'checkbox'), f('website', 'Website', 'url')] },
  { words: ['meal', 'dinner', 'lunch', 'breakfast'], name: 'meal', plural: 'meals', fields: [f('name', 'Meal', 'text', true), f('date', 'Date', 'date'), f('notes', 'Notes', 'longtext')] },
  { words: ['event', 'appointment'], name: 'event', plural: 'events', fields: [f('title', 'Title', 'text', true), f('date', 'Date', 'date', true), f('place', 'Place', 'text'), f('notes', 'Notes', 'longtext')], views: ['calendar'] },
  { words: ['plant', 'garden'], name: 'plant', plural: 'plants', fields: [f('name', 'Plant', 'text', true), f('lastWatered', 'Last watered', 'date'), f('notes', 'Notes', 'longtext')] },
  { words: ['shopping', 'grocery'], name: 'thing to buy', plural: 'things to buy', fields: [f('name', 'Item', 'text', true), f('quantity', 'Quantity', 'number'), f('bought', 'Bought', 'checkbox')] },
  { words: ['inventory', 'pantry', 'stock'], name: 'item', plural: 'items', fields: [f('name', 'Item', 'text', true), f('quantity', 'Quantity', 'number'), f('location', 'Where', 'text')] },
  { words: ['gift', 'present', 'wishlist'], name: 'gift', plural: 'gifts', fields: [f('name', 'Gift', 'text', true), f('recipient', 'For', 'text'), f('price', 'Price', 'number'), f('link', 'Link', 'url'), f('bought', 'Bought', 'checkbox')] },
  { words: ['game', 'boardgame'], name: 'game', plural: 'games', fields: [f('name', 'Game', 'text', true), f('players', 'Players', 'text'), f('played', 'Played', 'checkbox'), f('tags', 'Tags', 'tags')] },
  { words: ['application', 'jobhunt', 'applicant'], name: 'application', plural: 'applications', fields: [f('company', 'Company', 'text', true), f('role', 'Role', 'text'), f('link', 'Posting', 'url'), f('notes', 'Notes', 'longtext')] },
  { words: ['task', 'card', 'ticket', 'todo'], name: 'task', plural: 'tasks', fields: [f('title', 'Title', 'text', true), f('notes', 'Notes', 'longtext'), f('due', 'Due', 'date'), f('done', 'Done', 'checkbox')] },
];

/** Words that ask for a view beyond the list. */
const VIEW_WORDS: ReadonlyArray<{ view: Exclude<ViewKind, 'list'>; words: readonly string[] }> = [
  { view: 'board', words: ['kanban', 'board', 'stage', 'column', 'pipeline', 'workflow', 'swimlane'] },
  { view: 'calendar', words: ['calendar', 'daily', 'streak', 'habit', 'schedule', 'planner', 'plan', 'weekly'] },
  { view: 'chart', words: ['chart', 'graph', 'log', 'track', 'tracker', 'progress', 'trend', 'plot'] },
  { view: 'random', words: ['random', 'pick', 'picker', 'decide', 'roulette', 'shuffle', 'suggest'] },
];

/** Words that say "a collection of things" about the noun beside them ("a vinyl collection", "a list of plants"). */
const COLLECTION_WORDS = new Set(['list', 'collection', 'catalog', 'catalogue', 'tracker', 'log', 'inventory', 'organizer', 'organiser', 'keeper', 'box', 'manager', 'database', 'library', 'cellar', 'shelf', 'rack', 'closet', 'wardrobe', 'archive']);
const NOT_A_THING = new Set(['a', 'an', 'the', 'my', 'our', 'simple', 'small', 'little', 'personal', 'family', 'shared', 'app', 'web', 'webapp', 'page', 'site', 'dark', 'light', 'theme', 'with', 'for', 'of', 'to', 'and', 'that', 'which', 'where', 'i', 'we', 'can', 'me', 'us', 'todo', 'time']);

/** Board columns by the words that name a process. */
const COLUMN_SETS: ReadonlyArray<{ words: readonly string[]; columns: string[] }> = [
  { words: ['application', 'applicant', 'hiring', 'interview'], columns: ['Applied', 'Interview', 'Offer', 'Closed'] },
  { words: ['bug', 'ticket', 'issue'], columns: ['Open', 'In progress', 'Fixed'] },
];
export const DEFAULT_COLUMNS = ['To do', 'Doing', 'Done'];

/** A plain singular/plural for a noun found in the request. */
function plural(noun: string): string {
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

/** Two words that name one thing: a board game is a game, not a board. */
const COMPOUNDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bboard[\s-]+game/gi, 'boardgame'],
  [/\baddress[\s-]+book/gi, 'addressbook'],
  [/\bphone[\s-]+book/gi, 'phonebook'],
  [/\bblood[\s-]+pressure/gi, 'bloodpressure'],
  [/\bjob[\s-]+(hunt|search)/gi, 'jobhunt'],
];
const SUBJECTS = new Set(['i', 'we', 'you', 'they']);
/** Words after a thing's name that make it an organisation or an occasion ("our book club", "the garden shop"), not the thing kept. */
const NOT_KEPT_AFTER = new Set(['club', 'group', 'society', 'shop', 'store', 'business', 'company', 'party', 'fair', 'festival']);

/**
 * What a request asks an app to keep: the first thing it names that Slipway knows the fields of
 * (recipes, chores, weigh-ins …), or a noun beside "list"/"collection"/"tracker" with a name, notes
 * and tags; the fields it names after "with" ("with vintage, region and tasting notes"); and the
 * views the words ask for (a board for "kanban", a chart for "log", a calendar for "daily", a random
 * pick for "picker"), with the columns it names ("columns for open, in progress and fixed").
 * Undefined when it names nothing to keep.
 * @example readRequest('a recipe box with tags')?.entity.name // 'recipe'
 * @example readRequest('a weight log')?.views // ['list', 'chart']
 */
export function readRequest(request: string): Composition | undefined {
  const description = COMPOUNDS.reduce((text, [words, one]) => text.replace(words, one), request);
  // Hyphens as breaks ("recipe-box" holds "recipe"), then joined ("to-do" holds "todo"); words stemmed to singular.
  const { split, joined } = tokenize(description);
  const words = [...split, ...joined];
  const wanted = new Set<ViewKind>(VIEW_WORDS.filter((v) => v.words.some((w) => words.includes(w))).map((v) => v.view));
  // The thing kept is named before the fields it has ("my bikes with … receipt link"): look there first.
  const thing = keptThing(description.split(/\bwith\b/i)[0]!) ?? keptThing(description);
  const base = thing?.base ?? (wanted.has('board') ? ENTITIES.find((e) => e.name === 'task') : undefined);
  const named = namedFields(description);
  let entity: Composition['entity'];
  if (base) {
    entity = { name: base.name, plural: base.plural, fields: base.fields.map((x) => ({ ...x })) };
    for (const view of base.views ?? []) wanted.add(view);
  } else if (thing?.noun) {
    entity = { name: thing.noun, plural: plural(thing.noun), fields: [f('name', 'Name', 'text', true)] };
    // The fields it names, then notes and tags unless it named its own.
    named.push(...[f('notes', 'Notes', 'longtext'), f('tags', 'Tags', 'tags')].filter((d) => !named.some((x) => x.type === d.type)));
  } else {
    return undefined;
  }
  for (const field of named) {
    // "phone numbers" is the contact's phone, "player count" the game's players.
    const words = field.label.toLowerCase().split(' ').map(stem);
    const same = entity.fields.some((x) => x.name === field.name || words.includes(stem(x.name.toLowerCase())) || (x.type === field.type && (x.type === 'url' || x.type === 'tags')));
    if (!same && entity.fields.length < MAX_FIELDS - 2) entity.fields.push(field);
  }
  return withViews(entity, wanted, words, description);
}

/** The thing a text names to keep: one Slipway knows the fields of, else a noun beside "list", "collection" …. */
function keptThing(text: string): { base?: (typeof ENTITIES)[number]; noun?: string } | undefined {
  const { split, joined } = tokenize(text);
  const found: Array<{ e: (typeof ENTITIES)[number]; at: number; pool: number }> = [];
  for (const words of [split, joined]) {
    words.forEach((w, i) => {
      // Not "our book club", and not a verb after its subject ("the websites I run").
      if (NOT_KEPT_AFTER.has(words[i + 1] ?? '') || SUBJECTS.has(words[i - 1] ?? '')) return;
      // The things a pick is made from come first ("a dinner picker from our favourite restaurants").
      const pool = words.slice(Math.max(0, i - 3), i).some((x) => x === 'from' || x === 'among') ? 0 : 1;
      for (const e of ENTITIES) if (e.words.includes(w)) found.push({ e, at: i, pool });
    });
  }
  found.sort((a, b) => a.pool - b.pool || a.at - b.at);
  if (found[0]) return { base: found[0].e };
  const noun = collectionNoun(split) ?? collectionNoun(joined);
  return noun ? { noun } : undefined;
}

/** Room for the fields a view adds (a status, a date). */
const MAX_FIELDS = 12;

/** Words that say what kind of value a field holds, by the last word of its name. */
const TYPE_WORDS: ReadonlyArray<{ type: FieldType; words: readonly string[] }> = [
  { type: 'text', words: ['phone', 'mobile', 'telephone', 'email', 'isbn', 'code', 'serial'] },
  { type: 'number', words: ['percentage', 'percent', 'bmi', 'year', 'vintage', 'count', 'number', 'rating', 'score', 'price', 'cost', 'amount', 'quantity', 'qty', 'age', 'weight', 'height', 'length', 'distance', 'minute', 'hour', 'calorie', 'page', 'size', 'value', 'total', 'level', 'star', 'budget', 'km', 'mile', 'litre', 'liter', 'kg', 'reading', 'temperature'] },
  { type: 'date', words: ['date', 'birthday', 'day', 'deadline', 'due', 'anniversary', 'expiry', 'when'] },
  { type: 'longtext', words: ['note', 'description', 'step', 'ingredient', 'instruction', 'comment', 'detail', 'review', 'summary', 'address', 'direction'] },
  { type: 'url', words: ['link', 'url', 'website', 'homepage', 'web'] },
  { type: 'tags', words: ['tag', 'category', 'genre', 'label', 'keyword'] },
  { type: 'checkbox', words: ['done', 'watched', 'finished', 'bought', 'visited', 'owned', 'completed', 'favourite', 'favorite', 'paid'] },
];

/** Words that end the list of fields after "with" ("… with author and rating that I can search"). */
const CLAUSE_END = /[.;!?()]|\b(?:that|which|who|where|so|to|for|from|by|plus|including|sorted|grouped|using|via|and then)\b/i;
/** Words that end one field's name: a unit or a detail ("age in months", "price per kilo"). */
const PART_END = /\b(?:in|per|on|at|of)\b/i;
/** A "field" holding one of these is a feature or a look, not a value ("with a chart", "with a dark theme"). */
const NOT_A_FIELD = new Set(['chart', 'graph', 'plot', 'calendar', 'board', 'column', 'stage', 'view', 'button', 'theme', 'dark', 'light', 'mode', 'search', 'sort', 'filter', 'picker', 'page', 'form', 'api', 'login', 'password', 'database', 'postgres', 'sqlite', 'color', 'colour', 'style', 'design', 'layout', 'icon', 'image', 'photo', 'picture', 'i', 'we', 'you', 'my', 'our', 'your', 'it', 'each', 'every', 'one', 'them', 'random', 'option', 'way', 'place', 'space', 'room', 'history', 'export', 'import']);

/**
 * The fields a request names after "with": "a wine list with vintage, region and tasting notes" has
 * a vintage (a number), a region (text) and tasting notes (long text). Names of one to three words;
 * a part that reads as a feature or a sentence is left out.
 * @example namedFields('books with author and rating').map((f) => f.name) // ['author', 'rating']
 */
export function namedFields(description: string): Field[] {
  const after = /\bwith\b(.*)$/is.exec(description)?.[1];
  return after ? fieldList(after.split(CLAUSE_END)[0] ?? '').fields : [];
}

/**
 * The fields in a list of names ("vintage, region and tasting notes"), and how many parts of it were
 * not a field: a change asks for every part to be one.
 */
export function fieldList(list: string): { fields: Field[]; skipped: number } {
  const fields: Field[] = [];
  let skipped = 0;
  for (const whole of list.split(/,|\band\b|\bor\b|&|\//i)) {
    if (whole.trim() === '') continue;
    const part = whole.split(PART_END)[0] ?? '';
    const raw = part.toLowerCase().match(/[a-z]+/g) ?? [];
    const phrase = raw.filter((w, i) => !(i === 0 && ['a', 'an', 'the', 'their', 'its', 'some', 'any'].includes(w)));
    const stems = phrase.map(stem);
    if (phrase.length === 0 || phrase.length > 3 || raw.length !== part.trim().split(/\s+/).length || stems.some((w) => NOT_A_FIELD.has(w) || w.length < 2)) {
      skipped++;
      continue;
    }
    const last = stems.at(-1)!;
    const type = TYPE_WORDS.find((t) => stems.some((w) => t.type === 'text' && t.words.includes(w)))?.type ?? TYPE_WORDS.find((t) => t.words.includes(last))?.type ?? 'text';
    // A plural names one value per item ("birthdays", "phone numbers"), except notes and tags, which are many.
    const label = (type === 'longtext' || type === 'tags' ? phrase : [...phrase.slice(0, -1), last]).join(' ');
    const name = label.replace(/ ([a-z])/g, (_, c: string) => c.toUpperCase()).slice(0, 40);
    if (fields.some((x) => x.name === name) || fields.length >= 8) continue;
    fields.push(f(name, label[0]!.toUpperCase() + label.slice(1), type));
  }
  return { fields, skipped };
}

/** The columns a request names for its board: "columns for open, in progress and fixed", "stages: applied, interview, offer". */
export function namedColumns(description: string): string[] | undefined {
  const match = /\b(?:columns?|stages?|statuses|states|lanes?|phases?)\b\s*(?:for|like|called|named|of|:|-)?\s*([^.;()]+)/i.exec(description);
  if (!match) return undefined;
  const parts = match[1]!.split(/,|\band\b|\bor\b|\bthen\b|→|->|\//i).map((p) => p.trim().replace(/^(?:the|a|an)\s+/i, ''));
  const columns = parts.filter((p) => /^[a-z][a-z ]{0,38}[a-z]$/i.test(p) && p.split(/\s+/).length <= 3);
  if (columns.length < 2 || columns.length > 8 || columns.length !== parts.length) return undefined;
  return columns.map((c) => c[0]!.toUpperCase() + c.slice(1).toLowerCase());
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
function withViews(entity: Composition['entity'], wanted: Set<ViewKind>, words: readonly string[], description: string): Composition {
  const fields = entity.fields;
  const composition: Composition = { entity, views: ['list'] };
  const ensureDate = () => fields.find((x) => x.type === 'date') ?? (fields.push(f('date', 'Date', 'date', true)), fields.at(-1)!);
  if (wanted.has('board')) {
    const columns = namedColumns(description) ?? COLUMN_SETS.find((s) => s.words.some((w) => words.includes(w)))?.columns ?? DEFAULT_COLUMNS;
    fields.push(f('status', 'Status', 'text', true));
    composition.views.push('board');
    composition.board = { field: 'status', columns };
  }
  if (wanted.has('calendar')) {
    ensureDate();
    composition.views.push('calendar');
  }
  // The number the request asks to chart ("chart the cost"), else one it names ("my running distance"), else the first required one.
  const charted = words.flatMap((w, i) => (['chart', 'graph', 'plot'].includes(w) ? words.slice(i + 1, i + 4) : []));
  const numbers = fields.filter((x) => x.type === 'number');
  const named = (among: readonly string[]) => numbers.find((x) => among.includes(stem(x.name.toLowerCase())));
  // A thing without a required number (a book's rating, a film's year) is not measured over time.
  const value = numbers.some((x) => x.required) ? (named(charted) ?? named(words) ?? numbers.find((x) => x.required)) : undefined;
  if (wanted.has('chart') && value) {
    composition.views.push('chart');
    composition.chart = { value: value.name, date: ensureDate().name };
  }
  if (wanted.has('random')) composition.views.push('random');
  return composition;
}
