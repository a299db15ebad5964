import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ExternalServiceError } from '../../domain/index.ts';

/** Files whose presence means the app is TypeScript and must type-check. */
const TYPESCRIPT_SOURCE = /\.(ts|mts|cts|tsx)$/;

/** Settings for apps that bring no tsconfig.json: what Node's type stripping runs. */
const DEFAULT_COMPILER_OPTIONS = [
  '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
  '--allowImportingTsExtensions', '--skipLibCheck',
];

/** What the package.json of an app declares, as far as verification cares. */
export interface PackageInfo {
  /** Names from dependencies, devDependencies and optionalDependencies. */
  dependencies: string[];
}

/**
 * True when the app must be type-checked: it has a tsconfig.json or TypeScript sources.
 * @example needsTypecheck(['server.ts', 'package.json']) // true
 */
export function needsTypecheck(paths: readonly string[]): boolean {
  return paths.some((path) => path === 'tsconfig.json' || TYPESCRIPT_SOURCE.test(path));
}

/**
 * The `tsc` invocation for an app in `appDir`: the app's own TypeScript when it depends on it (its
 * version, its settings, untouched), else Slipway's, given Node's types when the app has none
 * installed, since a Node app without them cannot type-check its `node:` imports.
 * @example
 * const { script, args } = typecheckCommand('/scratch/app', ['server.ts'], { dependencies: [] });
 * spawn(nodeBinary, [script, ...args], { cwd: '/scratch/app' });
 */
export function typecheckCommand(appDir: string, paths: readonly string[], pkg: PackageInfo): { script: string; args: string[] } {
  const base = ['--noEmit', '--pretty', 'false'];
  const project = paths.includes('tsconfig.json')
    ? ['-p', '.']
    : [...DEFAULT_COMPILER_OPTIONS, ...paths.filter((p) => TYPESCRIPT_SOURCE.test(p) && !p.startsWith('node_modules/')).sort()];
  if (pkg.dependencies.includes('typescript')) {
    return { script: join(appDir, 'node_modules', 'typescript', 'bin', 'tsc'), args: [...base, ...project] };
  }
  const require = createRequire(import.meta.url);
  let script: string;
  try {
    script = require.resolve('typescript/bin/tsc');
  } catch {
    throw new ExternalServiceError('sandbox', 'this app is TypeScript, but Slipway has no TypeScript compiler to check it with', {
      hint: "Install Slipway with its development dependencies (`npm ci`), or have the app depend on 'typescript'.",
    });
  }
  const types: string[] = [];
  if (existsSync(join(appDir, 'node_modules', '@types', 'node'))) {
    types.push('--types', 'node');
  } else {
    const ownTypes = ownNodeTypesRoot(require);
    if (ownTypes) types.push('--typeRoots', ownTypes, '--types', 'node');
  }
  return { script, args: [...base, ...project, ...types] };
}

/** The `node_modules/@types` folder holding Slipway's own `@types/node`, if it is installed. */
function ownNodeTypesRoot(require: NodeJS.Require): string | undefined {
  try {
    return dirname(dirname(require.resolve('@types/node/package.json')));
  } catch {
    return undefined;
  }
}
