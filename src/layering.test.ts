import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE: edges → app/compose → pipeline → steps → ports ← adapters; domain and render depend on
// nothing with side effects. These layers reach adapters only through what the composition root hands them.
const SRC = dirname(fileURLToPath(import.meta.url));
const INNER_LAYERS = ['ports', 'domain', 'pipeline', 'steps', 'render'];
const ADAPTERS = join(SRC, 'adapters');

/** Files that run only under test may wire real adapters in. */
const TEST_ONLY = /(\.test\.ts|\.test-support\.ts|test-fixtures\.ts)$/;

/** Every module a file names in `import … from`, `export … from`, `import '…'` or `import('…')`. */
function importedPaths(source: string): string[] {
  const specifiers = source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g);
  return [...specifiers].map((match) => match[1]!);
}

/** The imports of `file` (its text `source`) that land in src/adapters, as written. */
function adapterImports(file: string, source: string): string[] {
  return importedPaths(source).filter((specifier) => {
    if (!specifier.startsWith('.')) return false;
    const target = resolve(dirname(file), specifier);
    return target === ADAPTERS || target.startsWith(ADAPTERS + '/');
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !TEST_ONLY.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('layering', () => {
  it('finds an adapter import however it is written', () => {
    const file = join(SRC, 'render', 'app.ts');
    const source = [
      "import { gitOpsEngine } from '../adapters/gitops/index.ts';",
      "import type { KubeAccess } from '../adapters/kube/index.ts';",
      "export { KubeWatcher } from '../adapters/watcher/index.ts';",
      "const { KubeClient } = await import('../adapters/watcher/kube-client.ts');",
      "import '../adapters';",
      "import { z } from 'zod';",
      "import type { AppSpec } from '../domain/app-spec.ts';",
      "import { adaptersNote } from './adapters-note.ts';",
    ].join('\n');
    expect(adapterImports(file, source)).toEqual([
      '../adapters/gitops/index.ts',
      '../adapters/kube/index.ts',
      '../adapters/watcher/index.ts',
      '../adapters/watcher/kube-client.ts',
      '../adapters',
    ]);
  });

  it.each(INNER_LAYERS)('src/%s imports nothing from src/adapters', (layer) => {
    const files = sourceFiles(join(SRC, layer));
    expect(files.length).toBeGreaterThan(0);
    const offending = files.flatMap((file) => adapterImports(file, readFileSync(file, 'utf8')).map((specifier) => `${relative(SRC, file)}: ${specifier}`));
    expect(offending).toEqual([]);
  });
});
