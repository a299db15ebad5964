import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.ts';
import { openAiFilesAnswer, readFixture, startLlmServer, type LlmServer } from '../support/llm-server.ts';
import { jsonOf, startServer, type RunningServer } from '../support/serve.ts';

const KEY = 'sk-local-test-key-0123456789';
let server: LlmServer;

beforeAll(async () => {
  server = await startLlmServer({ format: 'openai', apiKey: KEY });
});
afterAll(async () => {
  await server?.close();
});

/** The recorded plan answer, for a weather dashboard that needs a city, an API key and (as a hostile planner adds) PORT. */
function weatherPlan() {
  const completion = readFixture('openai/plan.json');
  const call = completion.choices[0].message.tool_calls[0].function;
  call.arguments = JSON.stringify({
    ...JSON.parse(call.arguments),
    name: 'weather', title: 'Weather', summary: 'Shows the weather for a town.', persistent: false, apiRoutes: [{ method: 'GET', path: '/api/city', purpose: 'the town' }],
    needs: {
      settings: [{ name: 'CITY', description: 'the town the forecast is for', default: 'Lisbon' }, { name: 'PORT', description: 'where it listens', default: '80' }],
      secrets: [{ name: 'WEATHER_API_KEY', description: 'the OpenWeatherMap API key' }],
      database: 'none',
      externals: [],
    },
  });
  return completion;
}

