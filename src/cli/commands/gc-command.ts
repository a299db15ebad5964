import type { GcReport } from '../../app/registry-gc.ts';
import { printJson, reportError } from '../output.ts';
import { chosenServer } from '../remote/server-choice.ts';

/** `slipway gc`: deletes the registry's images that no environment needs (see src/app/registry-gc.ts). */
export async function gcCommand(opts: { keep: number; dryRun?: boolean; json?: boolean }): Promise<number> {
  const options = { keep: opts.keep, dryRun: Boolean(opts.dryRun) };
  try {
    const server = chosenServer();
    let report: GcReport;
    if (server) report = await (await import('../remote/gc.ts')).remoteGc(server, options);
    else {
      const { openLocalSlipway } = await import('../context.ts');
      const slipway = await openLocalSlipway();
      try {
        report = await slipway.gc(options);
      } finally {
        slipway.close();
      }
    }
    if (opts.json) printJson(report);
    else process.stdout.write(gcText(report));
    return 0;
  } catch (error) {
    return reportError(error, Boolean(opts.json));
  }
}

/** The report for people: each image deleted (or that would be), how much, and what to run next. */
export function gcText(report: GcReport): string {
  const lines = [`${report.registry}/${report.prefix}: keeping what each environment pins and the newest ${report.keep} version(s) per app and environment`];
  for (const image of report.deleted) lines.push(`  ${report.dryRun ? '-' : '✗'} ${image.repository}@${image.digest.slice(0, 19)}  ${image.tags.join(', ') || '(untagged)'}`);
  for (const image of report.kept) lines.push(`  ✓ ${image.repository}@${image.digest.slice(0, 19)}  ${image.tags.join(', ')}  (${image.kept})`);
  const tags = report.deleted.reduce((n, image) => n + image.tags.length, 0);
  lines.push(`${report.dryRun ? 'Dry run: would delete' : 'Deleted'} ${report.deleted.length} image(s) (${tags} tag(s)), kept ${report.kept.length}; ${formatBytes(report.bytes)} of blobs only they used.`);
  if (report.dryRun && report.deleted.length > 0) lines.push('Run it again without --dry-run to delete them.');
  else if (report.deleted.length > 0) lines.push(report.next);
  return `${lines.join('\n')}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
