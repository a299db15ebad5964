/**
 * What Grafana's dashboard JSON model (the classic model, as Grafana 10 and 11 export it) asks of a
 * dashboard it loads from a provisioned file: a title, a uid of 1-40 URL-safe characters, a numeric
 * schemaVersion, and panels each with a unique numeric id, a type, a gridPos inside the 24-column
 * grid, a data source and queries with unique refIds. Data sources given as `${var}` must name a
 * template variable of type `datasource`. Panels may not overlap (Grafana would move them).
 */
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isWhole = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** Every problem Grafana would have loading the dashboard, as `path: message`; empty when it loads. */
export function dashboardProblems(dashboard: unknown): string[] {
  if (!isObject(dashboard)) return ['the dashboard is not a JSON object'];
  const problems: string[] = [];
  if (typeof dashboard['title'] !== 'string' || dashboard['title'] === '') problems.push('title: is required');
  if (typeof dashboard['uid'] !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(dashboard['uid'])) problems.push('uid: must be 1-40 letters, digits, - or _');
  if (!isWhole(dashboard['schemaVersion'])) problems.push('schemaVersion: must be a number');
  const variables = new Set(((dashboard['templating'] as Json | undefined)?.['list'] as Json[] | undefined ?? [])
    .filter((v) => v['type'] === 'datasource').map((v) => `\${${String(v['name'])}}`));
  const panels = dashboard['panels'];
  if (!Array.isArray(panels)) return [...problems, 'panels: must be a list'];
  const ids = new Set<unknown>();
  const placed: Array<{ id: unknown; x: number; y: number; w: number; h: number }> = [];
  panels.forEach((panel: unknown, i) => {
    const at = `panels[${i}]`;
    if (!isObject(panel)) return void problems.push(`${at}: is not an object`);
    if (!isWhole(panel['id']) || panel['id'] === 0) problems.push(`${at}.id: must be a positive number`);
    else if (ids.has(panel['id'])) problems.push(`${at}.id: ${panel['id']} is used by another panel`);
    ids.add(panel['id']);
    if (typeof panel['type'] !== 'string' || panel['type'] === '') problems.push(`${at}.type: is required`);
    const grid = panel['gridPos'];
    if (!isObject(grid) || !['h', 'w', 'x', 'y'].every((k) => isWhole(grid[k]))) problems.push(`${at}.gridPos: needs whole h, w, x and y`);
    else {
      const { x, y, w, h } = grid as { x: number; y: number; w: number; h: number };
      if (w < 1 || h < 1 || x + w > 24) problems.push(`${at}.gridPos: must lie within the 24 columns`);
      const overlapping = placed.find((p) => x < p.x + p.w && p.x < x + w && y < p.y + p.h && p.y < y + h);
      if (overlapping) problems.push(`${at}.gridPos: overlaps panel ${String(overlapping.id)}`);
      placed.push({ id: panel['id'], x, y, w, h });
    }
    const datasourceProblem = (ds: unknown) => {
      if (!isObject(ds) || typeof ds['uid'] !== 'string' || typeof ds['type'] !== 'string') return 'needs a type and a uid';
      if (ds['uid'].startsWith('$') && !variables.has(ds['uid'])) return `${ds['uid']} is no datasource variable of the dashboard`;
      return undefined;
    };
    const panelDs = datasourceProblem(panel['datasource']);
    if (panelDs) problems.push(`${at}.datasource: ${panelDs}`);
    const targets = panel['targets'];
    if (!Array.isArray(targets) || targets.length === 0) return void problems.push(`${at}.targets: needs at least one query`);
    const refIds = new Set<unknown>();
    targets.forEach((target: unknown, j) => {
      const tat = `${at}.targets[${j}]`;
      if (!isObject(target)) return void problems.push(`${tat}: is not an object`);
      if (typeof target['refId'] !== 'string' || refIds.has(target['refId'])) problems.push(`${tat}.refId: must be set and unique in the panel`);
      refIds.add(target['refId']);
      if (typeof target['expr'] !== 'string' || target['expr'] === '') problems.push(`${tat}.expr: is required`);
      if (target['datasource'] !== undefined) {
        const targetDs = datasourceProblem(target['datasource']);
        if (targetDs) problems.push(`${tat}.datasource: ${targetDs}`);
      }
    });
  });
  return problems;
}
