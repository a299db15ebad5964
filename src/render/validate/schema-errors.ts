import type { ErrorObject } from 'ajv';
import { pointerToPath, type FieldProblem } from './problem.ts';

/**
 * Ajv's errors as problems a person can act on: the missing or unknown field named in the path, an
 * `anyOf` reported once (not once per branch), and each path/message pair once.
 * @example schemaErrorsToProblems([{ keyword: 'required', instancePath: '/spec', params: { missingProperty: 'sourceRef' } } as ErrorObject], 'Kustomization')
 * // [{ path: 'spec.sourceRef', message: 'is required' }]
 */
export function schemaErrorsToProblems(errors: readonly ErrorObject[], kind: string): FieldProblem[] {
  const isJunction = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';
  const junctions = errors.filter(isJunction);
  // Errors of one anyOf/oneOf branch only say why that branch did not match; the anyOf says it once.
  // Precompiled validators (kubernetes-models) give branch errors schema paths of their own, so
  // errors at the very same field are taken for branch errors too.
  const inBranch = (e: ErrorObject) =>
    junctions.some((j) => e.schemaPath.startsWith(`${j.schemaPath}/`) || (e.instancePath === j.instancePath && BRANCH_KEYWORDS.has(e.keyword)));
  const branchTypes = new Map<string, string[]>();
  for (const error of errors) {
    if (isJunction(error) || !inBranch(error) || error.keyword !== 'type') continue;
    const types = branchTypes.get(error.instancePath) ?? [];
    types.push(String((error.params as { type?: unknown }).type));
    branchTypes.set(error.instancePath, types);
  }
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (!isJunction(error) && inBranch(error)) continue;
    const problem = toProblem(error, kind, branchTypes.get(error.instancePath));
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

const BRANCH_KEYWORDS = new Set(['type', 'format', 'pattern', 'enum', 'x-kubernetes-int-or-string']);

function toProblem(error: ErrorObject, kind: string, branchTypes: string[] | undefined): FieldProblem {
  const params = error.params as Record<string, unknown>;
  const path = pointerToPath(error.instancePath);
  switch (error.keyword) {
    case 'required':
      return { path: pointerToPath(error.instancePath, String(params['missingProperty'])), message: 'is required' };
    case 'additionalProperties':
      return {
        path: pointerToPath(error.instancePath, String(params['additionalProperty'])),
        message: `is not a field of ${kind} (the API server would drop it)`,
      };
    case 'enum':
      return { path, message: `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return { path, message: `must match the pattern ${String(params['pattern'])}` };
    case 'anyOf':
    case 'oneOf':
      return { path, message: `must be ${describeBranches(error.schema, branchTypes)}` };
    case 'format':
      return { path, message: `must be a valid ${String(params['format'])}` };
    default:
      return { path, message: error.message ?? `fails the ${error.keyword} rule` };
  }
}

/** `an integer or a string` for the usual int-or-string anyOf; a generic phrase otherwise. */
function describeBranches(schema: unknown, branchTypes: string[] | undefined): string {
  const types = Array.isArray(schema)
    ? schema.map((branch) => (typeof branch === 'object' && branch !== null ? (branch as { type?: unknown }).type : undefined))
    : (branchTypes ?? []);
  if (types.length > 0 && types.every((t) => typeof t === 'string')) {
    const words = (types as string[]).map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'a list' : `a ${t}`));
    return words.join(' or ');
  }
  return 'one of the allowed forms';
}
