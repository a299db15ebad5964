import { describe, expect, it } from 'vitest';
import { publishedAddress } from './published-address.ts';

describe('publishedAddress', () => {
  it('reads the host and port podman publishes an app port on', () => {
    expect(publishedAddress({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '40123' }] }, '127.0.0.1')).toEqual({ host: '127.0.0.1', port: 40123 });
    expect(publishedAddress({ '8080/tcp': [{ HostIp: '::1', HostPort: '40124' }] }, '127.0.0.1')).toEqual({ host: '::1', port: 40124 });
  });

  it('reaches a port published on every address at the host Slipway uses', () => {
    expect(publishedAddress({ '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '40125' }] }, '192.168.1.5')).toEqual({ host: '192.168.1.5', port: 40125 });
    expect(publishedAddress({ '8080/tcp': [{ HostIp: '', HostPort: '40126' }] }, '127.0.0.1')).toEqual({ host: '127.0.0.1', port: 40126 });
  });

  it('finds nothing where no port is published', () => {
    expect(publishedAddress(undefined, '127.0.0.1')).toBeUndefined();
    expect(publishedAddress(null, '127.0.0.1')).toBeUndefined();
    expect(publishedAddress({ '8080/tcp': null }, '127.0.0.1')).toBeUndefined();
    expect(publishedAddress({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, '127.0.0.1')).toBeUndefined();
  });
});
