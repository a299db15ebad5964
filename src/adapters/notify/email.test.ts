import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, FAILED, notifierFor, SUCCEEDED } from './receiver.test-support.ts';

const USER = 'slipway';
const PASSWORD = 'smtp-pa55-7f3c1e';

interface Mail { from: string; to: string[]; raw: string }

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

/**
 * A real SMTP server on loopback that requires a login (plain text on loopback, as a relay on the
 * LAN without TLS would take it) and keeps every message it accepts.
 */
async function startSmtp(options: { tempFailures?: number } = {}): Promise<{ port: number; mails: Mail[]; logins: string[] }> {
  const mails: Mail[] = [];
  const logins: string[] = [];
  let failures = options.tempFailures ?? 0;
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      if (auth.username === USER && auth.password === PASSWORD) return callback(null, { user: USER });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, callback) {
      if (failures > 0) {
        failures--;
        return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        mails.push({ from: envelope.mailFrom ? envelope.mailFrom.address : '', to: envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, mails, logins };
}

/** The headers (unfolded, by lowercase name) and the decoded text body of a simple one-part message. */
function parseMail(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  if (headers['content-transfer-encoding'] === 'quoted-printable') {
    body = Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

function emailTarget(port: number, on: Array<'succeeded' | 'failed' | 'cancelled'> = ['succeeded', 'failed']) {
  return { type: 'email' as const, smtp: { host: '127.0.0.1', port, secure: false, user: USER, password: { env: 'SMTP_PASSWORD' } }, from: 'Slipway <slipway@example.org>', to: ['ops@example.org', 'dev@example.org'], on };
}

describe('email over SMTP', () => {
  it('logs in and sends the outcome to every recipient: subject, sender and body name the app and its URL', async () => {
    const smtp = await startSmtp();
    const notifier = notifierFor([emailTarget(smtp.port)], { SMTP_PASSWORD: PASSWORD });
    expect(await notifier.notify(SUCCEEDED)).toEqual([{ target: 'email:ops@example.org,dev@example.org', ok: true, attempts: 1 }]);
    expect(smtp.logins).toEqual([USER]);
    const mail = smtp.mails[0]!;
    expect(mail.from).toBe('slipway@example.org');
    expect(mail.to).toEqual(['ops@example.org', 'dev@example.org']);
    const { headers, body } = parseMail(mail.raw);
    expect(headers.subject).toBe('[Slipway] pomodoro-timer is live');
    expect(headers.from).toBe('Slipway <slipway@example.org>');
    expect(headers.to).toBe('ops@example.org, dev@example.org');
    expect(body).toContain('App: pomodoro-timer\nURL: http://127.0.0.1:40123/');
    expect(body).toContain('Duration: 1 min 23 s');
  });

  it('says where a run failed and why', async () => {
    const smtp = await startSmtp();
    const notifier = notifierFor([emailTarget(smtp.port)], { SMTP_PASSWORD: PASSWORD });
    expect(await notifier.notify(FAILED)).toMatchObject([{ ok: true }]);
    const { headers, body } = parseMail(smtp.mails[0]!.raw);
    expect(headers.subject).toBe('[Slipway] band-contact: create failed at image:build');
    expect(body).toContain('Reason: the base image <node:24> could not be pulled & cached');
  });

  it('retries a temporary refusal (451) and delivers', async () => {
    const smtp = await startSmtp({ tempFailures: 1 });
    const notifier = notifierFor([emailTarget(smtp.port)], { SMTP_PASSWORD: PASSWORD });
    expect(await notifier.notify(SUCCEEDED)).toMatchObject([{ ok: true, attempts: 2 }]);
    expect(smtp.mails).toHaveLength(1);
  });

  it('does not retry a refused login (535), and the result does not hold the password', async () => {
    const smtp = await startSmtp();
    const notifier = notifierFor([emailTarget(smtp.port)], { SMTP_PASSWORD: 'wrong-password-123' });
    const [result] = await notifier.notify(SUCCEEDED);
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(result!.error).toMatch(/^SMTP: .*535/);
    expect(JSON.stringify(result)).not.toContain('wrong-password-123');
    expect(smtp.mails).toHaveLength(0);
  });

  it('retries a server that refuses connections, then reports it', async () => {
    const port = await closedPort();
    const notifier = notifierFor([emailTarget(port)], { SMTP_PASSWORD: PASSWORD });
    const [result] = await notifier.notify(SUCCEEDED);
    expect(result).toMatchObject({ ok: false, attempts: 3 });
    expect(result!.error).toMatch(/ECONNREFUSED/);
  });
});
