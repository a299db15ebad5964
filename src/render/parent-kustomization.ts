import { Document, isMap, isScalar, isSeq, parseAllDocuments, Scalar, YAMLSeq } from 'yaml';
import { ConflictError, InputError } from '../domain/errors.ts';
import { compareCodeUnits } from '../domain/compare.ts';
import type { EngineRender } from '../ports/gitops-engine.ts';
import { documentToYaml, YAML_PARSE_OPTIONS } from './yaml-writer.ts';

/** Comment on top of a parent kustomization Slipway creates; people may add entries of their own. */
export const PARENT_HEADER =
  'Apps deployed by Slipway. Slipway adds and removes the ./<app>/ks.yaml (Flux) or ./<app>/application.yaml (Argo CD) entries; other entries are kept.';

/** The engines the parent kustomization is written for: the chosen one, and all (the render settings have both). */
interface Engines {
  engine: EngineRender;
  engines: readonly EngineRender[];
}

const APP_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The entry listing an app in the parent kustomization for an engine: the object that makes the
 * engine apply the app. With Flux that is the app's Flux Kustomization (`./<app>/ks.yaml`); with Argo
 * CD it is the app's Application (`./<app>/application.yaml`), so whatever syncs the parent directory
 * (Slipway's app-of-apps Application, or a root Application of the person's own) creates the
 * Applications, and each Application syncs its app's manifests. The manifests are never listed here.
 * @example appEntry('notes', argoCdRender) // './notes/application.yaml'
 */
export function appEntry(app: string, engine: EngineRender): string {
  return `./${app}/${engine.entryFile}`;
}

/** An app to list or unlist, and/or a file of another kind (an external's `./externals/<name>.yaml`). */
export interface ParentChange {
  add?: string;
  remove?: string;
  addEntry?: string;
  removeEntry?: string;
}

/**
 * Updates (or creates) the parent `kustomization.yaml` at `<gitops.path>/kustomization.yaml` that
 * lists every app's `./<app>/ks.yaml` (or, with Argo CD as `settings.engine`, `./<app>/application.yaml`;
 * see `appEntry`). Adding an app drops its entries for the other engines, whose files are gone after a
 * switch; removing an app drops them all. Entries end up sorted and listed once; entries a person added
 * (other files, other apps) and comments stay. When nothing changes the text is returned as it was,
 * so a repeated deploy commits nothing and a person's unsorted file is rewritten only when an entry
 * really comes or goes. `addEntry`/`removeEntry` list or unlist one other file (an external's). Pure: the same text and change give the same bytes.
 * @example renderParentKustomization(undefined, { add: 'notes' }, settings) // '# Apps deployed …\napiVersion: …\nresources:\n  - ./notes/ks.yaml\n'
 */
export function renderParentKustomization(existing: string | undefined, change: ParentChange, { engine, engines }: Engines): string {
  // An app is listed once, by its engine's file: another engine's entry is left from before a switch.
  const others = engines.filter((other) => other.name !== engine.name);
  for (const app of [change.add, change.remove]) {
    if (app !== undefined && (app.length > 63 || !APP_NAME.test(app))) {
      throw new InputError(`cannot list '${app}' in the parent kustomization: it is not a valid app name`);
    }
  }
  const doc = existing === undefined || existing.trim() === '' ? newParent() : parseParent(existing);
  const seq = resourcesOf(doc);
  const nodes = seq.items as Scalar[];
  const listed = (entry: string) => nodes.some((node) => entryKey(node.value as string) === entryKey(entry));
  const needed =
    (change.add !== undefined && (!listed(appEntry(change.add, engine)) || others.some((other) => listed(appEntry(change.add!, other))))) ||
    (change.remove !== undefined && engines.some((other) => listed(appEntry(change.remove!, other)))) ||
    (change.addEntry !== undefined && !listed(change.addEntry)) ||
    (change.removeEntry !== undefined && listed(change.removeEntry));
  // A change that changes nothing leaves a person's file exactly as it is, even if it is unsorted.
  if (!needed && existing !== undefined && existing.trim() !== '') return existing;

  const kept = new Map<string, Scalar>();
  for (const node of nodes) {
    const key = entryKey(node.value as string);
    // The first of duplicates keeps its comments; later copies are dropped.
    if (!kept.has(key)) kept.set(key, node);
  }
  if (change.remove !== undefined) {
    for (const other of engines) kept.delete(entryKey(appEntry(change.remove, other)));
  }
  if (change.add !== undefined) {
    for (const other of others) kept.delete(entryKey(appEntry(change.add, other)));
    const entry = appEntry(change.add, engine);
    if (!kept.has(entryKey(entry))) kept.set(entryKey(entry), new Scalar(entry));
  }
  if (change.removeEntry !== undefined) kept.delete(entryKey(change.removeEntry));
  if (change.addEntry !== undefined && !kept.has(entryKey(change.addEntry))) kept.set(entryKey(change.addEntry), new Scalar(change.addEntry));
  // Sorted by the normalised path, so `notes/ks.yaml` and `./notes/ks.yaml` sort alike.
  seq.items = [...kept.entries()].sort(([a], [b]) => compareCodeUnits(a, b)).map(([, node]) => node);
  return documentToYaml(doc);
}

function newParent(comment?: string): Document {
  const doc = new Document({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [] }, YAML_PARSE_OPTIONS);
  // On the mapping rather than the document, so no blank line separates the comment from the object.
  if (doc.contents) doc.contents.commentBefore = comment ?? ` ${PARENT_HEADER}`;
  return doc;
}

function parseParent(text: string): Document {
  const docs = parseAllDocuments(text, YAML_PARSE_OPTIONS);
  const problem = (message: string) =>
    new ConflictError(`the parent kustomization.yaml ${message}`, {
      hint: 'Fix the file in the GitOps repo (a kustomize.config.k8s.io Kustomization with a resources list), then retry.',
    });
  // Only comments: keep them above a new object.
  if (docs.length === 0 && 'empty' in docs) return newParent(docs.comment || undefined);
  if (docs.length !== 1) throw problem('must hold exactly one YAML document');
  const doc = docs[0] as Document;
  if (doc.errors.length > 0) throw problem(`is not valid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
  if (!isMap(doc.contents)) throw problem('is not a mapping');
  const kind = doc.get('kind');
  if (kind !== undefined && kind !== 'Kustomization') throw problem(`has kind '${String(kind)}', not Kustomization`);
  const resources = doc.get('resources', true);
  if (resources === undefined || resources === null || (isScalar(resources) && resources.value === null)) {
    doc.set('resources', new YAMLSeq());
  } else if (!isSeq(resources) || !resources.items.every((n) => isScalar(n) && typeof n.value === 'string')) {
    throw problem('has a resources field that is not a list of paths');
  }
  return doc;
}

function resourcesOf(doc: Document): YAMLSeq {
  return doc.get('resources', true) as YAMLSeq;
}

/** `./notes/ks.yaml`, `notes/ks.yaml` and `notes//ks.yaml/` name the same file. */
function entryKey(entry: string): string {
  return entry.replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/').replace(/\/+$/, '');
}

