import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { serverFrom } from './server-choice.ts';

describe('serverFrom', () => {
  it('is undefined when neither --server nor SLIPWAY_SERVER is set (an empty one counts as unset)', () => {
    expect(serverFrom(undefined, {})).toBeUndefined();
    expect(serverFrom(undefined, { SLIPWAY_SERVER: ' ', SLIPWAY_TOKEN: 'slw_x' })).toBeUndefined();
  });

  it('prefers --server to SLIPWAY_SERVER, and takes the token from SLIPWAY_TOKEN only', () => {
    const env = { SLIPWAY_SERVER: 'http://127.0.0.1:8420', SLIPWAY_TOKEN: ' slw_abc \n' };
    expect(serverFrom('https://lab.lan', env)).toEqual({ url: new URL('https://lab.lan/'), token: 'slw_abc' });
    expect(serverFrom(undefined, env)).toEqual({ url: new URL('http://127.0.0.1:8420/'), token: 'slw_abc' });
    expect(serverFrom(undefined, { SLIPWAY_SERVER: 'http://127.0.0.1:8420' })).toEqual({ url: new URL('http://127.0.0.1:8420/') });
  });

  it('names where a bad URL came from', () => {
    expect(() => serverFrom(undefined, { SLIPWAY_SERVER: 'ssh://lab.lan' })).toThrow(new InputError('SLIPWAY_SERVER must be an http:// or https:// URL, not "ssh://lab.lan"', { hint: 'e.g. SLIPWAY_SERVER=http://127.0.0.1:8420' }));
    expect(() => serverFrom('lab.lan:8420', {})).toThrow(/^--server must be/);
  });

  it('refuses a token a request header cannot carry, without quoting it', () => {
    const token = 'slw_abc\ndef';
    expect(() => serverFrom('http://127.0.0.1:8420', { SLIPWAY_TOKEN: token })).toThrow(InputError);
    expect(() => serverFrom('http://127.0.0.1:8420', { SLIPWAY_TOKEN: token })).toThrow(/^SLIPWAY_TOKEN holds spaces or characters a request header cannot carry$/);
    expect(() => serverFrom('http://127.0.0.1:8420', { SLIPWAY_TOKEN: 'slw_a b' })).toThrow(InputError);
  });
});
