import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_WEBHOOK_EVENTS, NotFoundError, WEBHOOK_EVENTS, WEBHOOK_ID_PATTERN, type Webhook } from '../../domain/index.ts';
import type { WebhookStore } from '../../ports/index.ts';
import type { ServerDeps } from '../app.ts';
import { BEARER, CreateWebhookSchema, problemResponses, WebhookListSchema, WebhookSchema } from '../schemas.ts';

const webhookParams = z.object({
  id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: 'whk_3f9c0a1b2d4e5f60718293a4b5' }),
});

const createWebhook = createRoute({
  method: 'post',
  path: '/v1/webhooks',
  security: BEARER,
  summary: 'Subscribe a URL to how runs end (scope write)',
  description:
    'When a run ends with one of `events`, the URL gets what a `notify:` target of type webhook gets: the outcome as JSON with `X-Slipway-Event`, ' +
    'signed with `secret` when one is given (`X-Slipway-Timestamp`, `X-Slipway-Signature`), retried the same way. ' +
    "The run's notifications name it webhook:<name>, or webhook:<host>.",
  request: { body: { required: true, content: { 'application/json': { schema: CreateWebhookSchema } } } },
  responses: {
    201: {
      description: 'subscribed; the secret is not shown again',
      headers: { Location: { schema: { type: 'string' as const }, description: '/v1/webhooks/{id}' } },
      content: { 'application/json': { schema: WebhookSchema } },
    },
    ...problemResponses(400, 401, 403, 413, 415, 422, 429, 500),
  },
});

const listWebhooks = createRoute({
  method: 'get',
  path: '/v1/webhooks',
  security: BEARER,
  summary: 'The webhook subscriptions, oldest first',
  responses: { 200: { description: 'the subscriptions', content: { 'application/json': { schema: WebhookListSchema } } }, ...problemResponses(401, 403, 429, 500) },
});

const getWebhook = createRoute({
  method: 'get',
  path: '/v1/webhooks/{id}',
  security: BEARER,
  summary: 'One webhook subscription',
  request: { params: webhookParams },
  responses: { 200: { description: 'the subscription', content: { 'application/json': { schema: WebhookSchema } } }, ...problemResponses(401, 403, 404, 429, 500) },
});

const deleteWebhook = createRoute({
  method: 'delete',
  path: '/v1/webhooks/{id}',
  security: BEARER,
  summary: 'End a webhook subscription (scope write): runs that end from now on do not tell it',
  request: { params: webhookParams },
  responses: { 204: { description: 'unsubscribed' }, ...problemResponses(401, 403, 404, 429, 500) },
});

/**
 * Webhook subscriptions (the n8n Trigger node registers one when its workflow is activated). Scopes
 * come from access control: read to list and get, write to subscribe and unsubscribe.
 */
export function webhookRoutes(app: OpenAPIHono, deps: ServerDeps): void {
  const store = (): WebhookStore => {
    if (!deps.webhooks) throw new NotFoundError('this server keeps no webhook subscriptions', { hint: 'Subscriptions are served by `slipway serve`.' });
    return deps.webhooks;
  };
  app.openapi(createWebhook, async (c) => {
    const { url, events, secret, name } = c.req.valid('json');
    const webhook = await store().add({
      url,
      // Each event once, in one order, whatever order the caller listed them in.
      events: events ? WEBHOOK_EVENTS.filter((event) => events.includes(event)) : DEFAULT_WEBHOOK_EVENTS,
      ...(secret !== undefined ? { secret } : {}),
      ...(name !== undefined ? { name } : {}),
    });
    return c.json(webhookView(webhook), 201, { Location: `/v1/webhooks/${webhook.id}` });
  });
  app.openapi(listWebhooks, async (c) => c.json({ webhooks: (await store().list()).map(webhookView) }, 200));
  app.openapi(getWebhook, async (c) => c.json(webhookView(await existing(store(), c.req.valid('param').id)), 200));
  app.openapi(deleteWebhook, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await store().remove(id))) throw unknown(id);
    return c.body(null, 204);
  });
}

async function existing(store: WebhookStore, id: string): Promise<Webhook> {
  const webhook = await store.get(id);
  if (!webhook) throw unknown(id);
  return webhook;
}

function unknown(id: string): NotFoundError {
  // The id is quoted only when it looks like one: whatever else was sent is not echoed.
  const shown = WEBHOOK_ID_PATTERN.test(id) ? ` ${id}` : '';
  return new NotFoundError(`no webhook subscription${shown}`, { hint: 'List the subscriptions: GET /v1/webhooks.' });
}

/** A subscription as the API shows it: everything but its secret. */
function webhookView(webhook: Webhook) {
  return { id: webhook.id, url: webhook.url, events: webhook.events, ...(webhook.name !== undefined ? { name: webhook.name } : {}), createdAt: webhook.createdAt };
}
