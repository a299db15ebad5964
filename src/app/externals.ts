import { External, ExternalName, addressKind, type ExternalInput } from '../domain/external.ts';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.ts';
import type { AppRecord } from '../domain/app-record.ts';
import type { AppStore, ExternalStore, GitRepo } from '../ports/index.ts';
import { externalPaths, renderExternalFile, renderExternalObjects } from '../render/external.ts';
import { renderParentKustomization, type AppEgress, type RenderSettings } from '../render/index.ts';
import { assertValid } from '../render/validate/index.ts';
import type { AppSpec } from '../domain/app-spec.ts';

/** What the externals need: where they are kept, the apps (names must not collide), the GitOps repo and each environment's settings. */
export interface ExternalsDeps {
  store: ExternalStore;
  apps: AppStore;
  gitops: GitRepo;
  settingsFor(env: string): RenderSettings;
  /** The environment named (checked: an unknown one is an InputError listing them), or the default one. */
  environment(env?: string): string;
}

/** What `external add` and `external remove` did: the external, its environment and the GitOps commit. */
export interface ExternalChange {
  external: External;
  env: string;
  kind: 'ip' | 'hostname';
  file: string;
  commit: string;
}

/**
 * An external as `slipway external add` and the API take it, checked; the error names the field to fix.
 * @example parseExternal({ name: 'nas', address: '192.168.1.20', port: '445' }) // { …, port: 445, protocol: 'TCP' }
 */
export function parseExternal(fields: ExternalInput): External {
  const parsed = External.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`external ${issue.path.join('.') || 'input'}: ${issue.message}`, { hint: 'e.g. slipway external add nas --address 192.168.1.20 --port 445' });
  }
  return parsed.data;
}

/**
 * Services outside the cluster that apps may call by name (`slipway external add nas --address
 * 192.168.1.20 --port 445`). Each add or remove is one commit in the GitOps repo (the external's file
 * and its entry in the parent kustomization) and a change in the state database; an app's
 * NetworkPolicy allows an external only when the app says it uses it (see `egressFor`).
 */
export class Externals {
  private readonly deps: ExternalsDeps;
  constructor(deps: ExternalsDeps) {
    this.deps = deps;
  }

  async add(input: ExternalInput & { env?: string }): Promise<ExternalChange> {
    const { env: asked, ...fields } = input;
    const env = this.deps.environment(asked);
    const external = parseExternal(fields);
    if (await this.deps.apps.get(external.name)) {
      throw new ConflictError(`'${external.name}' is the name of an app; an external would take its name in the apps namespace`, { hint: 'Choose another name for the external.' });
    }
    const settings = this.deps.settingsFor(env);
    assertValid(renderExternalObjects(external, settings));
    const file = renderExternalFile(external, settings);
    const { entry } = externalPaths(external.name, settings);
    const where = `${external.address}:${external.port}/${external.protocol}`;
    const result = await this.deps.gitops.commit({
      message: `Add external ${external.name}: ${where}${env === this.deps.environment() ? '' : ` in ${env}`}`,
      trailers: { 'Slipway-Action': 'external-add', 'Slipway-External': external.name, 'Slipway-Env': env },
      apply: async (tree) => {
        await tree.write(file.path, file.content);
        const parent = `${settings.gitops.path}/kustomization.yaml`;
        await tree.write(parent, renderParentKustomization(await tree.read(parent), { addEntry: entry }, settings));
      },
    });
    await this.deps.store.put(env, external);
    return { external, env, kind: addressKind(external.address) === 'hostname' ? 'hostname' : 'ip', file: file.path, commit: result.sha };
  }

  async list(env?: string): Promise<External[]> {
    return this.deps.store.list(this.deps.environment(env));
  }

  /** Refused while an app of the environment still uses it: its NetworkPolicy would name an address no longer there. */
  async remove(name: string, asked?: string): Promise<ExternalChange> {
    const env = this.deps.environment(asked);
    const checked = ExternalName.safeParse(name);
    if (!checked.success) throw new InputError(`external name ${JSON.stringify(name)}: ${checked.error.issues[0]!.message}`);
    const external = await this.deps.store.get(env, name);
    if (!external) throw new NotFoundError(`there is no external '${name}'${await this.knownText(env)}`);
    const users = (await this.deps.apps.list()).filter((app) => inEnv(app, env, this.deps.environment()) && (app.config?.externals ?? []).includes(name)).map((app) => app.name);
    if (users.length > 0) {
      throw new ConflictError(`external '${name}' is used by ${users.sort().join(', ')}`, {
        hint: `Change ${users.length === 1 ? 'that app' : 'those apps'} so ${users.length === 1 ? 'it does' : 'they do'} not use it first, or delete ${users.length === 1 ? 'it' : 'them'}.`,
      });
    }
    const settings = this.deps.settingsFor(env);
    const { file, entry } = externalPaths(name, settings);
    const result = await this.deps.gitops.commit({
      message: `Remove external ${name}${env === this.deps.environment() ? '' : ` from ${env}`}`,
      trailers: { 'Slipway-Action': 'external-remove', 'Slipway-External': name, 'Slipway-Env': env },
      apply: async (tree) => {
        await tree.remove(file);
        const parent = `${settings.gitops.path}/kustomization.yaml`;
        await tree.write(parent, renderParentKustomization(await tree.read(parent), { removeEntry: entry }, settings));
      },
    });
    await this.deps.store.remove(env, name);
    return { external, env, kind: addressKind(external.address) === 'hostname' ? 'hostname' : 'ip', file, commit: result.sha };
  }

  /**
   * Checks the externals an app says it uses exist in its environment; an unknown one is refused,
   * naming those there are.
   */
  async assertKnown(names: readonly string[], env?: string): Promise<string[]> {
    const chosen = this.deps.environment(env);
    const known = new Set((await this.deps.store.list(chosen)).map((e) => e.name));
    const unknown = [...new Set(names)].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new InputError(`unknown external${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${await this.knownText(chosen)}`, {
        hint: 'Add it first: slipway external add <name> --address <ip or host> --port <n>',
      });
    }
    return [...new Set(names)].sort();
  }

  /**
   * What an app may call out to, for its NetworkPolicy: the externals it uses (its configuration's and
   * its plan's), its database, its own host names.
   */
  async egressFor(spec: AppSpec, env?: string): Promise<AppEgress> {
    const record = await this.deps.apps.get(spec.name);
    const config = record?.config;
    const names = await this.assertKnown([...(config?.externals ?? []), ...(spec.needs?.externals ?? [])], env);
    const chosen = this.deps.environment(env);
    const externals = (await Promise.all(names.map((name) => this.deps.store.get(chosen, name)))).filter((e): e is External => e !== undefined);
    return {
      externals,
      ...(config?.database || spec.needs?.database ? { database: true } : {}),
      ...(config?.egressHosts && config.egressHosts.length > 0 ? { hosts: config.egressHosts } : {}),
    };
  }

  private async knownText(env: string): Promise<string> {
    const known = (await this.deps.store.list(env)).map((e) => e.name);
    return known.length === 0 ? ' (there are none yet)' : `; known externals: ${known.join(', ')}`;
  }
}

/** Records from before environments have none: they run in the default one. */
function inEnv(app: AppRecord, env: string, defaultEnv: string): boolean {
  return (app.env ?? defaultEnv) === env;
}
