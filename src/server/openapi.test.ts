import { Validator } from '@seriousme/openapi-schema-validator';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createServerApp, type ServerApp, type ServerDeps } from './app.ts';
import { ServerMetrics } from './metrics.ts';

/** The document describes routes only: a service that is never called here refuses every call. */
const unused = new Proxy({}, {
  get: (_target, method) => () => {
    throw new Error(`the OpenAPI document needed service.${String(method)}`);
  },
}) as ServerDeps['service'];

function serverApp(): ServerApp {
  return createServerApp({
    service: unused, metrics: new ServerMetrics({ queueDepth: async () => 0 }), logger: pino({ level: 'silent' }), bodyLimit: 1024, version: '0.0.0-test',
  });
}

async function documentOf(app: ServerApp): Promise<any> {
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  return response.json();
}

/** `METHOD /path/{param}` for every handler the app registers; middleware and the document's own route are not operations. */
function registeredOperations(app: ServerApp): string[] {
  const operations = app.routes
    .filter((route) => route.method !== 'ALL' && route.path !== '/openapi.json')
    // A parameter's pattern (`:path{.+}`, a path that may hold slashes) is not part of its name.
    .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)(\{[^/]*\})?/g, '{$1}')}`);
  return [...new Set(operations)].sort();
}

function documentedOperations(document: any): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** A schema's property names, through the `allOf` an extended schema is written as. */
function propertiesOf(schemas: Record<string, any>, name: string): string[] {
  const schema = schemas[name];
  const parts: any[] = schema.allOf ?? [schema];
  return parts.flatMap((part) => (part.$ref ? propertiesOf(schemas, part.$ref.split('/').at(-1)) : Object.keys(part.properties ?? {})));
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await documentOf(serverApp());
    expect(document.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator does refuse a broken document.
    const broken = structuredClone(document);
    broken.paths['/healthz'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('declares every route the server registers, and no other', async () => {
    const app = serverApp();
    const registered = registeredOperations(app);
    expect(registered).toContain('POST /v1/apps');
    expect(registered).toContain('GET /v1/runs/{id}/events');
    expect(documentedOperations(await documentOf(app))).toEqual(registered);
  });

  it('would notice a route added without a declaration', async () => {
    const app = serverApp();
    app.get('/v1/undeclared', (c) => c.text('hidden'));
    expect(registeredOperations(app)).toContain('GET /v1/undeclared');
    expect(documentedOperations(await documentOf(app))).not.toContain('GET /v1/undeclared');
  });

  it('gives every /v1 operation problem responses as application/problem+json', async () => {
    const document = await documentOf(serverApp());
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      if (!path.startsWith('/v1/')) continue;
      for (const [method, operation] of Object.entries(item)) {
        const problems = Object.entries(operation.responses as Record<string, any>).filter(([status]) => Number(status) >= 400);
        expect(problems.length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [, response] of problems) expect(Object.keys(response.content ?? {}), `${method} ${path}`).toContain('application/problem+json');
      }
    }
  });

  it('asks for a bearer token or a session cookie on /v1, but not on the signed intake, the chat platforms, signing in, health, readiness, metrics or itself', async () => {
    const document = await documentOf(serverApp());
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'slipway_session' });
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, any>>)) {
      for (const [method, operation] of Object.entries(item)) {
        const guarded = path.startsWith('/v1/') && path !== '/v1/hooks/create' && path !== '/v1/session' && !path.startsWith('/v1/chat/');
        expect(operation.security ?? [], `${method} ${path}`).toEqual(guarded ? [{ bearer: [] }, { session: [] }] : []);
        if (guarded) expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403', '429']));
      }
    }
  });

  it('names the shapes scripts rely on: app for apps, runId for runs', async () => {
    const { components } = await documentOf(serverApp());
    expect(Object.keys(components.schemas.App.properties)).toEqual(expect.arrayContaining(['app', 'state', 'url']));
    expect(components.schemas.RunAccepted.required).toEqual(['runId', 'app', 'kind', 'status']);
    expect(propertiesOf(components.schemas, 'Run')).toEqual(expect.arrayContaining(['runId', 'timeline', 'commits', 'url', 'error']));
    expect(propertiesOf(components.schemas, 'AppDetail')).toEqual(expect.arrayContaining(['app', 'recentCommits']));
  });

  it('answers a path it has, asked with another method, 405 with the methods it takes', async () => {
    const app = serverApp();
    const wrong = await app.request('/v1/apps', { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST');
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await wrong.json()).toMatchObject({ status: 405, detail: '/v1/apps takes GET, POST, not PUT' });
    expect((await app.request('/v1/apps/notes/files/src/server.js', { method: 'DELETE' })).headers.get('allow')).toBe('GET');
    expect((await app.request('/v1/apps/notes', { method: 'PATCH' })).headers.get('allow')).toBe('DELETE, GET');
    // A path the API does not have is still a 404, whatever the method.
    expect((await app.request('/v1/nothing-here', { method: 'POST' })).status).toBe(404);
  });
});
