/** The page's routes, in the address bar through the History API (the server answers each with index.html). */
import { Shared, useShared } from './session.ts';

export const currentPath = new Shared<string>(location.pathname);

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  currentPath.value = location.pathname;
  // A new page: focus moves to its main heading, for keyboard and screen-reader users.
  queueMicrotask(() => document.querySelector<HTMLElement>('main h1')?.focus());
}

addEventListener('popstate', () => {
  currentPath.value = location.pathname;
});

/** Same-origin links move within the page instead of loading it again. */
addEventListener('click', (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.origin !== location.origin || link.hasAttribute('download')) return;
  if (link.pathname.startsWith('/v1/') || link.pathname.startsWith('/assets/') || link.hash) return;
  event.preventDefault();
  navigate(link.pathname);
});

export function usePath(): string {
  return useShared(currentPath);
}
