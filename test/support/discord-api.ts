import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in, on 127.0.0.1, for the parts of Discord's HTTP API an interactions endpoint calls:
 * - `PATCH /webhooks/{application id}/{interaction token}/messages/@original` and `POST
 *   /webhooks/{application id}/{interaction token}` (no bot token: the interaction token is the
 *   credential; an unknown one is 404 `Unknown Webhook`, code 10015, as Discord answers), and
 * - `PUT /applications/{application id}/commands` with `Authorization: Bot <token>` (401
 *   `{ "message": "401: Unauthorized", "code": 0 }` otherwise), answered with the commands and ids.
 * Errors are Discord's `{ "message", "code" }`; 2000 characters of content at most (50035 otherwise).
 */
export interface DiscordCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface FakeDiscord {
  /** The apiUrl to configure: http://127.0.0.1:<port>/api/v10. */
  readonly url: string;
  readonly calls: DiscordCall[];
  /** Interaction tokens the fake answers for (Discord knows the ones it sent). */
  readonly interactions: Set<string>;
  close(): Promise<void>;
}

export async function startFakeDiscord(options: { applicationId: string; botToken?: string }): Promise<FakeDiscord> {
  const calls: DiscordCall[] = [];
  const interactions = new Set<string>();
  let nextId = 1n;
  const snowflake = () => String(1_200_000_000_000_000_000n + nextId++);

  const reply = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const message = (body: any) => ({ id: snowflake(), type: 0, content: body.content, channel_id: '1', author: { id: options.applicationId, bot: true } });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\/api\/v10/, '');
      let body: any;
      try {
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        return reply(res, 400, { message: 'The request body contains invalid JSON.', code: 50109 });
      }
      calls.push({ method: req.method ?? '', path, headers: req.headers, body });
      const webhook = /^\/webhooks\/([^/]+)\/([^/]+)(\/messages\/@original)?$/.exec(path);
      if (webhook) {
        const [, appId, token, original] = webhook;
        if (appId !== options.applicationId || !interactions.has(token!)) return reply(res, 404, { message: 'Unknown Webhook', code: 10015 });
        if (typeof body?.content !== 'string' || body.content.length > 2000) return reply(res, 400, { message: 'Invalid Form Body', code: 50035 });
        if (original ? req.method !== 'PATCH' : req.method !== 'POST') return reply(res, 405, { message: '405: Method Not Allowed', code: 0 });
        return reply(res, 200, message(body));
      }
      if (path === `/applications/${options.applicationId}/commands` && req.method === 'PUT') {
        if (!options.botToken || req.headers.authorization !== `Bot ${options.botToken}`) return reply(res, 401, { message: '401: Unauthorized', code: 0 });
        if (!Array.isArray(body)) return reply(res, 400, { message: 'Invalid Form Body', code: 50035 });
        return reply(res, 200, body.map((command: object) => ({ id: snowflake(), application_id: options.applicationId, version: snowflake(), ...command })));
      }
      return reply(res, 404, { message: '404: Not Found', code: 0 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v10`,
    calls,
    interactions,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
