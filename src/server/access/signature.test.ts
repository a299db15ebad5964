import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/store/sqlite-database.ts';
import { SqliteReplayGuard } from '../../adapters/store/sqlite-replay-guard.ts';
import { signBody, verifySignedRequest, type SignedRequest } from './signature.ts';

const SECRET = 'intake-secret-9f8e7d';
const NOW = new Date('2026-12-01T10:00:00Z');
const T = Math.floor(NOW.getTime() / 1000);
const BODY = '{"description":"a pomodoro timer with a dark theme"}';

/** The signature as a shell script computes it, with openssl: an implementation Slipway did not write. */
function opensslSignature(secret: string, payload: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: payload, encoding: 'utf8' });
  return `sha256=${out.trim().split('= ')[1]}`;
}

function replays(): SqliteReplayGuard {
  return new SqliteReplayGuard({ db: openDatabase(join(mkdtempSync(join(tmpdir(), 'slipway-sig-')), 'state.db')) });
}

function request(overrides: Partial<SignedRequest> = {}): SignedRequest {
  return { secret: SECRET, timestamp: String(T), signature: signBody(SECRET, T, BODY), rawBody: BODY, now: NOW, replays: replays(), ...overrides };
}

describe('signBody', () => {
  it('is sha256= and the hex HMAC-SHA256 of "<timestamp>.<raw body>", as openssl computes it', () => {
    expect(signBody(SECRET, T, BODY)).toBe(opensslSignature(SECRET, `${T}.${BODY}`));
    expect(signBody(SECRET, String(T), Buffer.from(BODY))).toBe(signBody(SECRET, T, BODY));
    const unicode = '{"description":"ein Zähler für Café-Pausen ☕"}';
    expect(signBody(SECRET, T, Buffer.from(unicode))).toBe(opensslSignature(SECRET, `${T}.${unicode}`));
  });
});

describe('verifySignedRequest', () => {
  it('accepts a request signed by openssl with a timestamp within 5 minutes either way', async () => {
    for (const skew of [0, 300, -300, 17]) {
      const ts = String(T + skew);
      expect(await verifySignedRequest(request({ timestamp: ts, signature: opensslSignature(SECRET, `${ts}.${BODY}`) })), String(skew)).toBeUndefined();
    }
  });

  it('answers 401 naming the missing header(s)', async () => {
    expect(await verifySignedRequest(request({ timestamp: undefined }))).toMatchObject({ status: 401, title: 'Missing signature', detail: 'the request lacks the X-Slipway-Timestamp header' });
    expect(await verifySignedRequest(request({ signature: '' }))).toMatchObject({ status: 401, detail: 'the request lacks the X-Slipway-Signature header' });
    expect(await verifySignedRequest(request({ timestamp: undefined, signature: undefined }))).toMatchObject({ status: 401, detail: 'the request lacks the X-Slipway-Timestamp and X-Slipway-Signature headers' });
  });

  it('answers 403 to a timestamp that is not whole seconds or is more than 5 minutes off', async () => {
    for (const ts of ['abc', '1.5', '-1', `${T}000000`, '0x10', '1e9']) {
      expect(await verifySignedRequest(request({ timestamp: ts, signature: signBody(SECRET, ts, BODY) })), ts).toMatchObject({ status: 403, title: 'Bad timestamp' });
    }
    const old = String(T - 301);
    expect(await verifySignedRequest(request({ timestamp: old, signature: signBody(SECRET, old, BODY) }))).toEqual({
      status: 403, title: 'Stale timestamp', detail: 'X-Slipway-Timestamp is 301 seconds in the past; at most 300 are accepted', hint: expect.stringContaining('clock'),
    });
    const ahead = String(T + 301);
    expect(await verifySignedRequest(request({ timestamp: ahead, signature: signBody(SECRET, ahead, BODY) }))).toMatchObject({ status: 403, detail: 'X-Slipway-Timestamp is 301 seconds in the future; at most 300 are accepted' });
  });

  it('answers 403 when anything signed changed: the body, the timestamp, the secret, or the signature itself', async () => {
    const good = signBody(SECRET, T, BODY);
    const cases: Array<[string, Partial<SignedRequest>]> = [
      ['one byte of the body', { rawBody: BODY.replace('dark', 'dork') }],
      ['a space added to the body', { rawBody: `${BODY} ` }],
      ['the timestamp', { timestamp: String(T + 1) }],
      ['another secret', { signature: signBody('another-secret', T, BODY) }],
      ['the last hex digit', { signature: good.slice(0, -1) + (good.endsWith('0') ? '1' : '0') }],
      ['the body signed without the timestamp', { signature: opensslSignature(SECRET, BODY) }],
    ];
    for (const [what, change] of cases) {
      expect(await verifySignedRequest(request(change)), what).toMatchObject({ status: 403, title: 'Bad signature', detail: 'the signature does not match the body and timestamp signed with the intake secret' });
    }
    for (const malformed of [good.slice(7), `sha1=${good.slice(7, 47)}`, `${good}00`, good.slice(0, -2), 'sha256=' + 'z'.repeat(64)]) {
      expect(await verifySignedRequest(request({ signature: malformed })), malformed).toMatchObject({ status: 403, title: 'Bad signature', detail: "X-Slipway-Signature must be 'sha256=' followed by 64 hex digits" });
    }
    expect(await verifySignedRequest(request({ signature: good.toUpperCase().replace('SHA256=', 'sha256=') }))).toBeUndefined();
  });

  it('refuses a replay of an accepted request, but not of a refused one', async () => {
    const guard = replays();
    const refused = await verifySignedRequest(request({ replays: guard, rawBody: `${BODY}\n` }));
    expect(refused).toMatchObject({ status: 403, title: 'Bad signature' });
    expect(await verifySignedRequest(request({ replays: guard }))).toBeUndefined();
    expect(await verifySignedRequest(request({ replays: guard, now: new Date(NOW.getTime() + 299_000) }))).toEqual({
      status: 403, title: 'Replayed request', detail: 'this signature was accepted before: every request must be signed anew', hint: expect.stringContaining('Idempotency-Key'),
    });
    // The same body signed at another second is a new request.
    expect(await verifySignedRequest(request({ replays: guard, timestamp: String(T + 1), signature: signBody(SECRET, T + 1, BODY) }))).toBeUndefined();
  });

  it('never says the secret or the signature it expected', async () => {
    const expected = signBody(SECRET, T, BODY);
    const refusals = [
      await verifySignedRequest(request({ rawBody: 'x' })),
      await verifySignedRequest(request({ signature: 'sha256=00' })),
      await verifySignedRequest(request({ timestamp: String(T - 999) })),
      await verifySignedRequest(request({ signature: undefined })),
    ];
    for (const refusal of refusals) {
      const text = JSON.stringify(refusal);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(expected.slice(7, 23));
      expect(text).not.toContain(signBody(SECRET, T, 'x').slice(7, 23));
    }
  });
});
