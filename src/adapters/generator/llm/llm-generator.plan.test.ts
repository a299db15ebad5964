import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../../../test/support/llm-server.ts';
import { ExternalServiceError } from '../../../domain/index.ts';
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

describe("a model's plan", () => {
  it('is sent with every constraint in words, the env-name pattern included', async () => {
    const h = await harness('openai');
    h.server.reply({ fixture: 'openai/plan.json' });
    await h.generator.plan({ description: APP.description });
    const parameters = h.server.requests[0]!.body.tools[0].function.parameters;
    const name = parameters.properties.env.items.properties.name;
    // Providers take no `pattern`: the description carries it.
    expect(name.pattern).toBeUndefined();
    expect(name.description).toContain('UPPER_SNAKE_CASE');
    expect(name.description).toContain('must match the regular expression ^[A-Z][A-Z0-9_]*$');
    expect(parameters.properties.env.description).toContain('at most 20 entries');
    expect(parameters.properties.port.description).toContain('a whole number at least 1024; at most 65535');
    expect(parameters.properties.title.description).toContain('at least 1 characters; at most 80 characters');
  });

  it('with lowercase, camelCase or spaced env names, stray spaces and repeats is normalised and used at once', async () => {
    const h = await harness('openai');
    h.server.reply(planReply({
      title: '  Guestbook  ',
      features: ['sign the guestbook', ' sign the guestbook ', 'list messages'],
      apiRoutes: [{ method: 'get', path: '/api/messages', purpose: 'list' }, { method: 'GET', path: '/api/messages', purpose: 'list again' }],
      env: [
        { name: 'api key', purpose: 'the key', default: '' },
        { name: 'apiKey', purpose: 'the same key again', default: '' },
        { name: 'max-messages', purpose: 'how many are kept', default: '100' },
        { name: 'greeting ', purpose: 'shown on top', default: 'Hello' },
      ],
    }));
    const plan = await h.generator.plan({ description: APP.description });
    expect(h.server.requests).toHaveLength(1);
    expect(h.events).toEqual([]);
    const model = readModelPlan(plan)!;
    expect(model.env.map((e) => e.name)).toEqual(['API_KEY', 'MAX_MESSAGES', 'GREETING']);
    expect(model.title).toBe('Guestbook');
    expect(model.features).toEqual(['sign the guestbook', 'list messages']);
    expect(model.apiRoutes).toEqual([{ method: 'GET', path: '/api/messages', purpose: 'list' }]);
  });

  it('with an env name that means nothing is refused, after one correction that says why', async () => {
    const h = await harness('openai');
    const bad = planReply({ env: [{ name: '9 lives', purpose: 'x', default: '' }] });
    h.server.reply(bad, bad);
    const planning = h.generator.plan({ description: APP.description });
    await expect(planning).rejects.toThrow(ExternalServiceError);
    await expect(planning).rejects.toThrow(/could not be used twice in a row: .*env\.0\.name.*UPPER_SNAKE_CASE/);
    expect(h.server.requests).toHaveLength(2);
    expect(h.userMessage(1)).toMatch(/UPPER_SNAKE_CASE/);
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
