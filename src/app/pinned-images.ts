import type { Environment } from '../config/environments.ts';
import type { GitRepo } from '../ports/index.ts';

/** What the GitOps repo runs: each environment's apps, and every image digest a Deployment pins. */
export interface PinnedImages {
  /** Apps with a folder in any environment. */
  apps: Set<string>;
  /** Digest → who pins it, as `<env>/<app>`. */
  digests: Map<string, string[]>;
}

const PINNED = /@(sha256:[0-9a-f]{64})/g;

/**
 * Reads, at the GitOps branch head, every app folder of every environment and the digests its
 * manifests pin (`<repo>/<app>:<tag>@sha256:…` in the Deployment): what must stay in the registry.
 * @example const { digests } = await pinnedImages(gitopsRepo, environments.names.map((n) => environments.get(n)));
 */
export async function pinnedImages(gitops: GitRepo, envs: readonly Environment[]): Promise<PinnedImages> {
  const apps = new Set<string>();
  const digests = new Map<string, string[]>();
  for (const env of envs) {
    for (const file of await gitops.listFiles(env.gitopsPath)) {
      const [app, ...rest] = file.path.split('/');
      // Only app folders count (`<app>/…`), not the parent kustomization beside them.
      if (!app || rest.length === 0) continue;
      apps.add(app);
      if (!file.path.endsWith('.yaml')) continue;
      const bytes = await gitops.readFile(`${env.gitopsPath}/${file.path}`);
      for (const [, digest] of new TextDecoder().decode(bytes).matchAll(PINNED)) {
        const by = `${env.name}/${app}`;
        const list = digests.get(digest!) ?? [];
        if (!list.includes(by)) list.push(by);
        digests.set(digest!, list);
      }
    }
  }
  return { apps, digests };
}
