import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../../../test/support/llm-server.ts';
import { readModelPlan } from './llm-generator.ts';
import { APP, closeHarnesses, harness } from './llm-generator.test-support.ts';
import { normaliseEnvName } from './plan-normalise.ts';

afterEach(async () => {
  expect(await closeHarnesses()).toEqual([]);
});

/** The recorded OpenAI plan answer with some of its fields replaced. */
function planReply(changes: Record<string, unknown>) {
  const body = readFixture('openai/plan.json');
  const call = body.choices[0].message.tool_calls[0].function;
  call.arguments = JSON.stringify({ ...JSON.parse(call.arguments), ...changes });
  return { body };
}

const WEATHER = { name: 'weather', description: 'a weather dashboard for my town using OpenWeatherMap' };

describe("a model's plan", () => {
  it('is sent with every constraint in words, the env-name pattern included', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/plan.json' });
    await h.generator.plan({ description: APP.description });
    const parameters = h.server.requests[0]!.body.tools[0].function.parameters;
    const needs = parameters.properties.needs;
    expect(needs.required).toEqual(['settings', 'secrets', 'database', 'externals']);
    const name = needs.properties.settings.items.properties.name;
    // Providers take no `pattern`: the description carries it.
    expect(name.pattern).toBeUndefined();
    expect(name.description).toContain('UPPER_SNAKE_CASE');
    expect(name.description).toContain('must match the regular expression ^[A-Z][A-Z0-9_]*$');
    expect(needs.properties.settings.description).toContain('at most 20 entries');
    expect(needs.properties.secrets.description).toContain('at most 10 entries');
    expect(needs.properties.database.enum).toEqual(['none', 'postgres']);
    expect(parameters.properties.port.description).toContain('a whole number at least 1024; at most 65535');
    expect(parameters.properties.title.description).toContain('at least 1 characters; at most 80 characters');
    // The planner is told when to ask for each, and which names are Slipway's.
    expect(h.systemPrompt(0)).toMatch(/a weather dashboard needs the weather service's API\s+key/);
    expect(h.systemPrompt(0)).toMatch(/Slipway sets PORT, HOST, DATA_DIR, NODE_ENV, DATABASE_URL(, \w+)* itself:\s+never list them/);
  });

  it('with settings, secrets, a database and externals is read, shown to the coder, and kept on the spec', async () => {
    const h = await harness('anthropic');
    const needs = {
      settings: [{ name: 'CITY', description: 'the town the forecast is for', default: 'Lisbon' }],
      secrets: [{ name: 'OPENWEATHER_API_KEY', description: 'the OpenWeatherMap API key' }],
      database: 'postgres',
      externals: ['nas'],
    };
    const body = readFixture('anthropic/plan.json');
    body.content[0].input = { ...body.content[0].input, name: 'weather', needs };
    h.server.reply({ body }, { fixture: 'anthropic/files.json' });
    const plan = await h.generator.plan({ description: WEATHER.description });
    expect(plan.needs).toEqual(needs);
    expect(plan.warnings).toBeUndefined();
    expect(readModelPlan(plan)!.needs).toEqual(needs);
    const app = await h.generator.generate(plan, WEATHER);
    expect(app.spec.needs).toEqual(needs);
    // The coder reads the needs in the plan, and the rule that says how to read them.
    expect(h.userMessage(1)).toContain('"OPENWEATHER_API_KEY"');
    expect(h.userMessage(1)).toContain('"database": "postgres"');
    expect(h.systemPrompt(1)).toContain('Never log, print, return or render a secret\'s value');
    expect(h.systemPrompt(1)).toContain('process.env.DATABASE_URL');
  });

  it('with lowercase, camelCase or spaced names, stray spaces and repeats is normalised and used at once', async () => {
    const h = await harness('openai');
    h.server.reply(planReply({
      title: '  Guestbook  ',
      features: ['sign the guestbook', ' sign the guestbook ', 'list messages'],
      apiRoutes: [{ method: 'get', path: '/api/messages', purpose: 'list' }, { method: 'GET', path: '/api/messages', purpose: 'list again' }],
      needs: {
        settings: [
          { name: 'max-messages', description: 'how many are kept', default: '100' },
          { name: 'greeting ', description: 'shown on top', default: 'Hello' },
        ],
        secrets: [{ name: 'api key', description: 'the key' }, { name: 'apiKey', description: 'the same key again' }],
        database: 'none',
        externals: [' NAS '],
      },
    }));
    const plan = await h.generator.plan({ description: APP.description });
    expect(h.server.requests).toHaveLength(1);
    expect(h.events).toEqual([]);
    expect(plan.warnings).toBeUndefined();
    expect(plan.needs).toEqual({
      settings: [{ name: 'MAX_MESSAGES', description: 'how many are kept', default: '100' }, { name: 'GREETING', description: 'shown on top', default: 'Hello' }],
      secrets: [{ name: 'API_KEY', description: 'the key' }],
      externals: ['nas'],
    });
    const model = readModelPlan(plan)!;
    expect(model.title).toBe('Guestbook');
    expect(model.features).toEqual(['sign the guestbook', 'list messages']);
    expect(model.apiRoutes).toEqual([{ method: 'GET', path: '/api/messages', purpose: 'list' }]);
  });

  it('from before needs, with plain settings as env, is read as settings', async () => {
    const h = await harness('openai');
    h.server.reply(planReply({ needs: undefined, env: [{ name: 'greeting', purpose: 'shown on top', default: 'Hello' }] }));
    const plan = await h.generator.plan({ description: APP.description });
    expect(plan.needs).toEqual({ settings: [{ name: 'GREETING', description: 'shown on top', default: 'Hello' }] });
  });

  it('with bad, reserved or far too many names is repaired: those entries are dropped, each with a warning that says why', async () => {
    const h = await harness('openai');
    const many = Array.from({ length: 500 }, (_, i) => ({ name: `SETTING_${i}`, description: 'x', default: '' }));
    h.server.reply(planReply({
      needs: {
        settings: [{ name: '9 lives', description: 'x', default: '' }, { name: 'PORT', description: 'where it listens', default: '80' }, { name: 'TOKEN', description: 'also a secret', default: '' }, ...many],
        secrets: [{ name: 'DATABASE_URL', description: 'the database' }, { name: 'TOKEN', description: 'a token' }, { name: 'A'.repeat(300), description: 'long' }, 'not an object'],
        database: 'mongodb',
        externals: ['../etc', 'nas'],
      },
    }));
    const plan = await h.generator.plan({ description: APP.description });
    expect(h.server.requests).toHaveLength(1);
    expect(plan.needs.settings).toHaveLength(20);
    expect(plan.needs.settings![0]!.name).toBe('SETTING_0');
    expect(plan.needs.secrets).toEqual([{ name: 'TOKEN', description: 'a token' }]);
    expect(plan.needs.database).toBeUndefined();
    expect(plan.needs.externals).toEqual(['nas']);
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^dropped secret "DATABASE_URL": Slipway sets PORT, .*DATABASE_URL.* itself/),
      expect.stringMatching(/^dropped secret "AAAA+…": a name has at most 128 characters/),
      'dropped secret "not an object": Invalid input: expected object, received string',
      expect.stringMatching(/^dropped setting "9 lives": a name is upper-case letters/),
      expect.stringMatching(/^dropped setting "PORT": Slipway sets/),
      'dropped setting "TOKEN": it is also a secret',
      'kept the first 20 of 500 settings: an app needs fewer',
      'dropped external "../etc": a lowercase DNS label such as nas or print-server',
      'dropped database "mongodb": Slipway provides postgres only',
    ]);
  });
});

describe('normaliseEnvName', () => {
  it.each([
    ['api key', 'API_KEY'], ['apiKey', 'API_KEY'], ['api-key', 'API_KEY'], ['  Api.Base.URL ', 'API_BASE_URL'],
    ['pollIntervalMs', 'POLL_INTERVAL_MS'], ['GREETING', 'GREETING'], ['v2Endpoint', 'V2_ENDPOINT'],
    ['9 lives', '9 lives'], ['!!!', '!!!'], ['', ''],
  ])('%j → %j', (name, expected) => {
    expect(normaliseEnvName(name)).toBe(expected);
  });
});
