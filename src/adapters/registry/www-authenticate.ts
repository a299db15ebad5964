/** One challenge from a `WWW-Authenticate` header, e.g. Bearer with realm, service and scope. */
export interface AuthChallenge {
  /** Lowercase scheme: `basic`, `bearer`, … */
  scheme: string;
  /** Parameters by lowercase name, unquoted. */
  params: Record<string, string>;
}

/**
 * Parses `WWW-Authenticate` values (RFC 9110 §11.6.1): several challenges per header, quoted values
 * that hold commas, spaces and backslash escapes — registries put several scopes, comma-separated
 * actions and all, into one quoted `scope`.
 *
 * @example
 * parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="reg",scope="repository:a:pull,push"')
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a:pull,push' } }]
 */
export function parseWwwAuthenticate(headers: string | string[] | undefined): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  for (const header of Array.isArray(headers) ? headers : headers ? [headers] : []) {
    let pos = 0;
    let current: AuthChallenge | undefined;
    const skip = (chars: string) => {
      while (pos < header.length && chars.includes(header[pos]!)) pos++;
    };
    while (pos < header.length) {
      skip(' \t,');
      if (pos >= header.length) break;
      const start = pos;
      while (pos < header.length && !' \t,='.includes(header[pos]!)) pos++;
      const token = header.slice(start, pos);
      skip(' \t');
      if (header[pos] === '=' && current) {
        pos++;
        skip(' \t');
        current.params[token.toLowerCase()] = readValue();
      } else if (token) {
        current = { scheme: token.toLowerCase(), params: {} };
        challenges.push(current);
      } else {
        pos++;
      }
    }
    function readValue(): string {
      if (header[pos] !== '"') {
        const start = pos;
        while (pos < header.length && header[pos] !== ',') pos++;
        return header.slice(start, pos).trim();
      }
      let value = '';
      pos++;
      while (pos < header.length && header[pos] !== '"') {
        if (header[pos] === '\\' && pos + 1 < header.length) pos++;
        value += header[pos];
        pos++;
      }
      pos++;
      return value;
    }
  }
  return challenges;
}

/**
 * Repository scopes as a map from resource (`repository:name`) to actions, so the scopes of a
 * mount (pull on the source, pull and push on the target) and of a challenge can be merged.
 */
export type ScopeSet = Map<string, Set<string>>;

/**
 * Parses `repository:name:pull,push` items (space-separated, as registries join them).
 *
 * @example
 * parseScopes('repository:a:pull repository:b:pull,push') // Map { 'repository:a' => {pull}, 'repository:b' => {pull,push} }
 */
export function parseScopes(text: string, into: ScopeSet = new Map()): ScopeSet {
  for (const item of text.split(' ').filter(Boolean)) {
    const last = item.lastIndexOf(':');
    if (last <= 0) continue;
    const resource = item.slice(0, last);
    const actions = into.get(resource) ?? new Set<string>();
    for (const action of item.slice(last + 1).split(',').filter(Boolean)) actions.add(action);
    into.set(resource, actions);
  }
  return into;
}

/** The scope strings of a set, sorted so equal sets give equal cache keys. */
export function formatScopes(scopes: ScopeSet): string[] {
  return [...scopes.entries()]
    .map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`)
    .sort();
}
