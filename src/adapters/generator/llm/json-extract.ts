/**
 * Getting JSON out of what models actually send: an object wrapped in prose or a ```json fence, and
 * the complete entries of an answer cut off at the token limit.
 */

/** The index just past the `}` or `]` closing the value opening at `start`, or -1 when the text ends first. */
export function matchingEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

const MAX_CANDIDATES = 64;

/**
 * The first JSON object in `text` that `accept` takes: fenced ```json blocks first, then each
 * balanced `{…}` in turn. Undefined when there is none.
 * @example extractJsonObject('Sure! Here it is:\n{"a":1}\nHope this helps.', () => true) // { a: 1 }
 */
export function extractJsonObject(text: string, accept: (value: unknown) => boolean): unknown {
  const candidates: string[] = [];
  for (const fence of text.matchAll(/```[ \t]*(?:json|JSON|jsonc)?[ \t]*\r?\n([\s\S]*?)\r?\n[ \t]*```/g)) {
    if (fence[1]!.trimStart().startsWith('{')) candidates.push(fence[1]!);
  }
  const tryParse = (candidate: string): { value: unknown } | undefined => {
    try {
      const value: unknown = JSON.parse(candidate);
      return value && typeof value === 'object' && !Array.isArray(value) && accept(value) ? { value } : undefined;
    } catch {
      return undefined;
    }
  };
  for (const candidate of candidates) {
    const hit = tryParse(candidate);
    if (hit) return hit.value;
  }
  let tried = 0;
  for (let start = text.indexOf('{'); start !== -1 && tried < MAX_CANDIDATES; start = text.indexOf('{', start + 1)) {
    const end = matchingEnd(text, start);
    if (end === -1) continue;
    tried++;
    const hit = tryParse(text.slice(start, end));
    if (hit) return hit.value;
  }
  return undefined;
}

export interface SalvagedFiles {
  /** Entries of the `files` array that were complete before the cut. */
  files: unknown[];
  /** Paths listed in a complete `delete` array (repair answers), if one came before the cut. */
  deleted: string[];
  /** The path of the entry the cut fell into, when its path had been written. */
  partialPath?: string | undefined;
}

/**
 * The complete `{ path, content }` entries of a `{"files":[…` answer that stopped mid-way. An entry
 * counts only when its closing brace arrived, so no cut-off file is ever taken for a whole one.
 * @example salvageFiles('{"files":[{"path":"a","content":"x"},{"path":"b","cont').files // [{ path: 'a', content: 'x' }]
 */
export function salvageFiles(raw: string): SalvagedFiles {
  const out: SalvagedFiles = { files: [], deleted: [] };
  const del = /"delete"\s*:\s*\[/.exec(raw);
  if (del) {
    const open = del.index + del[0].length - 1;
    const end = matchingEnd(raw, open);
    if (end !== -1) {
      try {
        const list: unknown = JSON.parse(raw.slice(open, end));
        if (Array.isArray(list)) out.deleted = list.filter((p): p is string => typeof p === 'string');
      } catch {
        // A malformed list is ignored: deletions are never guessed.
      }
    }
  }
  const files = /"files"\s*:\s*\[/.exec(raw);
  if (!files) return out;
  let i = files.index + files[0].length;
  while (i < raw.length) {
    while (i < raw.length && /[\s,]/.test(raw[i]!)) i++;
    if (i >= raw.length || raw[i] !== '{') break;
    const end = matchingEnd(raw, i);
    if (end === -1) {
      const path = /"path"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(raw.slice(i))?.[1];
      if (path) {
        try {
          out.partialPath = JSON.parse(path) as string;
        } catch {
          // An unreadable path is simply not named in the follow-up request.
        }
      }
      break;
    }
    try {
      out.files.push(JSON.parse(raw.slice(i, end)));
    } catch {
      break;
    }
    i = end;
  }
  return out;
}
