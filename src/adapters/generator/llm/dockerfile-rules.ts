/**
 * Rules for a Dockerfile a model wrote. Slipway builds images itself, but a cluster build may use
 * the app's Dockerfile, and what runs in the homelab must not run as root, reach for privileges,
 * or pull unpinned and unverified things from the internet.
 */

export interface DockerInstruction {
  /** Upper-case instruction: FROM, RUN, USER … */
  keyword: string;
  args: string;
  /** 1-based line where it starts. */
  line: number;
}

/**
 * Splits a Dockerfile into instructions: comments dropped, `\` continuations joined.
 * @example parseDockerfile('FROM node:24\nRUN a \\\n  && b').map((i) => i.keyword) // ['FROM', 'RUN']
 */
export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let pending: { line: number; parts: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) continue;
    const continued = /\\\s*$/.test(raw);
    const part = continued ? trimmed.replace(/\\\s*$/, '') : trimmed;
    if (pending) pending.parts.push(part);
    else pending = { line: i + 1, parts: [part] };
    if (continued) continue;
    const joined = pending.parts.join(' ').trim();
    const [keyword = '', ...rest] = joined.split(/\s+/);
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  }
  if (pending) {
    const [keyword = '', ...rest] = pending.parts.join(' ').trim().split(/\s+/);
    out.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
  }
  return out;
}

const ROOT_USER = /^(?:root|0)(?::(?:root|0))?$/;

/** Why an image reference is not pinned, or undefined when it has a tag other than latest, or a digest. */
function unpinned(image: string, stages: ReadonlySet<string>): string | undefined {
  if (image === 'scratch' || stages.has(image.toLowerCase())) return undefined;
  if (image.includes('$')) return `FROM ${image} takes its image from a build argument; name a pinned image`;
  if (image.includes('@sha256:')) return undefined;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  if (!tag) return `FROM ${image} has no tag (it means :latest); pin a version such as node:24-slim`;
  if (tag === 'latest') return `FROM ${image} uses :latest; pin a version such as node:24-slim`;
  return undefined;
}

/**
 * Everything wrong with a Dockerfile, one reason per problem (empty when it is acceptable).
 * @example dockerfileProblems('FROM node:24-slim\nCOPY . .\nCMD ["node","server.js"]') // ['it never switches to a non-root USER; …']
 */
export function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const instructions = parseDockerfile(text);
  const stages = new Set<string>();
  let lastUser: DockerInstruction | undefined;
  let sawFrom = false;
  for (const ins of instructions) {
    const at = `line ${ins.line}`;
    if (/--privileged\b|--security=insecure\b|--cap-add\b/i.test(ins.args)) problems.push(`${at}: ${ins.keyword} asks for extra privileges`);
    switch (ins.keyword) {
      case 'FROM': {
        sawFrom = true;
        lastUser = undefined; // each stage starts as root again
        const words = ins.args.split(/\s+/).filter((w) => !w.startsWith('--'));
        const image = words[0] ?? '';
        const problem = unpinned(image, stages);
        if (problem) problems.push(`${at}: ${problem}`);
        if (words[1]?.toUpperCase() === 'AS' && words[2]) stages.add(words[2].toLowerCase());
        break;
      }
      case 'USER':
        lastUser = ins;
        break;
      case 'RUN':
        if (/(^|[\s;&|(])sudo\b/.test(ins.args)) problems.push(`${at}: RUN uses sudo`);
        if (/\b(?:curl|wget)\b[^|]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b/.test(ins.args)) problems.push(`${at}: RUN pipes a download into a shell`);
        break;
      case 'ADD': {
        const sources = ins.args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1);
        if (sources.some((s) => /^(?:https?|ftp):\/\/|^git@|\.git$/i.test(s.replace(/^\[?"?|"?,?\]?$/g, '')))) {
          problems.push(`${at}: ADD fetches a remote URL; download nothing at build time, or COPY files from the app`);
        }
        break;
      }
      case 'COPY': {
        const from = /--from=(\S+)/.exec(ins.args)?.[1];
        if (from && !stages.has(from.toLowerCase()) && !/^\d+$/.test(from)) {
          const problem = unpinned(from, stages);
          if (problem) problems.push(`${at}: COPY --from=${from} ${problem.replace(/^FROM \S+ /, '')}`);
        }
        break;
      }
      default:
        break;
    }
  }
  if (!sawFrom) problems.push('it has no FROM instruction');
  if (!lastUser) problems.push('it never switches to a non-root USER; add e.g. `USER node` (uid 1000) before CMD');
  else if (ROOT_USER.test(lastUser.args.trim())) problems.push(`line ${lastUser.line}: the image runs as root (USER ${lastUser.args.trim()}); end with a non-root USER such as node`);
  return problems;
}

/** Dockerfile, Containerfile, and their `name.Dockerfile` / `Dockerfile.name` variants. */
export function isDockerfile(path: string): boolean {
  const base = path.split('/').at(-1)!.toLowerCase();
  return /^(?:docker|container)file(?:\..+)?$/.test(base) || /\.(?:docker|container)file$/.test(base);
}
