import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderAppObjects } from '../app.ts';
import { flavours, SEMVER_IMAGE, sampleSpec } from '../test-fixtures.ts';
import { validatorCompiler, validatorDigest } from './compiled-validator.ts';
import { CRD_DIR, CRD_FILES, CrdSchemas, validationSchema, type CrdVersion } from './crd-schemas.ts';
import { formatProblem, validateObjects } from './index.ts';
import { schemaErrorsToProblems } from './schema-errors.ts';
import { withSampleValues } from './variables.ts';

const root = mkdtempSync(join(tmpdir(), 'slipway-validators-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `dir-${++dirs}`);
const entries = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.cjs')).sort();

/** Every custom resource Slipway renders, valid and broken in the ways the render tests break them. */
function customResources(): Record<string, any>[] {
  const objects = Object.values(flavours()).flatMap((settings) =>
    renderAppObjects(sampleSpec({ persistent: true }), { image: SEMVER_IMAGE }, settings).map((m) => structuredClone(m.object) as Record<string, any>),
  );
  const crs = objects.filter((o) => new CrdSchemas().knows(o.apiVersion, o.kind));
  const of = (kind: string) => structuredClone(crs.find((o) => o.kind === kind && o.apiVersion !== 'kustomize.config.k8s.io/v1beta1')!);
  const broken: Record<string, any>[] = [];
  const ks = of('Kustomization');
  ks.spec.sourceRefs = ks.spec.sourceRef;
  delete ks.spec.sourceRef;
  ks.spec.interval = '10 minutes';
  broken.push(ks);
  const route = of('HTTPRoute');
  delete route.spec.parentRefs[0].name;
  route.spec.parentRefs.push({ name: 'gw', namespace: 'Not_A_Namespace', port: '443' });
  route.spec.hostnames = ['Pomodoro Timer'];
  broken.push(route);
  const policy = of('ImagePolicy');
  delete policy.spec.policy;
  policy.spec.digestReflectionPolicy = 'Sometimes';
  broken.push(policy);
  const repository = of('ImageRepository');
  delete repository.spec.interval;
  repository.spec.timeout = 5;
  broken.push(repository);
  const application = of('Application');
  delete application.spec.destination;
  application.spec.syncPolicy.automated.prune = 'yes';
  broken.push(application);
  broken.push({
    apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver', metadata: { name: 'slipway' },
    spec: { type: 'github', secretRef: { name: 'token' }, resources: [{ kind: 'Deployment', name: 'x' }, { kind: 'GitRepository', name: 'x', extra: 1 }] },
  });
  return [...crs, ...broken];
}

/** The problems of each object with Ajv's own in-memory validator of the same schema: no generated code, no cache. */
function freshCompileProblems(objects: Record<string, any>[]): string[][] {
  const ajv = validatorCompiler();
  return objects.map((object) => {
    const [group] = (object.apiVersion as string).split('/');
    const file = CRD_FILES[`${group}/${object.kind}`]!;
    const versions = (parse(readFileSync(join(CRD_DIR, file), 'utf8')) as { spec: { versions: CrdVersion[] } }).spec.versions;
    const version = versions.find((v) => v.name === object.apiVersion.split('/')[1])!;
    const validate = ajv.compile(validationSchema(version, file));
    const data = withSampleValues(object);
    return validate(data) ? [] : schemaErrorsToProblems(validate.errors ?? [], object.kind).map((p) => `${p.path}: ${p.message}`);
  });
}

const problemsOf = (crds: CrdSchemas, objects: Record<string, any>[]) =>
  objects.map((object) => crds.problems(withSampleValues(object) as { apiVersion: string; kind: string })!.map((p) => `${p.path}: ${p.message}`));

describe('CrdSchemas with a validator cache', () => {
  it('gives the same problems as a fresh compile, from the code it compiles and from the code it finds cached', () => {
    const objects = customResources();
    const expected = freshCompileProblems(objects);
    // The broken objects do have problems, of every CRD kind Slipway renders.
    expect(expected.filter((p) => p.length > 0)).toHaveLength(6);
    expect(expected.flat().length).toBeGreaterThan(12);

    const cacheDir = freshDir();
    expect(problemsOf(new CrdSchemas({ cacheDir }), objects)).toEqual(expected);
    // One entry per CRD version used: Kustomization, ImageRepository, ImagePolicy, HTTPRoute, Application, Receiver.
    const written = entries(cacheDir);
    expect(written).toHaveLength(6);
    const before = written.map((f) => readFileSync(join(cacheDir, f), 'utf8'));
    expect(problemsOf(new CrdSchemas({ cacheDir }), objects)).toEqual(expected);
    expect(entries(cacheDir).map((f) => readFileSync(join(cacheDir, f), 'utf8'))).toEqual(before);
    // And without a cache, as the default validator of a process does.
    expect(problemsOf(new CrdSchemas(), objects)).toEqual(expected);
  });

  it('loads what the cache holds instead of compiling, and compiles again once the schema changes', () => {
    const dir = freshDir();
    const cacheDir = freshDir();
    mkdirSync(dir);
    copyFileSync(join(CRD_DIR, 'kustomizations.yaml'), join(dir, 'kustomizations.yaml'));
    const ks = structuredClone(renderAppObjects(sampleSpec(), { image: SEMVER_IMAGE }, flavours().flux).find((m) => m.object.kind === 'Kustomization' && m.object.apiVersion.startsWith('kustomize.toolkit'))!.object) as Record<string, any>;
    delete ks.spec.prune;
    const lines = () => validateObjects([ks], { crds: new CrdSchemas({ dir, cacheDir }) }).map(formatProblem);
    expect(lines()).toEqual(['Kustomization/pomodoro-timer: spec.prune: is required']);
    const [entry] = entries(cacheDir);

    // A stand-in entry with a good checksum is taken as the compiled schema: the cache is what is used.
    const code = 'module.exports = function validate() { validate.errors = [{ keyword: "cached", instancePath: "/spec", schemaPath: "#", params: {}, message: "from the cache" }]; return false; };';
    writeFileSync(join(cacheDir, entry!), `${readFileSync(join(cacheDir, entry!), 'utf8').split('\n')[0]!.replace(/[0-9a-f]{64}$/, sha256(code))}\n${code}`);
    expect(lines()).toEqual(['Kustomization/pomodoro-timer: spec: from the cache']);

    // The CRD no longer requires prune: a new digest, compiled afresh, the stand-in left alone.
    const crd = parse(readFileSync(join(dir, 'kustomizations.yaml'), 'utf8'));
    const v1 = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
    v1.schema.openAPIV3Schema.properties.spec.required = v1.schema.openAPIV3Schema.properties.spec.required.filter((r: string) => r !== 'prune');
    writeFileSync(join(dir, 'kustomizations.yaml'), stringify(crd));
    expect(lines()).toEqual([]);
    expect(entries(cacheDir)).toHaveLength(2);
    expect(entries(cacheDir)).toContain(entry);
  });

  it.each<[string, (text: string) => string]>([
    ['a truncated entry', (text) => text.slice(0, Math.floor(text.length / 2))],
    ['an empty entry', () => ''],
    ['an entry with its code changed', (text) => text.replace('return', 'return true;')],
    ['garbage', () => '\u0000\u0001 not code at all'],
    ['code that exports no validator, with a good checksum', () => `// sha256 ${sha256('module.exports = 1;')}\nmodule.exports = 1;`],
    ['code that throws, with a good checksum', () => `// sha256 ${sha256('throw new Error("boom");')}\nthrow new Error("boom");`],
  ])('ignores %s, validates as a fresh compile does and writes the entry again', (_what, damage) => {
    const cacheDir = freshDir();
    const objects = customResources().filter((o) => o.kind === 'HTTPRoute');
    const expected = problemsOf(new CrdSchemas({ cacheDir }), objects);
    expect(expected.flat().length).toBeGreaterThan(0);
    const [entry] = entries(cacheDir);
    const good = readFileSync(join(cacheDir, entry!), 'utf8');
    writeFileSync(join(cacheDir, entry!), damage(good));
    expect(problemsOf(new CrdSchemas({ cacheDir }), objects)).toEqual(expected);
    expect(readFileSync(join(cacheDir, entry!), 'utf8')).toBe(good);
    expect(readdirSync(cacheDir)).toEqual([entry]);
  });

  it('validates when the cache cannot be written', () => {
    const cacheDir = join(freshDir());
    writeFileSync(cacheDir, 'a file where the cache directory should be');
    const objects = customResources();
    expect(problemsOf(new CrdSchemas({ cacheDir }), objects)).toEqual(freshCompileProblems(objects));
  });

  it('keys an entry by the schema text and the part compiled', () => {
    const text = readFileSync(join(CRD_DIR, 'kustomizations.yaml'), 'utf8');
    expect(validatorDigest(text, 'v1')).toBe(validatorDigest(text, 'v1'));
    expect(validatorDigest(text, 'v1')).not.toBe(validatorDigest(text, 'v1beta2'));
    expect(validatorDigest(text, 'v1')).not.toBe(validatorDigest(`${text}\n`, 'v1'));
    expect(validatorDigest(text, 'v1')).toMatch(/^[0-9a-f]{64}$/);
  });
});

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
