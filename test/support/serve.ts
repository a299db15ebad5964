import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { spawnCli } from './cli.ts';

export interface RunningServer {
  /** http://127.0.0.1:<port>, as the server announced it. */
  url: string;
  child: ChildProcess;
  /** Everything the server wrote so far. */
  output(): { stdout: string; stderr: string };
  /** Sends `signal` (SIGTERM by default) and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const LISTENING = /^Slipway listening on (http:\/\/\S+)$/m;

/**
 * Starts the real `slipway serve --host 127.0.0.1 --port 0` (plus `args`) and waits for its one
 * address line; fails with what it printed when it exits first or never listens.
 */
export async function startServer(options: { home: string; cwd: string; env?: Record<string, string>; args?: string[] }): Promise<RunningServer> {
  const child = spawnCli(['serve', '--host', '127.0.0.1', '--port', '0', ...(options.args ?? [])], options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway serve printed no address in 60 s\nstdout: ${stdout}\nstderr: ${stderr}`)), 60_000);
    const check = () => {
      const match = LISTENING.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`slipway serve exited with ${code} before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  return {
    url,
    child,
    output: () => ({ stdout, stderr }),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}

export interface ServerSentEvent {
  id?: string | undefined;
  event?: string | undefined;
  data: string;
}

/**
 * Reads a Server-Sent Events stream until the server ends it, or until `take` events arrived (then
 * the client disconnects, as a dropped connection would), or until one satisfies `until` (the same).
 * `comments` receives comment lines (heartbeats).
 */
export async function readEvents(
  url: string,
  options: { headers?: Record<string, string>; take?: number; until?: (event: ServerSentEvent) => boolean; comments?: (text: string) => void } = {},
): Promise<ServerSentEvent[]> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...options.headers } });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
  const events: ServerSentEvent[] = [];
  const stream = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream({ onComment: options.comments }));
  for await (const message of stream) {
    events.push({ id: message.id, event: message.event, data: message.data });
    // Leaving the loop cancels the body: the connection closes.
    if ((options.take !== undefined && events.length >= options.take) || options.until?.(events.at(-1)!)) break;
  }
  return events;
}

/** A response's JSON body, for assertions. */
export async function jsonOf(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

/**
 * Deletes every app the server holds, waiting for each delete to end: apps run as processes of their
 * own and would outlive the test (and its server) otherwise.
 */
export async function deleteAllApps(server: RunningServer, headers: Record<string, string> = {}): Promise<void> {
  const { apps } = await jsonOf(fetch(`${server.url}/v1/apps`, { headers }));
  for (const { app } of apps as Array<{ app: string }>) {
    const response = await fetch(`${server.url}/v1/apps/${app}`, { method: 'DELETE', headers });
    if (response.status === 202) await readEvents(`${server.url}${response.headers.get('location')}/events`, { headers });
  }
}

/**
 * A read and a write API token in the state file of `home`, made before the server starts (from then
 * on every request needs one).
 */
export async function createApiTokens(home: string): Promise<Record<'read' | 'write', string>> {
  const { join } = await import('node:path');
  const { openDatabase } = await import('../../src/adapters/store/sqlite-database.ts');
  const { SqliteTokenStore } = await import('../../src/adapters/store/sqlite-token-store.ts');
  const db = openDatabase(join(home, 'state.db'));
  try {
    const store = new SqliteTokenStore({ db });
    return { read: (await store.create('reader', 'read')).token, write: (await store.create('n8n', 'write')).token };
  } finally {
    db.close();
  }
}
