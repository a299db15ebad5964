import { describe, expect, it } from 'vitest';
import { serverUrl } from './listen-address.ts';

describe('serverUrl', () => {
  it('brackets IPv6 addresses', () => {
    expect(serverUrl('127.0.0.1', 8420)).toBe('http://127.0.0.1:8420');
    expect(serverUrl('::1', 8420)).toBe('http://[::1]:8420');
    expect(serverUrl('localhost', 1)).toBe('http://localhost:1');
  });
});
