import { probe, type ProbeAnswer } from './http-probe.ts';

/** Where Prometheus looks by default, and the only path Slipway asks an app for. */
export const METRICS_PATH = '/metrics';

/** A metric or label name in the text exposition format. */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
/** `name{label="value",…} value [timestamp]`: the sample line of the text format (and OpenMetrics). */
const SAMPLE = new RegExp(`^${NAME}(\\{(${NAME}="(?:[^"\\\\]|\\\\.)*",?)*\\})?[ \\t]+(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?|Inf|NaN))(?:[ \\t]+-?\\d+(?:\\.\\d+)?)?$`);
/** `# HELP name …`, `# TYPE name counter`, OpenMetrics' `# UNIT` and `# EOF`. */
const DESCRIPTOR = new RegExp(`^# (?:(?:HELP|UNIT) ${NAME}( .*)?|TYPE ${NAME} (?:counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram)|EOF)$`);
/** Lines looked at: enough to tell the format from a page that merely answers 200. */
const LINES_CHECKED = 5;

/**
 * Whether an answer to `GET /metrics` is Prometheus' text exposition format (0.0.4) or OpenMetrics:
 * a 200 with the format's content type whose first lines parse as descriptors and samples, at least
 * one of them a sample. A catch-all route answering every path with its page, or with an empty
 * text, is not metrics.
 * @example servesMetrics({ kind: 'answer', status: 200, statusText: 'OK', contentType: 'text/plain; version=0.0.4', body: 'up 1\n' }) // true
 */
export function servesMetrics(answer: ProbeAnswer): boolean {
  if (answer.kind !== 'answer' || answer.status !== 200) return false;
  const type = answer.contentType.split(';')[0]!.trim().toLowerCase();
  if (type !== 'text/plain' && type !== 'application/openmetrics-text') return false;
  const lines = answer.body.split('\n');
  // The body is cut at the probe's limit: a last line without its end is not judged.
  if (!answer.body.endsWith('\n')) lines.pop();
  const checked = lines.map((line) => line.trim()).filter((line) => line !== '').slice(0, LINES_CHECKED);
  const parses = (line: string) => (line.startsWith('#') ? DESCRIPTOR.test(line) || !/^# (HELP|TYPE|UNIT) /.test(line) : SAMPLE.test(line));
  return checked.some((line) => !line.startsWith('#')) && checked.every(parses);
}

/**
 * Asks a running app for `/metrics`; the path when it serves Prometheus metrics there, else undefined.
 * @example await metricsEndpoint('http://127.0.0.1:4000', 5000) // { path: '/metrics' }
 */
export async function metricsEndpoint(base: string, timeoutMs: number): Promise<{ path: string } | undefined> {
  return servesMetrics(await probe(`${base}${METRICS_PATH}`, timeoutMs)) ? { path: METRICS_PATH } : undefined;
}
