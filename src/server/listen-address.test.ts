import { describe, expect, it } from 'vitest';
import { isLoopback, serverUrl } from './listen-address.ts';

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '128.0.0.1', 'localhost.example.org', '::2'])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

describe('serverUrl', () => {
  it('brackets IPv6 addresses', () => {
    expect(serverUrl('127.0.0.1', 8420)).toBe('http://127.0.0.1:8420');
    expect(serverUrl('::1', 8420)).toBe('http://[::1]:8420');
    expect(serverUrl('localhost', 1)).toBe('http://localhost:1');
  });
});
