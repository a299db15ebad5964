import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { InputError } from '../domain/errors.ts';
import { configChecksum, secretDigest } from './config-checksum.ts';
import { CONFIG_CHECKSUM_ANNOTATION, renderDeployment } from './deployment.ts';
import { DESCRIPTION_ANNOTATION } from './labels.ts';
import { podSecurityProblems } from './pod-security.ts';
import { defaultRenderSettings, RenderSettingsSchema } from '../../test/support/render-settings.ts';
import { SAMPLE_IMAGE, sampleSpec } from './test-fixtures.ts';
import { formatProblem, validateObjects } from './validate/index.ts';
import { RENDERED_HEADER, toYaml } from './yaml-writer.ts';

const settings = defaultRenderSettings();
const write = (spec = sampleSpec(), image = SAMPLE_IMAGE, s = settings) => toYaml(renderDeployment(spec, { image }, s), { header: RENDERED_HEADER });

describe('renderDeployment', () => {
  it('matches the reviewed manifest', async () => {
    await expect(write()).toMatchFileSnapshot('./__snapshots__/deployment.yaml');
  });

  it('matches the reviewed manifest for a persistent app with custom resources', async () => {
    const custom = RenderSettingsSchema.parse({ namespace: 'apps', resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } } });
    await expect(write(sampleSpec({ name: 'notes', persistent: true, port: 3000 }), 'registry.local:5000/apps/notes:1.2.0', custom)).toMatchFileSnapshot(
      './__snapshots__/deployment.persistent.yaml',
    );
  });

  it('meets the restricted Pod Security Standard', () => {
    for (const persistent of [false, true]) {
      const pod = renderDeployment(sampleSpec({ persistent }), { image: SAMPLE_IMAGE }, settings).spec.template.spec;
      expect(podSecurityProblems(pod)).toEqual([]);
      const [container] = pod.containers;
      expect(container?.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container?.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    }
  });

  it('is typed by the Kubernetes model: a mistyped or misspelt field does not compile (npm run typecheck)', () => {
    const deployment: IDeployment = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, settings);
    const rendered = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, settings);
    // @ts-expect-error replicas is an integer in Kubernetes, not a string
    const mistyped: IDeployment = { ...rendered, spec: { ...rendered.spec, replicas: '1' } };
    // @ts-expect-error a Deployment has no field `replica`; the API server would drop it without a word
    const misspelt: IDeployment = { ...rendered, spec: { ...rendered.spec, replica: 2 } };
    // What the types refuse, the schema check before a commit refuses too, except the unknown field:
    // Kubernetes' schemas allow those, so only the type catches a misspelt one.
    expect(validateObjects([deployment])).toEqual([]);
    expect(validateObjects([mistyped]).map(formatProblem)).toEqual(['Deployment/pomodoro-timer: spec.replicas: must be integer']);
    expect(validateObjects([misspelt])).toEqual([]);
  });

  it('runs one replica selected by name and instance, and labels the pod like the Deployment', () => {
    const deployment = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE, labels: { 'example.com/team': 'home' } }, settings);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.revisionHistoryLimit).toBe(3);
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'pomodoro-timer', 'app.kubernetes.io/instance': 'pomodoro-timer' });
    expect(deployment.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'pomodoro-timer',
      'app.kubernetes.io/instance': 'pomodoro-timer',
      'app.kubernetes.io/managed-by': 'slipway',
      'app.kubernetes.io/part-of': 'slipway-apps',
      'example.com/team': 'home',
    });
    expect(deployment.spec.template.metadata.labels).toEqual(deployment.metadata.labels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it('passes the port as $PORT and names it http for the Service and the probes', () => {
    const [container] = renderDeployment(sampleSpec({ port: 3000 }), { image: SAMPLE_IMAGE }, settings).spec.template.spec.containers;
    expect(container?.name).toBe('pomodoro-timer');
    expect(container?.env).toEqual([{ name: 'PORT', value: '3000' }]);
    expect(container?.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    for (const probe of [container?.startupProbe, container?.readinessProbe, container?.livenessProbe]) {
      expect(probe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    }
    expect(container?.resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } });
  });

  it('gives a slow start up to two minutes before liveness counts, and restarts only after a minute of failures', () => {
    const [container] = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, settings).spec.template.spec.containers;
    const window = (p: { periodSeconds: number; failureThreshold: number } | undefined) => (p ? p.periodSeconds * p.failureThreshold : 0);
    expect(window(container?.startupProbe)).toBe(120);
    expect(window(container?.livenessProbe)).toBe(60);
    // The startup probe holds liveness back, so a fixed delay would only slow every start.
    expect(container?.livenessProbe).not.toHaveProperty('initialDelaySeconds');
    expect(container?.readinessProbe.periodSeconds).toBeLessThan(container?.livenessProbe.periodSeconds ?? 0);
  });

  it('keeps the tag beside the digest in the image, for people reading the manifest', () => {
    const [container] = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, settings).spec.template.spec.containers;
    expect(container?.image).toBe(SAMPLE_IMAGE);
    expect(container?.image).toMatch(/:3f2a9c1@sha256:[0-9a-f]{64}$/);
  });

  it('writes the description as it is for Argo CD, which substitutes nothing', () => {
    const argo = RenderSettingsSchema.parse({ engine: 'argocd', appsDomain: 'apps.lan', argocd: { repoURL: 'https://git.lan/h.git' } });
    const deployment = renderDeployment(sampleSpec({ description: 'costs $5 ${X}' }), { image: SAMPLE_IMAGE }, argo);
    expect(deployment.metadata.annotations?.[DESCRIPTION_ANNOTATION]).toBe('costs $5 ${X}');
  });

  it('gives a persistent app $DATA_DIR and a volume at /data, and others neither', () => {
    const persistent = renderDeployment(sampleSpec({ persistent: true }), { image: SAMPLE_IMAGE }, settings).spec.template.spec;
    expect(persistent.containers[0]?.env).toContainEqual({ name: 'DATA_DIR', value: '/data' });
    expect(persistent.containers[0]?.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(persistent.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    const stateless = renderDeployment(sampleSpec({ persistent: false }), { image: SAMPLE_IMAGE }, settings).spec.template.spec;
    expect(JSON.stringify(stateless)).not.toContain('/data');
  });

  it('pins the pull policy only for digest references', () => {
    const pinned = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, settings).spec.template.spec.containers[0];
    expect(pinned?.imagePullPolicy).toBe('IfNotPresent');
    const tagged = renderDeployment(sampleSpec(), { image: 'registry.local/pomodoro-timer:3f2a9c1' }, settings).spec.template.spec.containers[0];
    expect(tagged?.image).toBe('registry.local/pomodoro-timer:3f2a9c1');
    expect(tagged).not.toHaveProperty('imagePullPolicy');
  });

  it('keeps a description with ": ", "#" and quotes intact in an annotation', () => {
    const description = `a timer: 25 min # focus, then "break" — it's fine`;
    const parsed = parse(write(sampleSpec({ description })));
    expect(parsed.metadata.annotations).toEqual({ [DESCRIPTION_ANNOTATION]: description });
  });

  it('collapses newlines in the description to one line that parses back the same', () => {
    const parsed = parse(write(sampleSpec({ description: 'line one:\n  # two\r\n\tthree\u0007' })));
    expect(parsed.metadata.annotations[DESCRIPTION_ANNOTATION]).toBe('line one: # two three');
  });

  it('escapes $ and \\ in the description so that Flux substitution gives back the text', () => {
    const parsed = parse(write(sampleSpec({ description: 'costs $5, not ${PRICE} \\o/' })));
    expect(parsed.metadata.annotations[DESCRIPTION_ANNOTATION]).toBe('costs $$5, not $${PRICE} \\\\o/');
  });

  it('leaves the annotation out for an empty description', () => {
    expect(renderDeployment(sampleSpec({ description: '  ' }), { image: SAMPLE_IMAGE }, settings).metadata).not.toHaveProperty('annotations');
  });

  it.each([
    ['starts with a digit (Service names may not)', '9lives'],
    ['has upper case', 'Pomodoro'],
    ['has a slash', 'a/b'],
    ['is empty', ''],
  ])('refuses an app name that %s', (_what, name) => {
    expect(() => renderDeployment(sampleSpec({ name }), { image: SAMPLE_IMAGE }, settings)).toThrow(InputError);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'registry.local/a b:1'],
    ['with a newline', 'registry.local/a:1\nkind: Secret'],
    ['with a short digest', 'registry.local/a:1@sha256:abc'],
    ['with an upper-case digest', `registry.local/a@sha256:${'AB'.repeat(32)}`],
    ['with only a digest', `@sha256:${'ab'.repeat(32)}`],
  ])(
    'refuses an image reference that is %s',
    (_what, image) => {
      expect(() => renderDeployment(sampleSpec(), { image }, settings)).toThrow(InputError);
    },
  );

  it('refuses extra labels that would change Slipway\'s own or are not valid label keys/values', () => {
    const render = (labels: Record<string, string>) => () => renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE, labels }, settings);
    expect(render({ 'app.kubernetes.io/name': 'other' })).toThrow(/set by Slipway/);
    expect(render({ 'bad key': 'x' })).toThrow(InputError);
    expect(render({ team: 'has space' })).toThrow(InputError);
    expect(render({ team: '${SECRET}' })).toThrow(InputError);
  });
});

