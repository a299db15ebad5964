/** A random pick among the items, for when deciding is the hard part. */
export const randomMarkup = `<section aria-labelledby="random-heading">
  <h2 id="random-heading">Pick one for me</h2>
  <button id="pick" type="button">Pick at random</button>
  <p id="picked" aria-live="polite"></p>
</section>`;

export const randomScript = `
$('pick').addEventListener('click', () => {
  const item = items[Math.floor(Math.random() * items.length)];
  $('picked').textContent = item ? display(FIELDS[0], item[FIELDS[0].name]) : 'Add something first.';
});
`;
