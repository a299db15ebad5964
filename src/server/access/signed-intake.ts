import { createMiddleware } from 'hono/factory';
import type { ReplayGuard } from '../../ports/replay-guard.ts';
import { problem } from '../problem.ts';
import type { AccessEnv } from './context.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignedRequest } from './signature.ts';

/** Whoever holds the intake secret: it may create apps, as a write token may. */
export const SIGNED_INTAKE_CALLER = Object.freeze({ name: 'signed-intake', scope: 'write' as const, anonymous: true });

export interface SignedIntakeOptions {
  secret: string;
  replays: ReplayGuard;
  now?: () => Date;
}

/**
 * Guards `POST /v1/hooks/create`: reads the raw body once, checks its signature and timestamp
 * (see verifySignedRequest), then leaves the parsed JSON as `intakeBody` (Hono's `c.req.json()`
 * also answers from the same bytes) and sets the caller, so `authenticate` behind it asks for no token.
 * @example app.use('/v1/hooks/create', signedIntake({ secret, replays: new SqliteReplayGuard({ db }) }));
 */
export function signedIntake(options: SignedIntakeOptions) {
  const now = options.now ?? (() => new Date());
  return createMiddleware<AccessEnv>(async (c, next) => {
    const rawBody = new Uint8Array(await c.req.arrayBuffer());
    const refusal = await verifySignedRequest({
      secret: options.secret, timestamp: c.req.header(TIMESTAMP_HEADER), signature: c.req.header(SIGNATURE_HEADER), rawBody, now: now(), replays: options.replays,
    });
    if (refusal) {
      const { status, ...fields } = refusal;
      return problem(c, status, fields);
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    } catch {
      return problem(c, 400, { title: 'Bad request', detail: 'the request body is not valid JSON', hint: 'Send a JSON object, e.g. {"description": "a pomodoro timer with a dark theme"}, and sign exactly those bytes.' });
    }
    c.set('intakeBody', body);
    c.set('caller', SIGNED_INTAKE_CALLER);
    return next();
  });
}
