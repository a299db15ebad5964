import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Ajv, AnySchemaObject, ValidateFunction } from 'ajv';
import { KEYWORD_CHECKS_MODULE, keywordChecks, kubernetesFormats, kubernetesKeywords } from './kubernetes-keywords.ts';

/**
 * CRD schemas compiled into validator code, and that code kept in a cache by digest.
 *
 * Compiling the Gateway API or Argo CD schema with Ajv takes hundreds of milliseconds, and every
 * `slipway` command is a new process. So a schema is compiled once into standalone JavaScript (Ajv's
 * `standaloneCode`), which a later process only loads. The code is cached at run time, keyed by a
 * digest of everything it is made from, rather than generated at build time: editing a CRD, a
 * keyword or the Ajv options then needs no build step to remember, and running from the sources
 * behaves as the bundle does. Every validator, cached or not, is loaded from its code, so there is
 * one way a schema is checked.
 */

const require = createRequire(import.meta.url);

/** The name generated code requires the Kubernetes formats by (Ajv's `code.formats`). */
const FORMATS_MODULE = 'slipway:kubernetes-formats';

/** The files whose code shapes a validator: a change to any of them makes every cached one stale. */
const SHAPING_SOURCES = ['./crd-schemas.ts', './kubernetes-keywords.ts', './go-patterns.ts', './compiled-validator.ts'];

/**
 * An Ajv that checks what the API server checks and keeps each validator's source.
 * Strict: a keyword nobody defined is an error at compile time, so a new extension is noticed.
 */
export function validatorCompiler(): Ajv {
  const { Ajv: AjvClass, _ } = require('ajv') as typeof import('ajv');
  return new AjvClass({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    formats: kubernetesFormats(),
    keywords: kubernetesKeywords(),
    code: { source: true, formats: _`require(${FORMATS_MODULE})` },
  });
}

/** The schema as a CommonJS module exporting its validate function. */
export function validatorCode(ajv: Ajv, schema: AnySchemaObject): string {
  const { default: standaloneCode } = require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js');
  return standaloneCode(ajv, ajv.compile(schema));
}

/**
 * Runs validator code made by `validatorCode`. It may require only the Kubernetes checks and
 * formats and Ajv's runtime helpers.
 */
export function loadValidator(code: string): ValidateFunction {
  const module: { exports: unknown } = { exports: {} };
  // The code is Slipway's own output (from the schemas it ships), read back from the user's cache.
  new Function('require', 'module', 'exports', code)(requireForValidator, module, module.exports);
  if (typeof module.exports !== 'function') throw new Error('the validator code exports no function');
  return module.exports as ValidateFunction;
}

function requireForValidator(id: string): unknown {
  if (id === KEYWORD_CHECKS_MODULE) return keywordChecks;
  if (id === FORMATS_MODULE) return kubernetesFormats();
  if (id.startsWith('ajv/dist/runtime/')) return require(id);
  throw new Error(`validator code requires ${id}, which is not one of the modules it may use`);
}

let shapingDigest: string | undefined;

/**
 * The cache key of one schema: the bytes it is read from, the part of them that is compiled (a CRD
 * version), the Ajv version, and the source of the code that turns it into a validator.
 */
export function validatorDigest(schemaText: string, part: string): string {
  shapingDigest ??= digestOf([
    `ajv ${(require('ajv/package.json') as { version: string }).version}`,
    ...SHAPING_SOURCES.map((file) => readFileSync(new URL(file, import.meta.url), 'utf8')),
  ]);
  return digestOf([shapingDigest, part, schemaText]);
}

function digestOf(parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:`).update(part);
  return hash.digest('hex');
}

/**
 * Validator code by digest, one file each under `dir`. A file starts with the sha256 of the code
 * after it, so a truncated or damaged entry is noticed and treated as absent.
 */
export class ValidatorCache {
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The validator stored under the digest, or undefined when there is none or it is damaged. */
  read(digest: string): ValidateFunction | undefined {
    let text: string;
    try {
      text = readFileSync(this.path(digest), 'utf8');
    } catch {
      return undefined;
    }
    const newline = text.indexOf('\n');
    const code = text.slice(newline + 1);
    if (newline < 0 || text.slice(0, newline) !== header(code)) return undefined;
    try {
      return loadValidator(code);
    } catch {
      return undefined;
    }
  }

  /**
   * Stores the code under the digest: written to a temporary file and renamed, so processes that run
   * at once never read half an entry. A cache that cannot be written only costs the next process a compile.
   */
  write(digest: string, code: string): void {
    const temporary = `${this.path(digest)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(temporary, `${header(code)}\n${code}`);
      renameSync(temporary, this.path(digest));
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was written where nothing can be.
      }
    }
  }

  path(digest: string): string {
    return join(this.dir, `${digest}.cjs`);
  }
}

function header(code: string): string {
  return `// sha256 ${createHash('sha256').update(code).digest('hex')}`;
}
