import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/index.ts';
import { fluxSubstitute, substituteManifests } from './flux-substitute.ts';

const vars = { APPS_SUBDOMAIN: 'apps.home.lan', REGISTRY_URL: 'registry.home.lan:5000', EMPTY: '', A: 'a' };

function failure(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('fluxSubstitute', () => {
  it('replaces ${VAR} and leaves $VAR without braces alone', () => {
    expect(fluxSubstitute('host: notes.${APPS_SUBDOMAIN}', vars)).toBe('host: notes.apps.home.lan');
    expect(fluxSubstitute('image: ${REGISTRY_URL}/apps/notes:1', vars)).toBe('image: registry.home.lan:5000/apps/notes:1');
    expect(fluxSubstitute('run: echo $A and ${A}${A}', vars)).toBe('run: echo $A and aa');
    expect(fluxSubstitute('no variables here', {})).toBe('no variables here');
  });

  it('uses a default when the variable is unset or empty, for :=, = and :-, with nested expressions', () => {
    expect(fluxSubstitute('${MISSING:=8080}', vars)).toBe('8080');
    expect(fluxSubstitute('${MISSING=x}/${MISSING:-y}', vars)).toBe('x/y');
    expect(fluxSubstitute('${EMPTY:=fallback} ${EMPTY=also}', vars)).toBe('fallback also');
    expect(fluxSubstitute('${A:=unused}', vars)).toBe('a');
    expect(fluxSubstitute('${MISSING:=${APPS_SUBDOMAIN}-suffix}', vars)).toBe('apps.home.lan-suffix');
    expect(fluxSubstitute('${MISSING:=pre${OTHER:=x}post}', vars)).toBe('prexpost');
    expect(fluxSubstitute('${MISSING:=}', vars)).toBe('');
    expect(fluxSubstitute('${MISSING:=a$b}', vars)).toBe('a$b');
  });

  it('turns $$ into $, so $${VAR} is a literal ${VAR}', () => {
    expect(fluxSubstitute('literal: $${APPS_SUBDOMAIN}', vars)).toBe('literal: ${APPS_SUBDOMAIN}');
    expect(fluxSubstitute('price: $$5 and $$$${A}', vars)).toBe('price: $5 and $${A}');
    expect(fluxSubstitute('$$${A}', vars)).toBe('$a');
    expect(fluxSubstitute('some text ${A}$${var$${A}$A${A}', vars)).toBe('some text a${var${A}$Aa');
    expect(fluxSubstitute('trailing $', vars)).toBe('trailing $');
  });

  it('names every variable without a value, including one inside a default that is not used', () => {
    const error = failure(() => fluxSubstitute('${NOPE} ${ALSO_NOPE} ${NOPE} ${A:=${INNER}}', vars));
    expect(error.message).toBe('the manifests use variables without a value: ${ALSO_NOPE}, ${INNER}, ${NOPE}');
    expect(error.hint).toMatch(/ALSO_NOPE, INNER, NOPE/);
    expect(failure(() => fluxSubstitute('x: ${ONE}', {})).message).toBe('the manifests use a variable without a value: ${ONE}');
  });

  it('refuses bad syntax and operators it does not apply, naming the expression', () => {
    expect(failure(() => fluxSubstitute('${A', vars)).message).toMatch(/closing } is missing/);
    expect(failure(() => fluxSubstitute('${A:=x', vars)).message).toMatch(/closing } is missing/);
    expect(failure(() => fluxSubstitute('${}', vars)).message).toMatch(/variable name must follow/);
    expect(failure(() => fluxSubstitute('${A-x}', vars)).hint).toMatch(/\$\{A:=default\}/);
    expect(failure(() => fluxSubstitute('${A^^}', vars)).message).toMatch(/\$\{A\^\^\}: the \^ operator/);
    expect(failure(() => fluxSubstitute('${#A}', vars)).message).toMatch(/length operator/);
    expect(failure(() => fluxSubstitute('${A:1:2}', vars)).message).toMatch(/\$\{A:1:2\}/);
    expect(failure(() => fluxSubstitute('${A/a/b}', vars)).message).toMatch(/\/ operator/);
    expect(failure(() => fluxSubstitute('${A:+x}', vars)).message).toMatch(/:\+ operator/);
  });

  it('drops newlines from values and checks variable names as Flux does', () => {
    expect(fluxSubstitute('v: ${ML}', { ML: 'one\ntwo\n' })).toBe('v: onetwo');
    expect(failure(() => fluxSubstitute('x', { '1BAD': 'x' })).message).toMatch(/"1BAD" is not valid/);
    expect(failure(() => fluxSubstitute('x', { 'A-B': 'x' })).message).toMatch(/"A-B" is not valid/);
  });
});

describe('substituteManifests', () => {
  // Flux substitutes kustomize's re-serialised YAML, where quotes that are not needed are gone: a quoted
  // "${PORT}" becomes a number, here as in the cluster.
  it('substitutes each resource on its re-serialised YAML, as Flux does, and skips resources marked disabled', () => {
    const yaml = [
      '# a comment with ${NOT_SUBSTITUTED}',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: one',
      'data:',
      '  host: notes.${APPS_SUBDOMAIN}',
      '  port: "${PORT:=8080}"',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: two',
      '  annotations:',
      '    kustomize.toolkit.fluxcd.io/substitute: disabled',
      'data:',
      '  script: echo ${LEFT_ALONE}',
      '',
    ].join('\n');
    const [one, two] = substituteManifests(yaml, vars);
    expect(one).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' }, data: { host: 'notes.apps.home.lan', port: 8080 } });
    expect((two as { data: unknown }).data).toEqual({ script: 'echo ${LEFT_ALONE}' });
  });

  it('reports the missing variables of all resources at once, and YAML broken by a value', () => {
    const yaml = 'kind: A\nx: ${ONE}\n---\nkind: B\ny: ${TWO}\n';
    expect(failure(() => substituteManifests(yaml, {})).message).toMatch(/\$\{ONE\}, \$\{TWO\}/);
    expect(failure(() => substituteManifests('kind: A\nx: ${V}\n', { V: 'a: b' })).message).toMatch(/not valid YAML after substitution/);
  });
});
