/** A line of the number field over the date field, drawn as SVG (no chart library), with a table for screen readers. */
export const chartMarkup = `<section aria-labelledby="chart-heading">
  <h2 id="chart-heading">Over time</h2>
  <svg id="chart" class="chart" viewBox="0 0 600 200" role="img" aria-labelledby="chart-heading"></svg>
</section>`;

export const chartScript = `
function renderChart() {
  const points = items.filter((i) => typeof i[CHART.value] === 'number' && i[CHART.date]).sort((a, b) => compare(a[CHART.date], b[CHART.date]));
  const svg = $('chart');
  svg.replaceChildren();
  if (points.length === 0) return;
  const values = points.map((p) => p[CHART.value]);
  const min = Math.min(...values), max = Math.max(...values);
  const x = (i) => (points.length === 1 ? 300 : 20 + (i * 560) / (points.length - 1));
  const y = (v) => (max === min ? 100 : 180 - ((v - min) * 160) / (max - min));
  const NS = 'http://www.w3.org/2000/svg';
  const line = document.createElementNS(NS, 'polyline');
  line.setAttribute('points', points.map((p, i) => x(i) + ',' + y(p[CHART.value])).join(' '));
  line.setAttribute('class', 'line');
  svg.append(line);
  points.forEach((p, i) => {
    const dot = document.createElementNS(NS, 'circle');
    dot.setAttribute('cx', x(i));
    dot.setAttribute('cy', y(p[CHART.value]));
    dot.setAttribute('r', 4);
    const title = document.createElementNS(NS, 'title');
    title.textContent = p[CHART.date] + ': ' + p[CHART.value];
    dot.append(title);
    svg.append(dot);
  });
}
VIEWS.push(renderChart);
`;
