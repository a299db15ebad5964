import { Document, parseAllDocuments } from 'yaml';
import { InputError } from '../../domain/index.ts';

/**
 * Flux's post-build variable substitution (kustomize-controller `spec.postBuild`), applied here so
 * a machine can run the very manifests the cluster gets. It follows Flux's envsubst fork:
 *
 * - `${VAR}` is the value of VAR; `$VAR` without braces is left alone.
 * - `${VAR:=default}`, `${VAR=default}`, `${VAR:-default}` give the default when VAR is unset *or
 *   empty* (Flux treats all three alike); a default may hold text and nested `${…}`.
 * - `$$` outside an expression is one `$`, so `$${VAR}` writes a literal `${VAR}`.
 * - A variable without a default that has no value fails, as with Flux's strict substitution: every
 *   missing name is reported at once. (Flux's default mode would write an empty string.)
 * - Values lose their newlines; variable names must match `^[_A-Za-z][_A-Za-z0-9]*$`.
 * - A resource labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is not touched.
 * - Flux skips substitution when it has no variables at all; here it always runs, so a manifest that
 *   needs a variable fails instead of running with `${VAR}` left in.
 *
 * Bash-style operators Flux also knows (`${VAR^^}`, `${#VAR}`, `${VAR:1:2}`, `${VAR/a/b}`,
 * `${VAR%x}` …) are refused with an error naming them rather than half-supported.
 */

/** Flux checks variable names against this before substituting. */
const VARIABLE_NAME = /^[_A-Za-z][_A-Za-z0-9]*$/;
/** What the template scanner takes as a name inside `${…}` (letters, digits, `_`). */
const IDENT = /[\p{L}\p{N}_]/u;
const DISABLED_KEY = 'kustomize.toolkit.fluxcd.io/substitute';
const YAML_OPTIONS = { version: '1.1' } as const;

/** One parsed manifest (a Kubernetes object as plain data). */
export type Manifest = Record<string, unknown>;

/**
 * Substitutes `${VAR}` expressions in `text` the way Flux does (see the module comment).
 * @throws InputError naming every variable that has no value, or the expression Flux would reject.
 * @example fluxSubstitute('host: app.${APPS_SUBDOMAIN} port: ${PORT:=8080} literal: $${X}', { APPS_SUBDOMAIN: 'home.lan' })
 * // 'host: app.home.lan port: 8080 literal: ${X}'
 */
export function fluxSubstitute(text: string, variables: Record<string, string>): string {
  const missing = new Set<string>();
  const out = expandWith(text, checkedVariables(variables), missing);
  throwIfMissing(missing);
  return out;
}

/**
 * Parses a YAML stream and substitutes each resource as Flux does after `kustomize build`: per
 * resource, on its YAML without comments, skipping resources marked `substitute: disabled`.
 * @throws InputError when the YAML does not parse, a variable is missing or an expression is refused.
 * @example substituteManifests('kind: ConfigMap\ndata:\n  host: ${HOST}\n', { HOST: 'x' })[0] // { kind: 'ConfigMap', data: { host: 'x' } }
 */
export function substituteManifests(yamlText: string, variables: Record<string, string>): Manifest[] {
  const vars = checkedVariables(variables);
  const missing = new Set<string>();
  const manifests: Manifest[] = [];
  for (const value of parseManifests(yamlText)) {
    if (substitutionDisabled(value)) {
      manifests.push(value);
      continue;
    }
    const text = new Document(value, YAML_OPTIONS).toString({ lineWidth: 0 });
    const [substituted] = parseManifests(expandWith(text, vars, missing), 'after substitution');
    if (substituted) manifests.push(substituted);
  }
  throwIfMissing(missing);
  return manifests;
}

function parseManifests(yamlText: string, when?: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(yamlText, YAML_OPTIONS)) {
    const [error] = doc.errors;
    if (error) throw new InputError(`the manifests are not valid YAML${when ? ` ${when}` : ''}: ${error.message.split('\n')[0]}`, { hint: 'Check the rendered manifests and the substitution values (a value with `: ` or a newline can break a line).' });
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new InputError('each YAML document of the manifests must be a Kubernetes object');
    manifests.push(value as Manifest);
  }
  return manifests;
}

function substitutionDisabled(manifest: Manifest): boolean {
  const metadata = (manifest['metadata'] ?? {}) as { labels?: Record<string, unknown>; annotations?: Record<string, unknown> };
  return metadata.labels?.[DISABLED_KEY] === 'disabled' || metadata.annotations?.[DISABLED_KEY] === 'disabled';
}

