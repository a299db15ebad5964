import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { InputError, type AppSpec } from '../../domain/index.ts';
import { podSecurityProblems, renderApp } from '../../render/index.ts';
import { defaultRenderSettings } from '../../../test/support/render-settings.ts';
import { substituteManifests, type Manifest } from './flux-substitute.ts';
import { adaptForPodman, kubeYaml, type PodmanAdaptation } from './podman-kube-manifest.ts';

const spec: AppSpec = { name: 'notes', description: 'notes for ${HOME_NAME}', template: 't', templateVersion: '1', runtime: 'node', port: 3000, persistent: true, command: ['node', 'server.js'] };
const IMAGE_ID = 'f'.repeat(64);
const base: PodmanAdaptation = { app: 'notes', homeId: '3f9c0a1b', imageId: IMAGE_ID, image: 'oci:/images:notes-1', host: '127.0.0.1', hostPort: 40123, probesRunWithoutShell: true };

/** The committed Deployment of `spec`, substituted as Flux would. */
function rendered(image = 'registry.home.lan:5000/dynamic-apps/notes:1'): Manifest[] {
  const file = renderApp(spec, { image }, defaultRenderSettings()).find((f) => f.path.endsWith('/deployment.yaml'))!;
  return substituteManifests(file.content, {});
}

type Pod = { containers: Array<Record<string, any>>; volumes: Array<{ name: string }>; securityContext: unknown };
const podOf = (m: Manifest) => (m as { spec: { template: { spec: Pod } } }).spec.template.spec;

describe('adaptForPodman', () => {
  it('changes only the name and home label, the image, the host port, emptyDir names and httpGet probes, and says so', () => {
    const input = rendered();
    const before = structuredClone(input);
    const adapted = adaptForPodman(input, { ...base, env: { GREETING: 'hi', PORT: '1' } });
    expect(input).toEqual(before);
    expect(adapted).toMatchObject({ deployment: 'slipway-3f9c0a1b-notes', container: 'notes', selector: { 'app.kubernetes.io/name': 'notes', 'app.kubernetes.io/instance': 'notes', 'io.slipway.home': '3f9c0a1b' } });
    const meta = adapted.manifests[0] as { metadata: { labels: Record<string, string> }; spec: { template: { metadata: { labels: Record<string, string> } } } };
    expect(meta.metadata.labels['io.slipway.home']).toBe('3f9c0a1b');
    expect(meta.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'notes', 'io.slipway.home': '3f9c0a1b' });
    const pod = podOf(adapted.manifests[0]!);
    const original = podOf(before[0]!);
    const container = pod.containers[0]!;
    expect(container).toMatchObject({ image: IMAGE_ID, imagePullPolicy: 'Never' });
    expect(container['ports']).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP', hostPort: 40123, hostIP: '127.0.0.1' }]);
    expect(pod.volumes.map((v) => v.name)).toEqual(['slipway-3f9c0a1b-notes-tmp', 'slipway-3f9c0a1b-notes-data']);
    expect(container['volumeMounts']).toEqual([{ name: 'slipway-3f9c0a1b-notes-tmp', mountPath: '/tmp' }, { name: 'slipway-3f9c0a1b-notes-data', mountPath: '/data' }]);
    // The request's env adds what the manifest does not set; the manifest's PORT wins.
    expect(container['env']).toEqual([{ name: 'PORT', value: '3000' }, { name: 'DATA_DIR', value: '/data' }, { name: 'GREETING', value: 'hi' }]);
    // The restricted Pod Security Standard holds as committed.
    expect(pod.securityContext).toEqual(original.securityContext);
    expect(container['securityContext']).toEqual(original.containers[0]!['securityContext']);
    expect(container['resources']).toEqual(original.containers[0]!['resources']);
    expect(podSecurityProblems(pod as never)).toEqual([]);
    // Liveness and startup checks become the same GET done by node; readiness stays as it is.
    expect(container['readinessProbe']).toEqual(original.containers[0]!['readinessProbe']);
    const { exec, ...timing } = container['livenessProbe'];
    const { httpGet: _httpGet, ...originalTiming } = original.containers[0]!['livenessProbe'];
    expect(timing).toEqual(originalTiming);
    expect(exec.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(exec.command[2]).toContain('fetch("http://127.0.0.1:3000/healthz"');
    expect(exec.command[2]).toContain('AbortSignal.timeout(3000)');
    const startup = original.containers[0]!['startupProbe'] !== undefined;
    if (startup) expect(container['startupProbe'].exec.command[2]).toContain(`AbortSignal.timeout(${original.containers[0]!['startupProbe'].timeoutSeconds * 1000})`);
    expect(adapted.notes.map((n) => n.split(':')[0])).toEqual(['name', 'image', 'ports', 'volumes', 'livenessProbe', ...(startup ? ['startupProbe'] : []), 'env']);
  });

  it('leaves liveness and startup probes out where podman runs probes through /bin/sh', () => {
    const adapted = adaptForPodman(rendered(), { ...base, probesRunWithoutShell: false });
    const container = podOf(adapted.manifests[0]!).containers[0]!;
    expect(container['livenessProbe']).toBeUndefined();
    expect(container['startupProbe']).toBeUndefined();
    expect(container['readinessProbe'].httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(adapted.notes.join('\n')).toMatch(/livenessProbe: left out \(this podman runs every probe through \/bin\/sh/);
  });

  it('refuses manifests it cannot run', () => {
    const [deployment] = rendered();
    expect(() => adaptForPodman([], base)).toThrow(InputError);
    expect(() => adaptForPodman([deployment!, deployment!], base)).toThrow(/hold 2/);
    const noPort = structuredClone(deployment!);
    delete podOf(noPort).containers[0]!['ports'];
    expect(() => adaptForPodman([noPort], base)).toThrow(/no containerPort/);
    const badProbe = structuredClone(deployment!);
    podOf(badProbe).containers[0]!['livenessProbe'].httpGet.port = 'metrics';
    expect(() => adaptForPodman([badProbe], base)).toThrow(/port "metrics"/);
    expect(() => adaptForPodman([deployment!], { ...base, env: { 'BAD-NAME': 'x' } })).toThrow(/not valid/);
  });

  it('writes YAML that parses back to the same objects, under a comment', () => {
    const adapted = adaptForPodman(rendered(), base);
    const text = kubeYaml(adapted.manifests, ['Run by Slipway', '', 'line']);
    expect(text.startsWith('# Run by Slipway\n#\n# line\napiVersion: apps/v1\n')).toBe(true);
    expect(text).toContain('value: "3000"');
    expect(parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS())).toEqual(adapted.manifests);
  });
});
