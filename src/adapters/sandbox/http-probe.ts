import { request } from 'node:http';

/** The outcome of one GET: an answer, or why there was none. */
export type ProbeAnswer =
  | { kind: 'answer'; status: number; statusText: string; body: string; contentType: string }
  | { kind: 'refused' }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'error'; message: string };

/** The first bytes of a body kept for a failure detail. */
const BODY_LIMIT = 1024;

/**
 * One GET with a time limit, a fresh connection (no keep-alive pool to outlive the app) and no
 * redirect following: a 3xx is an answer. Never throws.
 * @example const answer = await probe('http://127.0.0.1:4000/healthz', 2000);
 */
export function probe(url: string, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: ProbeAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(answer);
    };
    const req = request(url, { method: 'GET', agent: false, headers: { accept: '*/*' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < BODY_LIMIT) body += chunk;
      });
      const done = () => settle({
        kind: 'answer', status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', body: body.slice(0, BODY_LIMIT), contentType: res.headers['content-type'] ?? '',
      });
      res.on('end', done);
      res.on('error', done);
    });
    const timer = setTimeout(() => settle({ kind: 'timeout', afterMs: timeoutMs }), timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      settle(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'error', message: error.code ?? error.message }),
    );
    req.end();
  });
}

/** A probe answer in words, for a failure detail. */
export function describeAnswer(answer: ProbeAnswer): string {
  switch (answer.kind) {
    case 'answer': {
      const body = answer.body.trim();
      return `answered ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}${body ? ` with body:\n${body}` : ' with an empty body'}`;
    }
    case 'refused':
      return 'refused the connection';
    case 'timeout':
      return `sent no answer within ${formatSeconds(answer.afterMs)}`;
    case 'error':
      return `broke the connection (${answer.message})`;
  }
}

/** `1500` → `1.5 s`. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
