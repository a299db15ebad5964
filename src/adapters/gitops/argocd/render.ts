import type { EngineRender } from '../../../ports/gitops-engine.ts';
import { InputError } from '../../../domain/errors.ts';
import { renderTarget } from '../../../render/input.ts';
import { appPaths } from '../../../render/kustomization.ts';
import { GIT_REMOTE_URL } from '../../../render/settings-parts.ts';
import { hasVariable } from '../../../render/validate/variables.ts';
import { appOfAppsPath, renderArgoApplication, renderArgoAppOfApps } from './application.ts';

/**
 * Argo CD's part of an app's files: the app's Application (`application.yaml`) and, in app-of-apps
 * mode, the parent Application (the same bytes for every app). Argo CD applies manifests as they
 * are, so nothing may carry a `${VAR}`. Pure.
 */
export const argoCdRender: EngineRender = {
  name: 'argocd',
  entryFile: 'application.yaml',
  substitutesVariables: false,
  fillFromGit(render, git) {
    const argocd = render['argocd'] ?? {};
    if (typeof argocd !== 'object' || argocd === null || Array.isArray(argocd)) return;
    const filled: Record<string, unknown> = { ...argocd };
    // A local bare repo (the embedded default) is nothing Argo CD can clone, so only remote URLs are taken.
    if (filled['repoURL'] === undefined && git.url !== undefined && GIT_REMOTE_URL.test(git.url)) filled['repoURL'] = git.url;
    if (filled['targetRevision'] === undefined && git.branch !== undefined) filled['targetRevision'] = git.branch;
    render['argocd'] = filled;
  },
  settingsProblems(settings) {
    const problems: Array<{ path: string[]; message: string }> = [];
    if (settings.argocd.repoURL === undefined) {
      problems.push({ path: ['argocd', 'repoURL'], message: 'Argo CD needs the GitOps repo URL it clones (or a remote git.gitops.url to take it from)' });
    }
    // Argo CD applies manifests as they are: a ${VAR} would reach the API server and be refused.
    if (settings.appsDomain.includes('${')) {
      problems.push({ path: ['appsDomain'], message: 'Argo CD does not substitute ${VAR}s; give the real domain, such as apps.example.com' });
    }
    if (settings.flux.imageAutomation.enabled) {
      problems.push({ path: ['flux', 'imageAutomation', 'enabled'], message: 'Flux image automation needs engine: flux' });
    }
    return problems;
  },
  objects(spec, input, settings) {
    const { app, image } = renderTarget(spec, input);
    if (hasVariable(image)) {
      throw new InputError(`cannot render '${app}' for Argo CD: the image ${image} holds a \${VAR}, which Argo CD does not substitute`, {
        hint: 'Set registry.host or image.repository in slipway.yaml so images have their real names.',
      });
    }
    const files = [{ path: `${appPaths(app, settings).dir}/application.yaml`, object: renderArgoApplication(spec, input, settings) }];
    if (settings.argocd.mode === 'app-of-apps') files.push({ path: appOfAppsPath(settings), object: renderArgoAppOfApps(settings) });
    return { manifests: [], files };
  },
};
