/** A board: one column per choice of the board field; an item moves with its column select. */
export const boardMarkup = `<section aria-labelledby="board-heading">
  <h2 id="board-heading">Board</h2>
  <div id="board" class="board"></div>
</section>`;

export const boardScript = `
function renderBoard() {
  $('board').replaceChildren(...BOARD.columns.map((column) => {
    const col = el('div', 'column');
    col.append(el('h3', '', column));
    const ul = el('ul');
    // An item from before the board, or from a column since renamed, waits in the first column.
    for (const item of items.filter((i) => (BOARD.columns.includes(i[BOARD.field]) ? i[BOARD.field] : BOARD.columns[0]) === column)) {
      const li = el('li', 'card', display(FIELDS[0], item[FIELDS[0].name]));
      const move = el('select');
      move.setAttribute('aria-label', 'Move ' + display(FIELDS[0], item[FIELDS[0].name]));
      for (const c of BOARD.columns) move.append(new Option(c, c, false, c === column));
      move.addEventListener('change', () => saveItem(item.id, { ...item, [BOARD.field]: move.value }));
      li.append(move);
      ul.append(li);
    }
    col.append(ul);
    return col;
  }));
}
VIEWS.push(renderBoard);
`;
