import { withArticle, type Composition } from '../../../domain/index.ts';
import { VIEW_PARTS } from './views/index.ts';

/** JSON for inside a script: `<`, `>` and `&` escaped, so no value can close the script or start markup. */
const inertJson = (value: unknown) => JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The page's script: the shared part (load, save, delete, the form) and each view's part. Items are
 * rendered with textContent only, so stored markup shows as text.
 */
export function appScript(composition: Composition): string {
  const views = composition.views.map((v) => VIEW_PARTS[v].script).join('');
  return `// The page's script: loads the items from /api/items and renders each view. Data goes into the page as text only.
const FIELDS = ${inertJson(composition.entity.fields)};
const BOARD = ${inertJson(composition.board ?? null)};
const CHART = ${inertJson(composition.chart ?? null)};
const NAME = ${inertJson(composition.entity.name)};
const ADD_HEADING = ${inertJson(`Add ${withArticle(composition.entity.name)}`)};
const VIEWS = [];
let items = [];
let editing = null;

const $ = (id) => document.getElementById(id);
function el(tag, className = '', text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
function display(field, value) {
  if (field.type === 'checkbox') return value ? 'yes' : 'no';
  if (field.type === 'tags') return (value || []).join(', ');
  return value === null || value === undefined ? '' : String(value);
}
function compare(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return display({ type: Array.isArray(a) ? 'tags' : 'text' }, a).localeCompare(display({ type: Array.isArray(b) ? 'tags' : 'text' }, b));
}
function showError(message) {
  $('error').textContent = message || '';
  $('error').hidden = !message;
}
function render() {
  for (const view of VIEWS) view();
}
async function call(method, path, body) {
  const response = await fetch(path, body === undefined ? { method } : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || 'the server answered ' + response.status);
  return response.status === 204 ? undefined : response.json();
}
async function reload() {
  items = await call('GET', '/api/items');
  render();
}
async function saveItem(id, values) {
  try {
    await call(id ? 'PUT' : 'POST', id ? '/api/items/' + id : '/api/items', values);
    showError('');
    await reload();
    return true;
  } catch (error) {
    showError(error.message);
    return false;
  }
}
async function removeItem(item) {
  try {
    await call('DELETE', '/api/items/' + item.id);
    await reload();
  } catch (error) {
    showError(error.message);
  }
}
function formValues() {
  const values = {};
  for (const f of FIELDS) {
    const input = $('field-' + f.name);
    if (f.type === 'checkbox') values[f.name] = input.checked;
    else if (f.type === 'tags') values[f.name] = input.value.split(',').map((t) => t.trim()).filter(Boolean);
    else if (f.type === 'number') values[f.name] = input.value === '' ? null : Number(input.value);
    else values[f.name] = input.value;
  }
  return values;
}
function startEdit(item) {
  editing = item.id;
  for (const f of FIELDS) {
    const input = $('field-' + f.name);
    if (f.type === 'checkbox') input.checked = Boolean(item[f.name]);
    else input.value = display(f, item[f.name]);
  }
  $('form-heading').textContent = 'Edit ' + NAME;
  $('submit').textContent = 'Save';
  $('cancel').hidden = false;
  $('field-' + FIELDS[0].name).focus();
}
function resetForm() {
  editing = null;
  $('form').reset();
  $('form-heading').textContent = ADD_HEADING;
  $('submit').textContent = 'Add';
  $('cancel').hidden = true;
}
$('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (await saveItem(editing, formValues())) resetForm();
});
$('cancel').addEventListener('click', resetForm);
${views}
reload().catch((error) => showError(error.message));
`;
}
