import { withArticle, type Composition } from '../../../domain/index.ts';
import { includeParts, type TemplateParts } from '../template-parts.ts';
import { VIEW_PARTS } from './views/index.ts';

type Field = Composition['entity']['fields'][number];

/** One labelled input per field, typed by the field's type; the board field is a select of its columns. */
function input(field: Field, composition: Composition, escape: (text: string) => string): string {
  const id = `field-${field.name}`;
  const label = escape(field.label);
  const required = field.required && field.type !== 'checkbox' ? ' required' : '';
  if (composition.board?.field === field.name) {
    const options = composition.board.columns.map((c) => `<option>${escape(c)}</option>`).join('');
    return `<label for="${id}">${label}</label><select id="${id}" name="${field.name}"${required}>${options}</select>`;
  }
  switch (field.type) {
    case 'longtext':
      return `<label for="${id}">${label}</label><textarea id="${id}" name="${field.name}" rows="3" maxlength="5000"${required}></textarea>`;
    case 'checkbox':
      return `<label class="check" for="${id}"><input id="${id}" name="${field.name}" type="checkbox"> ${label}</label>`;
    case 'tags':
      return `<label for="${id}">${label} <span class="muted">(separated by commas)</span></label><input id="${id}" name="${field.name}" autocomplete="off"${required}>`;
    default: {
      const type = { text: 'text', number: 'number" step="any', date: 'date', url: 'url' }[field.type];
      const max = field.type === 'text' ? ' maxlength="200"' : '';
      return `<label for="${id}">${label}</label><input id="${id}" name="${field.name}" type="${type}"${max} autocomplete="off"${required}>`;
    }
  }
}

/** The add/edit form. */
export function formMarkup(composition: Composition, escape: (text: string) => string): string {
  const fields = composition.entity.fields.map((f) => `    <div class="field">${input(f, composition, escape)}</div>`).join('\n');
  const name = escape(withArticle(composition.entity.name));
  return `<form id="form" class="form" aria-labelledby="form-heading" novalidate>
    <h2 id="form-heading">Add ${name}</h2>
${fields}
    <div class="actions"><button type="submit" id="submit">Add</button> <button type="button" id="cancel" class="secondary" hidden>Cancel</button></div>
    <p id="error" class="error" role="alert" hidden></p>
  </form>`;
}

/** The page: the head the templates share, heading, the form, then each view's section in the order planned. */
export function pageMarkup(composition: Composition, form: string, parts: TemplateParts): string {
  const sections = composition.views.map((v) => VIEW_PARTS[v].markup).join('\n  ');
  return `${includeParts('composed/public/index.html', '{{> page-head.html}}', parts)}
<body>
<main class="panel">
  <h1>{{heading}}</h1>
  <p class="muted">{{description}}</p>
  ${form}
  ${sections}
</main>
<script type="module" src="/app.js"></script>
</body>
</html>
`;
}

export function readmeText(composition: Composition): string {
  const fields = composition.entity.fields.map((f) => `| ${f.name} | ${f.type}${f.required ? ', required' : ''} |`).join('\n');
  return `# {{title}}

{{description}}

An app that keeps ${composition.entity.plural}, with these views: ${composition.views.join(', ')}. Node's built-ins only, no \`npm install\`.

## Run

\`\`\`sh
node server.js                          # http://localhost:8080, data in ./data
PORT=3000 DATA_DIR=/var/lib/app node server.js
\`\`\`

## Fields

| Field | Type |
|---|---|
${fields}

## API

| Request | Does |
|---|---|
| \`GET /api/items\` | list the items, newest first |
| \`POST /api/items\` with the fields as JSON | add an item (201) |
| \`PUT /api/items/<id>\` with the fields as JSON | replace an item's fields |
| \`DELETE /api/items/<id>\` | delete an item (204) |
| \`GET /healthz\` | \`{"status":"ok"}\` |

Items are kept in \`$DATA_DIR/items.json\`; every change writes a temporary file and renames it over
the old one. Every field is checked by the server: a wrong value is refused with a 400 naming the field.
`;
}

/** The stylesheet: the templates' colour variables and base rules, then the composed app's own. */
export function stylesText(parts: TemplateParts): string {
  return includeParts('composed/public/styles.css', STYLES, parts);
}

const STYLES = `:root {
  {{> theme-vars.css}}
}

{{> base.css}}

.panel { width: min(56rem, 94vw); margin: 2rem auto; padding: 1.5rem 2rem; border-radius: 1rem; background: var(--surface); box-shadow: 0 6px 24px rgb(0 0 0 / 0.12); }
h1 { margin: 0 0 0.25rem; }
h1, h2, h3 { overflow-wrap: anywhere; }
section, .form { margin-top: 1.5rem; }
.muted { color: var(--muted); }
.error { color: #dc2626; }
.field { display: flex; flex-direction: column; gap: 0.2rem; margin-bottom: 0.6rem; }
input, textarea, select { font: inherit; padding: 0.5rem 0.7rem; border-radius: 0.5rem; border: 1px solid var(--muted); background: var(--bg); color: var(--text); }
.check { flex-direction: row; display: flex; gap: 0.5rem; align-items: center; }
input[type="checkbox"] { accent-color: var(--accent); }
button { font: inherit; cursor: pointer; border: 0; border-radius: 0.5rem; padding: 0.5rem 1rem; background: var(--accent); color: #fff; font-weight: 600; }
button.secondary { background: transparent; color: var(--text); border: 1px solid var(--muted); }
button.danger { background: transparent; color: var(--text); border: 1px solid #dc2626; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 1rem; margin-bottom: 0.5rem; }
.items { list-style: none; padding: 0; margin: 0; }
.item { padding: 0.6rem 0; border-bottom: 1px solid color-mix(in srgb, var(--muted) 30%, transparent); overflow-wrap: anywhere; }
.item dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 0.8rem; margin: 0.3rem 0; }
.item dt { color: var(--muted); }
.item dd { margin: 0; white-space: pre-wrap; }
.item button { margin-right: 0.5rem; }
/* Links in the text colour with an accent underline: readable on light and dark pages whatever the accent. */
a { color: var(--text); text-decoration-color: var(--accent); text-decoration-thickness: 0.12em; text-underline-offset: 0.2em; }
.board { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 1rem; }
.column { background: var(--bg); border-radius: 0.5rem; padding: 0.5rem; }
.column ul { list-style: none; padding: 0; margin: 0; }
.card { display: flex; flex-direction: column; gap: 0.3rem; background: var(--surface); border-radius: 0.4rem; padding: 0.5rem; margin-bottom: 0.5rem; overflow-wrap: anywhere; }
.calendar { display: grid; grid-template-columns: repeat(7, 1fr); gap: 0.3rem; list-style: none; padding: 0; }
.day { text-align: center; padding: 0.4rem 0; border-radius: 0.3rem; border: 1px solid color-mix(in srgb, var(--muted) 40%, transparent); }
.day.on { background: var(--accent); color: #fff; font-weight: 600; }
.chart { width: 100%; height: auto; background: var(--bg); border-radius: 0.5rem; }
.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
.chart circle { fill: var(--accent); }
.chart text { fill: var(--muted); font-size: 13px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 30rem) { .panel { padding: 1rem; } }
`;
