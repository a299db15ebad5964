/**
 * A reader that goes away early (`slipway runs | head -1`) closes the pipe under stdout or stderr:
 * what is left to print has nobody to read it, so it is dropped and the command ends as it would
 * have, without Node's `Unhandled 'error' event … EPIPE`. Other stream errors still surface.
 */
export function ignoreClosedPipes(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
