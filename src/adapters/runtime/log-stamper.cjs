// Runs an app and writes each line it prints (stdout and stderr) to this script's own stdout — the
// app's log file — prefixed with the time it was printed (RFC 3339, UTC) and a space, so that
// `slipway logs --since` can start at a time. The process runtime starts it with the same Node as
// the CLI, in the app's directory and process group:
//   node log-stamper.cjs <program> [args…]
// Plain CommonJS with no imports of Slipway's own, so it runs the same from the sources and next to
// the bundle. The app is started from an argument array, never through a shell.
'use strict';
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');

const [program, ...args] = process.argv.slice(2);
if (!program) {
  process.stderr.write('usage: node log-stamper.cjs <program> [args…]\n');
  process.exit(2);
}

const app = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });

for (const stream of [app.stdout, app.stderr]) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  });
}

// Stopping signals go on to the app; the stamper itself ends once the app has, after its last lines.
const forwarded = ['SIGTERM', 'SIGINT', 'SIGHUP'];
for (const signal of forwarded) process.on(signal, () => app.kill(signal));

app.once('error', (error) => {
  process.stdout.write(`${new Date().toISOString()} slipway: could not start ${program}: ${error.message}\n`);
  process.exit(127);
});

// 'close' rather than 'exit': it comes after the app's output has been read to its end.
app.once('close', (code, signal) => {
  if (signal) {
    // Ends the same way the app did, so whoever waits on the stamper sees the app's signal.
    for (const name of forwarded) process.removeAllListeners(name);
    process.kill(process.pid, signal);
    return;
  }
  process.exitCode = code ?? 1;
});
