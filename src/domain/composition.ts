import { z } from 'zod';

/** The kinds of value a composed app's field holds; each has its own input and server-side check. */
export const FieldType = z.enum(['text', 'longtext', 'number', 'date', 'checkbox', 'tags', 'url']);
export type FieldType = z.infer<typeof FieldType>;

/** The views a composed app can show its items in; `list` (with search, sort, edit) is always there, first. */
export const ViewKind = z.enum(['list', 'board', 'calendar', 'chart', 'random']);
export type ViewKind = z.infer<typeof ViewKind>;

const Name = z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/, 'a camelCase name of letters and digits');

/**
 * What the offline generator understood a request to keep: one kind of item (its fields and their
 * types) and the views to show the items in. Shown in the plan, so a wrong guess is visible.
 */
export const Composition = z.object({
  entity: z.object({
    name: z.string().min(1).max(40),
    plural: z.string().min(1).max(40),
    fields: z.array(z.object({ name: Name, label: z.string().min(1).max(60), type: FieldType, required: z.boolean().optional() })).min(1).max(12),
  }),
  views: z.array(ViewKind).min(1),
  /** The board's column field (a text field with fixed choices) and its columns. */
  board: z.object({ field: Name, columns: z.array(z.string().min(1).max(40)).min(2).max(8) }).optional(),
  /** The chart's number field and date field. */
  chart: z.object({ value: Name, date: Name }).optional(),
});
export type Composition = z.infer<typeof Composition>;

/**
 * A composition in words, for the plan line and reports: what is kept, its fields and the views.
 * @example describeComposition(c) // 'weigh-ins (date: date*, weight: number*, note: text); views list, chart'
 */
export function describeComposition(composition: Composition): string {
  const fields = composition.entity.fields.map((f) => `${f.name}: ${f.type}${f.required ? '*' : ''}`).join(', ');
  return `${composition.entity.plural} (${fields}); views ${composition.views.join(', ')}`;
}

/**
 * The item's name with its indefinite article, for "Add a recipe" and "Add an idea".
 * @example withArticle('idea') // 'an idea'
 */
export function withArticle(name: string): string {
  return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
}
