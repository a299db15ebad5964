import { describe, expect, it } from 'vitest';
import { InputError } from '../../domain/errors.ts';
import { describeServer, serverAddress } from './server-address.ts';

describe('serverAddress', () => {
  it('takes http and https URLs, keeping a path prefix as a folder', () => {
    expect(serverAddress('http://127.0.0.1:8420', '--server').href).toBe('http://127.0.0.1:8420/');
    expect(serverAddress('https://lab.lan/slipway', '--server').href).toBe('https://lab.lan/slipway/');
    expect(describeServer(serverAddress('https://lab.lan/slipway/', '--server'))).toBe('https://lab.lan/slipway');
    expect(describeServer(serverAddress('http://[::1]:8420', 'SLIPWAY_SERVER'))).toBe('http://[::1]:8420');
  });

  it.each([
    ['ftp://lab.lan/', '--server must be an http:// or https:// URL, not "ftp://lab.lan/"'],
    ['file:///etc/passwd', '--server must be an http:// or https:// URL, not "file:///etc/passwd"'],
    ['127.0.0.1:8420', '--server must be an http:// or https:// URL, not "127.0.0.1:8420"'],
    ['localhost:8420', '--server must be an http:// or https:// URL, not "localhost:8420"'],
    ['ftp://me:pw@lab.lan/', '--server must be an http:// or https:// URL, not "ftp://***@lab.lan/"'],
    ['lab.lan', '--server must be an http:// or https:// URL, not "lab.lan"'],
    ['http://lab.lan/?x=1', '--server must not hold a query or fragment'],
  ])('refuses %s as bad input', (text, message) => {
    expect(() => serverAddress(text, '--server')).toThrow(InputError);
    expect(() => serverAddress(text, '--server')).toThrow(message);
  });

  it('refuses a URL with a password without repeating it', () => {
    let error: unknown;
    try {
      serverAddress('https://me:s3cret-pass@lab.lan/', 'SLIPWAY_SERVER');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe('SLIPWAY_SERVER must not hold a user or password');
    expect(JSON.stringify({ m: (error as InputError).message, h: (error as InputError).hint })).not.toContain('s3cret');
  });
});
