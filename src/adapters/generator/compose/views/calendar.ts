/** A calendar of the last five weeks: each day shows how many items fall on it, so a streak is visible. */
export const calendarMarkup = `<section aria-labelledby="calendar-heading">
  <h2 id="calendar-heading">Last 35 days</h2>
  <ol id="calendar" class="calendar"></ol>
</section>`;

export const calendarScript = `
function renderCalendar() {
  const dateField = FIELDS.find((f) => f.type === 'date').name;
  const days = [];
  const today = new Date();
  for (let i = 34; i >= 0; i--) days.push(new Date(Date.UTC(today.getFullYear(), today.getMonth(), today.getDate() - i)).toISOString().slice(0, 10));
  $('calendar').replaceChildren(...days.map((day) => {
    const count = items.filter((i) => i[dateField] === day).length;
    const li = el('li', count > 0 ? 'day on' : 'day', day.slice(8));
    li.title = day + ': ' + count;
    // Read out in full by screen readers; the grid shows the day of the month only.
    li.append(el('span', 'visually-hidden', ' (' + day + ': ' + count + ')'));
    return li;
  }));
}
VIEWS.push(renderCalendar);
`;