function checkedVariables(variables: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(variables)) {
    if (!VARIABLE_NAME.test(name)) throw new InputError(`substitution variable name ${JSON.stringify(name)} is not valid`, { hint: 'Flux accepts names of letters, digits and _ that do not start with a digit.' });
    // Flux drops newlines from every value (a value is meant to be one scalar).
    out.set(name, value.replaceAll('\n', ''));
  }
  return out;
}

function throwIfMissing(missing: Set<string>): void {
  if (missing.size === 0) return;
  const names = [...missing].sort();
  throw new InputError(`the manifests use ${names.length === 1 ? 'a variable' : 'variables'} without a value: ${names.map((n) => '${' + n + '}').join(', ')}`, {
    hint: `Give ${names.join(', ')} a value in the local substitution variables (as the cluster's postBuild substituteFrom does), or write a default such as \${${names[0]}:=value}.`,
  });
}

function expandWith(text: string, vars: Map<string, string>, missing: Set<string>): string {
  const scanner = new Scanner(text, vars, missing);
  return scanner.text();
}

/** A small recursive scanner over the template; positions are indexes into `source`. */
class Scanner {
  private readonly source: string;
  private readonly vars: Map<string, string>;
  private readonly missing: Set<string>;
  private pos = 0;

  constructor(source: string, vars: Map<string, string>, missing: Set<string>) {
    this.source = source;
    this.vars = vars;
    this.missing = missing;
  }

  /** Top level: text with `$$` escapes and `${…}` expressions. */
  text(): string {
    let out = '';
    const s = this.source;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '$' && s[this.pos + 1] === '{') {
        const start = this.pos;
        this.pos += 2;
        out += this.expression(start);
      } else if (c === '$' && s[this.pos + 1] === '$') {
        out += '$';
        this.pos += 2;
      } else {
        out += c;
        this.pos += 1;
      }
    }
    return out;
  }

  /** After `${`: a name, then `}` or a default operator. */
  private expression(start: number): string {
    const s = this.source;
    let name = '';
    while (this.pos < s.length && IDENT.test(s[this.pos]!)) name += s[this.pos++];
    const next = s[this.pos];
    if (name === '') {
      if (next === '#') this.refuse(start, 'the length operator');
      throw this.bad(start, 'a variable name must follow ${');
    }
    if (next === '}') {
      this.pos += 1;
      const value = this.vars.get(name);
      if (value === undefined) this.missing.add(name);
      return value ?? '';
    }
    const operator = next === '=' ? '=' : next === ':' && /[=\-?+]/.test(s[this.pos + 1] ?? '') ? `:${s[this.pos + 1]}` : undefined;
    if (operator === ':?' || operator === ':+') this.refuse(start, `the ${operator} operator (Flux treats it as a plain default)`);
    if (operator) {
      this.pos += operator.length;
      // Flux evaluates the default even when the variable has a value, so a missing name in it fails too.
      const fallback = this.defaultText(start);
      const value = this.vars.get(name) ?? '';
      return value === '' ? fallback : value;
    }
    if (next === undefined) throw this.bad(start, 'the closing } is missing');
    if (next === '-' || next === '+' || next === '?') {
      throw this.bad(start, `Flux does not accept \${${name}${next}…}`, `Write \${${name}:=default} for a default.`);
    }
    if (/[,^/#%:]/.test(next)) this.refuse(start, `the ${next} operator`);
    throw this.bad(start, 'the closing } is missing');
  }

  /** The default after an operator, up to the matching `}`: text and nested `${…}` (no `$$` escapes here, as in Flux). */
  private defaultText(start: number): string {
    const s = this.source;
    let out = '';
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === '}') {
        this.pos += 1;
        return out;
      }
      if (c === '$' && s[this.pos + 1] === '{') {
        const inner = this.pos;
        this.pos += 2;
        out += this.expression(inner);
      } else {
        out += c;
        this.pos += 1;
      }
    }
    throw this.bad(start, 'the closing } is missing');
  }

  private refuse(start: number, what: string): never {
    const end = this.source.indexOf('}', start);
    const expression = this.source.slice(start, end === -1 ? start + 40 : end + 1);
    throw new InputError(`the manifests use ${expression}: ${what} is not applied by Slipway's local substitution`, { hint: 'Use ${VAR} or ${VAR:=default} in manifests that also run locally.' });
  }

  private bad(start: number, why: string, hint?: string): InputError {
    const excerpt = this.source.slice(start, start + 40).split('\n')[0];
    return new InputError(`bad substitution at ${JSON.stringify(excerpt)}: ${why}`, { hint: hint ?? 'Write ${VAR}, ${VAR:=default}, or $${VAR} for a literal ${VAR}.' });
  }
}
