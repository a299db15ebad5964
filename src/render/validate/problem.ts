/** One way a rendered object does not match its schema. */
export interface ValidationProblem {
  /** The object's kind, e.g. `HTTPRoute`. */
  kind: string;
  /** `metadata.name`, or `(unnamed)`. */
  name: string;
  /** Where in the object, e.g. `spec.parentRefs[0].name`; `(object)` for the object as a whole. */
  path: string;
  message: string;
}

/** A problem before it is tied to an object: what the schema checkers produce. */
export interface FieldProblem {
  path: string;
  message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Turns a JSON pointer (what Ajv reports) into the dotted path people read in `kubectl explain`,
 * with list indices in brackets and keys that are not identifiers quoted.
 * @example pointerToPath('/spec/parentRefs/0/name') // 'spec.parentRefs[0].name'
 * @example pointerToPath('/metadata/labels/app.kubernetes.io~1name') // 'metadata.labels["app.kubernetes.io/name"]'
 */
export function pointerToPath(pointer: string, ...more: string[]): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return joinPath([...segments, ...more]);
}

/**
 * Joins path segments the same way `pointerToPath` writes them.
 * @example joinPath(['spec', '0', 'a.b']) // 'spec[0]["a.b"]'
 */
export function joinPath(segments: readonly string[]): string {
  let path = '';
  for (const segment of segments) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path === '' ? '(object)' : path;
}

/**
 * One line per problem, as `assertValid` lists them.
 * @example formatProblem({ kind: 'HTTPRoute', name: 'notes', path: 'spec.hostnames[0]', message: 'must match …' })
 * // 'HTTPRoute/notes: spec.hostnames[0]: must match …'
 */
export function formatProblem(problem: ValidationProblem): string {
  return `${problem.kind}/${problem.name}: ${problem.path}: ${problem.message}`;
}
