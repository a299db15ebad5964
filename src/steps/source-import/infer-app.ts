import { InputError, type AppSpec } from '../../domain/index.ts';
import type { FolderFile } from './folder-reader.ts';

/** How an imported folder runs: its own Dockerfile, a Node app's start script, or static files. */
export type SourceKind = 'dockerfile' | 'node' | 'static';

export interface ImportedApp {
  kind: SourceKind;
  spec: AppSpec;
  /** The files to commit: the folder's, and for a static site the file server that serves them. */
  files: FolderFile[];
}

/** The port a Node app is given in $PORT, inside its container as in the cluster. */
const NODE_PORT = 8080;
/** Files a static site gets to be served: Slipway's tiny file server and its package.json. */
export interface StaticServer {
  'server.js': string;
}

/**
 * Tells what kind of app a folder holds, in this order: a Dockerfile (the image is built from it,
 * the port from its EXPOSE), a package.json with a `start` script (`node <file>`, listening on
 * $PORT), or an index.html (a static site, moved under public/ and served by Slipway's file server).
 * @example inferApp(files, { name: 'notes', description: 'my notes app' }, server).kind // 'node'
 */
export function inferApp(files: FolderFile[], app: { name: string; description: string }, server: StaticServer): ImportedApp {
  const file = (path: string) => files.find((f) => f.path === path);
  const base = { name: app.name, description: app.description, templateVersion: '1.0.0', persistent: false };
  const dockerfile = file('Dockerfile');
  if (dockerfile) {
    const text = dockerfile.content.toString('utf8');
    return { kind: 'dockerfile', files, spec: { ...base, template: 'dockerfile', runtime: 'node', port: exposedPort(text), command: dockerCommand(text) } };
  }
  const pkg = file('package.json');
  const start = pkg ? startScript(pkg) : undefined;
  if (start) {
    if (!files.some((f) => /\.(c|m)?(j|t)s$/.test(f.path) && f.content.includes('PORT'))) {
      throw new InputError('the Node app never reads PORT: Slipway tells it where to listen in the PORT environment variable', {
        hint: 'Listen on process.env.PORT, e.g. server.listen(Number(process.env.PORT || 8080)).',
      });
    }
    return { kind: 'node', files, spec: { ...base, template: 'folder', runtime: 'node', port: NODE_PORT, command: nodeCommand(start) } };
  }
  if (file('index.html')) {
    const served: FolderFile[] = [
      ...files.map((f) => ({ ...f, path: `public/${f.path}` })),
      { path: 'package.json', content: Buffer.from(staticPackageJson(app.name)), executable: false },
      { path: 'server.js', content: Buffer.from(server['server.js']), executable: false },
    ];
    return { kind: 'static', files: served, spec: { ...base, template: 'folder', runtime: 'static', port: NODE_PORT, command: ['node', 'server.js'] } };
  }
  const why = pkg ? 'its package.json has no "start" script' : 'it has none of them';
  throw new InputError(`the folder holds no app Slipway can run: it looked for a Dockerfile, a package.json with a "start" script, or an index.html, and ${why}`, {
    hint: 'Add a Dockerfile, a "start" script such as "node server.js" to package.json, or an index.html for a static site.',
  });
}

function startScript(pkg: FolderFile): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(pkg.content.toString('utf8'));
  } catch (error) {
    throw new InputError(`package.json is not valid JSON: ${(error as Error).message}`, { hint: 'Fix package.json, then try again.' });
  }
  const scripts = (json as { scripts?: Record<string, unknown> } | null)?.scripts;
  return typeof scripts?.start === 'string' ? scripts.start.trim() : undefined;
}

/** `node server.js --quiet` → its words. Slipway starts apps without a shell, so only that form is run. */
function nodeCommand(start: string): string[] {
  const words = start.split(/\s+/);
  if (words[0] !== 'node' || words.length < 2 || /[;&|<>`$"'\\*?(){}]/.test(start)) {
    throw new InputError(`the "start" script is ${JSON.stringify(start)}; Slipway runs it without a shell, so it must read "node <file> [arguments]"`, {
      hint: 'Make the start script e.g. "node server.js", or bring a Dockerfile that starts the app your way.',
    });
  }
  return words;
}

/** The port of the Dockerfile's last EXPOSE (the stage that runs). */
function exposedPort(dockerfile: string): number {
  const ports = instructions(dockerfile, 'EXPOSE').map((args) => Number(/^(\d+)/.exec(args)?.[1]));
  const port = ports.at(-1);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError('the Dockerfile says no port: Slipway routes traffic to the port of its EXPOSE', { hint: 'Add e.g. "EXPOSE 8080" with the port the app listens on.' });
  }
  return port;
}

/** ENTRYPOINT and CMD in words, for the record: the image itself decides how it starts. */
function dockerCommand(dockerfile: string): string[] {
  const words = (name: string) => {
    const args = instructions(dockerfile, name).at(-1);
    if (args === undefined) return [];
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return parsed as string[];
    } catch {
      // Shell form: the image runs it with /bin/sh -c.
    }
    return ['/bin/sh', '-c', args];
  };
  const command = [...words('ENTRYPOINT'), ...words('CMD')];
  if (command.length === 0) throw new InputError('the Dockerfile says nothing to run: it has no CMD or ENTRYPOINT', { hint: 'Add e.g. CMD ["node", "server.js"].' });
  return command;
}

/** The arguments of every `name` instruction, continuation lines joined. */
function instructions(dockerfile: string, name: string): string[] {
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const pattern = new RegExp(`^\\s*${name}\\s+(.+)$`, 'i');
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [match[1]!.trim()] : [];
  });
}

function staticPackageJson(name: string): string {
  return `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module', scripts: { start: 'node server.js' } }, null, 2)}\n`;
}
