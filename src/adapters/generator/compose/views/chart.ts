/**
 * A line of the number field over the date field, drawn as SVG (no chart library): the highest and
 * lowest values on the left, the first and last dates below, and the same said in the chart's
 * accessible name for screen readers.
 */
export const chartMarkup = `<section aria-labelledby="chart-heading">
  <h2 id="chart-heading">Over time</h2>
  <svg id="chart" class="chart" viewBox="0 0 600 220" role="img" aria-label="Over time"></svg>
</section>`;

export const chartScript = `
const CHART_FIELD = FIELDS.find((f) => f.name === CHART.value);
$('chart-heading').textContent = CHART_FIELD.label + ' over time';
function renderChart() {
  const points = items.filter((i) => typeof i[CHART.value] === 'number' && i[CHART.date]).sort((a, b) => compare(a[CHART.date], b[CHART.date]));
  const svg = $('chart');
  svg.replaceChildren();
  const label = CHART_FIELD.label + ' over time';
  if (points.length === 0) return svg.setAttribute('aria-label', label + ': nothing yet');
  const values = points.map((p) => p[CHART.value]);
  const min = Math.min(...values), max = Math.max(...values);
  const first = points[0], last = points[points.length - 1];
  svg.setAttribute('aria-label', label + ': ' + points.length + (points.length === 1 ? ' entry' : ' entries') + ', from ' + first[CHART.value] + ' on ' + first[CHART.date] + ' to ' + last[CHART.value] + ' on ' + last[CHART.date] + '; lowest ' + min + ', highest ' + max);
  // The plot sits right of the value labels and above the date labels.
  const x = (i) => (points.length === 1 ? 330 : 70 + (i * 510) / (points.length - 1));
  const y = (v) => (max === min ? 95 : 175 - ((v - min) * 155) / (max - min));
  const NS = 'http://www.w3.org/2000/svg';
  const text = (content, attributes) => {
    const node = document.createElementNS(NS, 'text');
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.textContent = content;
    svg.append(node);
  };
  text(String(max), { x: 60, y: y(max) + 5, 'text-anchor': 'end' });
  if (max !== min) text(String(min), { x: 60, y: y(min) + 5, 'text-anchor': 'end' });
  text(first[CHART.date], { x: x(0), y: 210, 'text-anchor': points.length === 1 ? 'middle' : 'start' });
  if (points.length > 1) text(last[CHART.date], { x: x(points.length - 1), y: 210, 'text-anchor': 'end' });
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
