// The page talks to the JSON API. Stored text is always put in with textContent (never as HTML),
// and links only get http(s) addresses, so whatever is stored is shown, not run.
const form = document.getElementById('edit');
const saveButton = document.getElementById('save');
const cancelButton = document.getElementById('cancel');
const errorBox = document.getElementById('error');
const template = document.getElementById('item');
let editing = null;

{{> fetch-json.js}}

const isWebUrl = (value) => /^https?:\/\//i.test(value);

/** A fresh copy of the item template with its text slots filled. */
function itemFrom(values) {
  const item = template.content.firstElementChild.cloneNode(true);
  for (const [slot, value] of Object.entries(values)) {
    const element = item.querySelector(`.${slot}`);
    if (element) element.textContent = value;
  }
  return item;
}

/** Fills the form with an item's values; saving then changes that item instead of adding one. */
function startEditing(key, values) {
  editing = key;
  for (const [name, value] of Object.entries(values)) form.elements[name].value = value;
  saveButton.textContent = 'Save';
  cancelButton.hidden = false;
  form.elements[0].focus();
}

function stopEditing() {
  editing = null;
  form.reset();
  saveButton.textContent = 'Add';
  cancelButton.hidden = true;
}

cancelButton.addEventListener('click', stopEditing);
form.addEventListener('submit', (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(form));
  run(async () => {
    await save(values, editing);
    stopEditing();
  });
});