/** What a coder following the plan writes: CITY read from the environment with its default, the key only said to be there or not. */
const SERVER_JS = `import { createServer } from 'node:http';

const PORT = Number(process.env.PORT || 8080);
const HOST = process.env.HOST || '0.0.0.0';
const CITY = process.env.CITY || 'Lisbon';
const HAS_KEY = Boolean(process.env.WEATHER_API_KEY);
const HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': "default-src 'self'", 'Content-Type': 'application/json' };

const server = createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/healthz') { res.writeHead(200, HEADERS); return res.end('{"status":"ok"}'); }
  if (pathname === '/api/city' || pathname === '/') { res.writeHead(200, HEADERS); return res.end(JSON.stringify({ city: CITY, configured: HAS_KEY })); }
  res.writeHead(404, HEADERS);
  res.end('{"error":"not found"}');
});
server.listen(PORT, HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

const FILES = [
  { path: 'package.json', content: `${JSON.stringify({ name: 'weather', version: '1.0.0', private: true, type: 'module', scripts: { start: 'node server.js' } }, null, 2)}\n` },
  { path: 'server.js', content: SERVER_JS },
  { path: 'README.md', content: '# Weather\n\nReads CITY (default Lisbon) and the secret WEATHER_API_KEY.\n' },
];

function home() {
  const opts = tempHome('slipway-needs-');
  writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
  return { ...opts, env: { SLIPWAY_LLM_BASE_URL: server.url, SLIPWAY_LLM_API_KEY: KEY, SLIPWAY_LLM_MODEL: 'gpt-4.1' } };
}

describe('what a plan says an app needs', () => {
  it('is listed in the report with a next step per secret not set, stored on the app, and read by the app: defaults first, then what env set and secret set give it', async () => {
    server.reply({ body: weatherPlan() }, { body: openAiFilesAnswer({ files: FILES }) });
    const opts = home();
    const result = await runCli(['create', 'a weather dashboard for my town using OpenWeatherMap', '--name', 'weather'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    try {
      expect(server.problems).toEqual([]);
      // The plan as shown while it runs: what the app needs, and what was put right.
      expect(result.stdout).toMatch(/Plan the app .*needs settings CITY; secrets WEATHER_API_KEY; put right: dropped setting "PORT": Slipway sets PORT/);
      expect(result.stdout).toContain('  needs          settings CITY; secrets WEATHER_API_KEY');
      expect(result.stdout).toContain('The app runs on its defaults until you set its secrets:\n    slipway secret set weather WEATHER_API_KEY');

      const needs = { settings: [{ name: 'CITY', description: 'the town the forecast is for', default: 'Lisbon' }], secrets: [{ name: 'WEATHER_API_KEY', description: 'the OpenWeatherMap API key' }] };
      const app = JSON.parse((await runCli(['status', 'weather', '--json'], opts)).stdout);
      expect(app.needs).toEqual(needs);
      expect((await runCli(['status', 'weather'], opts)).stdout).toContain('  needs        settings CITY; secrets WEATHER_API_KEY');
      // The coder was told what to read.
      expect(JSON.stringify(server.requests[1]!.body)).toContain('WEATHER_API_KEY');
      expect(await (await fetch(new URL('/api/city', app.url))).json()).toEqual({ city: 'Lisbon', configured: false });
      expect((await runCli(['env', 'list', 'weather'], opts)).stdout).toMatch(/CITY\s+\(not set: default "Lisbon"\)\n.*WEATHER_API_KEY\s+\(secret, needed, not set\)/s);

      // What the plan listed is what the app reads: a value set with `slipway env set` is what it serves.
      const set = await runCli(['env', 'set', 'weather', 'CITY=Porto'], opts);
      expect(set.code, set.stdout + set.stderr).toBe(0);
      const keyFile = join(opts.cwd, 'key.txt');
      writeFileSync(keyFile, 'owm-0123456789abcdef\n');
      const secret = await runCli(['secret', 'set', 'weather', 'WEATHER_API_KEY', '--from-file', keyFile], opts);
      expect(secret.code, secret.stdout + secret.stderr).toBe(0);
      expect(secret.stdout + secret.stderr).not.toContain('owm-0123456789abcdef');
      const configured = JSON.parse((await runCli(['status', 'weather', '--json'], opts)).stdout);
      expect(await (await fetch(new URL('/api/city', configured.url))).json()).toEqual({ city: 'Porto', configured: true });
      const listed = (await runCli(['env', 'list', 'weather'], opts)).stdout;
      expect(listed).toMatch(/CITY\s+Porto/);
      expect(listed).toMatch(/WEATHER_API_KEY\s+\(secret\)/);
      expect(listed).not.toContain('not set');
    } finally {
      await runCli(['delete', 'weather'], opts);
    }
  });

  it('comes from the template offline: the form asks for its ADMIN_PASSWORD, and the step goes once it is set', async () => {
    const opts = tempHome('slipway-needs-');
    writeFileSync(join(opts.cwd, 'slipway.yaml'), 'local:\n  runtime: process\n');
    const result = await runCli(['create', 'a contact form', '--name', 'contact', '--template', 'form', '--json'], opts);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    let server: RunningServer | undefined;
    try {
      const report = JSON.parse(result.stdout);
      expect(report.needs.secrets.map((s: { name: string }) => s.name)).toEqual(['ADMIN_PASSWORD']);
      expect(report.nextSteps).toEqual(['slipway secret set contact ADMIN_PASSWORD']);
      // Until it is set, anyone may read the submissions: the app runs on its defaults.
      expect((await fetch(new URL('/api/submissions', report.url))).status).toBe(200);

      const passwordFile = join(opts.cwd, 'password.txt');
      writeFileSync(passwordFile, 'correct horse battery staple\n');
      const set = await runCli(['secret', 'set', 'contact', 'ADMIN_PASSWORD', '--from-file', passwordFile], opts);
      expect(set.code, set.stdout + set.stderr).toBe(0);
      const { url } = JSON.parse((await runCli(['status', 'contact', '--json'], opts)).stdout);
      expect((await fetch(new URL('/api/submissions', url))).status).toBe(401);

      // The create's report, read again through the API, has no step left; it still lists the need.
      server = await startServer(opts);
      const again = await jsonOf(fetch(`${server.url}/v1/runs/${report.runId}`));
      expect(again.needs).toEqual(report.needs);
      expect(again.nextSteps).toBeUndefined();
      expect((await jsonOf(fetch(`${server.url}/v1/apps/contact`))).needs).toEqual(report.needs);
      expect(JSON.stringify(again)).not.toContain('correct horse');
    } finally {
      await server?.stop();
      await runCli(['delete', 'contact'], opts);
    }
  });
});
