/** A random pick among the items, for when deciding is the hard part. */
export const randomMarkup = `<section aria-labelledby="random-heading">
  <h2 id="random-heading">Pick one for me</h2>
  <button id="pick" type="button">Pick at random</button>
  <p id="picked" aria-live="polite"></p>
</section>`;

// The pick is shown again after every change, so an edited item shows its new name and a deleted one goes.
export const randomScript = `
let pickedId = null;
function renderPick() {
  const item = items.find((i) => i.id === pickedId);
  if (!item) pickedId = null;
  $('picked').textContent = item ? display(FIELDS[0], item[FIELDS[0].name]) : '';
}
$('pick').addEventListener('click', () => {
  const item = items[Math.floor(Math.random() * items.length)];
  pickedId = item ? item.id : null;
  renderPick();
  if (!item) $('picked').textContent = 'Add something first.';
});
VIEWS.push(renderPick);
`;