describe('renderDeployment with settings and secrets', () => {
  const config = { settings: { THEME: 'dark', GREETING: 'hi there' }, secrets: ['API_KEY'], checksum: configChecksum({ THEME: 'dark', GREETING: 'hi there' }, { API_KEY: secretDigest('v1') }) };

  it('puts settings in env by value, secrets by reference to <app>-env, and the checksum on the pod template', () => {
    const deployment = renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE, config }, settings);
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.env.slice(1)).toEqual([
      { name: 'GREETING', value: 'hi there' },
      { name: 'THEME', value: 'dark' },
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: `${sampleSpec().name}-env`, key: 'API_KEY' } } },
    ]);
    expect(deployment.spec.template.metadata.annotations).toEqual({ [CONFIG_CHECKSUM_ANNOTATION]: config.checksum });
    expect(validateObjects([deployment]).map(formatProblem)).toEqual([]);
  });

  it('changes the checksum with any value, secret or not, and with nothing else', () => {
    const base = configChecksum({ A: '1' }, { S: secretDigest('x') });
    expect(configChecksum({ A: '1' }, { S: secretDigest('x') })).toBe(base);
    expect(configChecksum({ A: '2' }, { S: secretDigest('x') })).not.toBe(base);
    expect(configChecksum({ A: '1' }, { S: secretDigest('y') })).not.toBe(base);
    expect(configChecksum({ A: '1' }, {})).not.toBe(base);
  });

  it('renders no annotation for an app without configuration', () => {
    expect(renderDeployment(sampleSpec(), { image: SAMPLE_IMAGE }, settings).spec.template.metadata).not.toHaveProperty('annotations');
  });
});
