import { assertAppName, parseLogSince } from '../../domain/index.ts';
import { openSlipway } from '../context.ts';
import { reportError } from '../output.ts';

export interface LogsOptions {
  follow?: boolean;
  since?: string;
  tail: number;
  env?: string;
}

/**
 * `slipway logs <app>`: prints the app's recent output and exits, or with `--follow` keeps printing
 * new lines until Ctrl-C or SIGTERM (exit 0) or the app goes away. Works on this machine's apps,
 * on the cluster's (through the Kubernetes API) and through `--server`.
 */
export async function logsCommand(app: string, opts: LogsOptions): Promise<number> {
  let since: Date | undefined;
  try {
    // Checked before Slipway opens its home, so a typo creates nothing.
    assertAppName(app);
    if (opts.since !== undefined) since = parseLogSince(opts.since, new Date());
  } catch (error) {
    return reportError(error, false);
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let slipway: Awaited<ReturnType<typeof openSlipway>> | undefined;
  try {
    slipway = await openSlipway();
    const lines = await slipway.service.logs(app, {
      tail: opts.tail, follow: Boolean(opts.follow), signal: stop.signal,
      ...(since ? { since } : {}), ...(opts.env !== undefined ? { env: opts.env } : {}),
    });
    for await (const line of lines) process.stdout.write(`${line}\n`);
    return 0;
  } catch (error) {
    // Ctrl-C while the log was being opened is the person leaving, not a failure.
    if (stop.signal.aborted) return 0;
    return reportError(error, false);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    slipway?.close();
  }
}
