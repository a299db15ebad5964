import { z } from 'zod';

const GitRemote = z
  .object({
    /** Any git remote: a path or file:// URL to a bare repo, https, or ssh. Defaults to bare repos under $SLIPWAY_HOME/git. */
    url: z.string().min(1).optional(),
    branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'a branch name: letters, digits, . _ / -').default('main'),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** Where the app runs: `local` (this machine) or `cluster` (the homelab, through GitOps). */
    target: z.enum(['local', 'cluster']).default('local'),
    git: z
      .object({
        author: z.object({ name: z.string().min(1).default('Slipway'), email: z.string().min(3).default('slipway@localhost') }).strict().default({ name: 'Slipway', email: 'slipway@localhost' }),
        source: GitRemote.default({ branch: 'main' }),
        gitops: GitRemote.extend({
          /** Directory in the GitOps repo holding one folder per app. */
          path: z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a relative path such as kubernetes/apps/dynamic').default('kubernetes/apps/dynamic'),
        }).strict().default({ branch: 'main', path: 'kubernetes/apps/dynamic' }),
      })
      .strict()
      .default({ author: { name: 'Slipway', email: 'slipway@localhost' }, source: { branch: 'main' }, gitops: { branch: 'main', path: 'kubernetes/apps/dynamic' } }),
    local: z
      .object({
        /** `process` runs apps as Node processes; `podman` runs the built image (when there is one). */
        runtime: z.enum(['auto', 'process', 'podman']).default('auto'),
        /** Address apps listen on and are probed at. */
        host: z.string().default('127.0.0.1'),
        /** Seconds to wait for an app's /healthz. */
        readyTimeoutSeconds: z.number().positive().max(600).default(30),
      })
      .strict()
      .default({ runtime: 'auto', host: '127.0.0.1', readyTimeoutSeconds: 30 }),
    image: z
      .object({
        /** Repository prefix images are named under; `${REGISTRY_URL}` is substituted by Flux in the cluster. */
        repository: z.string().default('${REGISTRY_URL}/dynamic-apps'),
      })
      .strict()
      .default({ repository: '${REGISTRY_URL}/dynamic-apps' }),
    /** Manifest settings: namespace, apps domain, gateway, Flux source (see the README). */
    render: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

/** Everything the composition root needs: the validated file plus values from the environment. */
export interface ResolvedConfig extends Config {
  /** $SLIPWAY_HOME: state, bare repos, logs, workspaces. */
  home: string;
  /** The file it was read from, if any. */
  file?: string;
  logLevel: string;
}
