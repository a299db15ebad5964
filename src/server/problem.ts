import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface ProblemFields {
  title: string;
  /** What went wrong, for a person: the error's message. */
  detail: string;
  /** What to do about it. */
  hint?: string;
  /** The step of a run the problem belongs to. */
  stage?: string;
  /** The last part of the problem's `type` when it is not the title's (`csrf`); clients branch on it. */
  type?: string;
}

/**
 * An RFC 9457 problem details response (`application/problem+json`); its `type` names the problem
 * by its title, e.g. `https://slipway.dev/problems/not-found`.
 */
export function problem(c: Context, status: ContentfulStatusCode, fields: ProblemFields): Response {
  const body = {
    type: `https://slipway.dev/problems/${fields.type ?? fields.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
    title: fields.title,
    status,
    detail: fields.detail,
    ...(fields.hint ? { hint: fields.hint } : {}),
    ...(fields.stage ? { stage: fields.stage } : {}),
    instance: c.req.path,
  };
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}
