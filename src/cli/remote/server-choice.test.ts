import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { serverFrom } from './server-choice.ts';

const dir = mkdtempSync(join(tmpdir(), 'slipway-token-file-'));

describe('serverFrom', () => {
  it('is undefined when neither --server nor SLIPWAY_SERVER is set (an empty one counts as unset)', () => {
    expect(serverFrom({}, {})).toBeUndefined();
    expect(serverFrom({}, { SLIPWAY_SERVER: ' ', SLIPWAY_TOKEN: 'slw_x' })).toBeUndefined();
  });

  it('prefers --server to SLIPWAY_SERVER, and takes the token from SLIPWAY_TOKEN', () => {
    const env = { SLIPWAY_SERVER: 'http://127.0.0.1:8420', SLIPWAY_TOKEN: ' slw_abc \n' };
    expect(serverFrom({ server: 'https://lab.lan' }, env)).toEqual({ url: new URL('https://lab.lan/'), token: 'slw_abc' });
    expect(serverFrom({}, env)).toEqual({ url: new URL('http://127.0.0.1:8420/'), token: 'slw_abc' });
    expect(serverFrom({}, { SLIPWAY_SERVER: 'http://127.0.0.1:8420' })).toEqual({ url: new URL('http://127.0.0.1:8420/') });
  });

  it('reads the token from --token-file before SLIPWAY_TOKEN, as the file holds it with its newline', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'slw_fromfile\n', { mode: 0o600 });
    expect(serverFrom({ server: 'http://127.0.0.1:8420', tokenFile: file }, { SLIPWAY_TOKEN: 'slw_fromenv' })).toEqual({ url: new URL('http://127.0.0.1:8420/'), token: 'slw_fromfile' });
  });

  it('refuses a token file it cannot read, naming the file and why', () => {
    const missing = join(dir, 'no-such-token');
    expect(() => serverFrom({ server: 'http://127.0.0.1:8420', tokenFile: missing }, {})).toThrow(new InputError(`cannot read --token-file ${missing}: ENOENT`, {
      hint: 'Name a file that holds the token alone, e.g. --token-file ~/.config/slipway/token.',
    }));
    expect(() => serverFrom({ server: 'http://127.0.0.1:8420', tokenFile: dir }, {})).toThrow(`cannot read --token-file ${dir}: EISDIR`);
  });

  it('names where a bad URL came from', () => {
    expect(() => serverFrom({}, { SLIPWAY_SERVER: 'ssh://lab.lan' })).toThrow(new InputError('SLIPWAY_SERVER must be an http:// or https:// URL, not "ssh://lab.lan"', { hint: 'e.g. SLIPWAY_SERVER=http://127.0.0.1:8420' }));
    expect(() => serverFrom({ server: 'lab.lan:8420' }, {})).toThrow(/^--server must be/);
  });

  it('refuses a token a request header cannot carry, without quoting it', () => {
    const token = 'slw_abc\ndef';
    expect(() => serverFrom({ server: 'http://127.0.0.1:8420' }, { SLIPWAY_TOKEN: token })).toThrow(InputError);
    expect(() => serverFrom({ server: 'http://127.0.0.1:8420' }, { SLIPWAY_TOKEN: token })).toThrow(/^SLIPWAY_TOKEN holds spaces or characters a request header cannot carry$/);
    const file = join(dir, 'spaced');
    writeFileSync(file, 'slw_a b\n');
    expect(() => serverFrom({ server: 'http://127.0.0.1:8420', tokenFile: file }, {})).toThrow(`the token in ${file} holds spaces or characters a request header cannot carry`);
  });
});
