import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in, on 127.0.0.1, for Telegram's Bot API as its documentation describes it: `POST
 * /bot<token>/<method>` with a JSON body, answered `{ "ok": true, "result": … }` or `{ "ok": false,
 * "error_code", "description" }`. It knows one bot token (401 Unauthorized for another, as Telegram
 * answers), sendMessage (a Message back, 400 for an empty text or no chat) and setWebhook (HTTPS
 * only, a secret_token of 1–256 of A–Z a–z 0–9 _ -, as Telegram checks).
 */
export interface TelegramCall {
  method: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface FakeTelegram {
  /** The apiUrl to configure: http://127.0.0.1:<port>. */
  readonly url: string;
  readonly calls: TelegramCall[];
  /** The sendMessage calls, in order. */
  sent(): Array<{ chat_id: number | string; text: string; reply_parameters?: { message_id: number } }>;
  /** Answers the next calls 429 with `parameters.retry_after` (seconds). */
  throttleNext(times: number, retryAfterSeconds: number): void;
  close(): Promise<void>;
}

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export async function startFakeTelegram(options: { botToken: string }): Promise<FakeTelegram> {
  const calls: TelegramCall[] = [];
  let throttled = 0;
  let retryAfter = 0;
  let nextMessageId = 1000;

  const reply = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, code: number, description: string, parameters?: object) => {
    reply(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      if (!match || req.method !== 'POST') return refuse(res, 404, 'Not Found');
      const [, token, method] = match as unknown as [string, string, string];
      let body: any;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        return refuse(res, 400, "Bad Request: can't parse JSON object");
      }
      calls.push({ method, headers: req.headers, body });
      if (token !== options.botToken) return refuse(res, 401, 'Unauthorized');
      if (throttled > 0) {
        throttled--;
        return refuse(res, 429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      }
      if (method === 'sendMessage') {
        if (body.chat_id === undefined) return refuse(res, 400, 'Bad Request: chat_id is empty');
        if (typeof body.text !== 'string' || body.text.trim() === '') return refuse(res, 400, 'Bad Request: message text is empty');
        const message = { message_id: nextMessageId++, date: Math.floor(Date.now() / 1000), chat: { id: body.chat_id, type: 'private' }, text: body.text };
        return reply(res, 200, { ok: true, result: message });
      }
      if (method === 'setWebhook') {
        if (typeof body.url !== 'string' || !body.url.startsWith('https://')) return refuse(res, 400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        if (body.secret_token !== undefined && !SECRET_TOKEN.test(body.secret_token)) return refuse(res, 400, 'Bad Request: secret token contains unallowed characters');
        return reply(res, 200, { ok: true, result: true, description: 'Webhook was set' });
      }
      return refuse(res, 404, 'Not Found: method not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    sent: () => calls.filter((call) => call.method === 'sendMessage').map((call) => call.body),
    throttleNext(times, seconds) {
      throttled = times;
      retryAfter = seconds;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
