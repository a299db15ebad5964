import { followRun } from './run-commands.ts';

/** `slipway promote <app> --from dev --to prod`: the exact image `from` runs, shipped to `to`; prints what create prints. */
export function promoteCommand(app: string, opts: { from: string; to: string; json?: boolean }): Promise<number> {
  return followRun(Boolean(opts.json), (s) => s.service.start({ kind: 'promote', app, from: opts.from, to: opts.to }), { fromStart: true });
}
