import type { KubeReader } from '../../ports/watch-stages.ts';
import { kubePath } from './kube-client.ts';
import type { KubeEvent } from './kube-objects.ts';

/** An object whose events explain a failure. */
export interface EventSubject {
  namespace: string;
  kind: string;
  name: string;
}

/** Events kept per failure: enough to explain, few enough to read. */
const MAX_EVENTS = 20;

/**
 * The events of `subjects` as one line each (`Warning BackOff Pod/pomodoro-6b7f9c-x2x4q: Back-off
 * pulling image "…" (x12)`), oldest first, newest last, at most the last 20. One request per
 * subject (`fieldSelector=involvedObject.name=…`, the form every API server version supports).
 * Best effort: a subject whose events cannot be read is left out rather than failing the report.
 *
 * @example
 * await eventsFor(kube, [{ namespace: 'flux-system', kind: 'Kustomization', name: 'pomodoro' }])
 */
export async function eventsFor(kube: KubeReader, subjects: readonly EventSubject[], signal?: AbortSignal): Promise<string[]> {
  const seen = new Set<string>();
  const unique = subjects.filter((s) => {
    const key = `${s.namespace}/${s.kind}/${s.name}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const lists = await Promise.all(
    unique.map(async (subject) => {
      try {
        const items = await kube.list<KubeEvent>(kubePath('v1', 'events', subject.namespace), { fieldSelector: `involvedObject.name=${subject.name}` }, signal);
        return items.filter((e) => !e.involvedObject?.kind || e.involvedObject.kind === subject.kind);
      } catch (error) {
        if (signal?.aborted) throw error;
        return [];
      }
    }),
  );
  return lists
    .flat()
    .map((event, index) => ({ event, index, at: eventTime(event) }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.index - b.index)
    .slice(-MAX_EVENTS)
    .map(({ event }) => formatEvent(event));
}

/** One event as a line: type, reason, object, message, and how often it happened. */
export function formatEvent(event: KubeEvent): string {
  const count = event.series?.count ?? event.count ?? 1;
  const object = `${event.involvedObject?.kind ?? 'Object'}/${event.involvedObject?.name ?? '?'}`;
  const message = (event.message ?? '').replace(/\s*\n\s*/g, '; ').trim();
  return `${event.type ?? 'Normal'} ${event.reason ?? ''} ${object}: ${message}${count > 1 ? ` (x${count})` : ''}`.replace(/ {2,}/g, ' ');
}

function eventTime(event: KubeEvent): string {
  return event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp ?? '';
}
