/** Container port (`8080/tcp`) → where the host publishes it, as podman reports it (of a container or a pod). */
export type PortMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

/**
 * The host address and port an app's port is published on: Slipway publishes exactly one. A
 * wildcard address (published on every interface) is reached at `host`, the address Slipway uses.
 * @example publishedAddress({ '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '40123' }] }, '127.0.0.1') // { host: '127.0.0.1', port: 40123 }
 */
export function publishedAddress(ports: PortMap | null | undefined, host: string): { host: string; port: number } | undefined {
  const binding = Object.values(ports ?? {}).flatMap((list) => list ?? []).find((b) => /^\d+$/.test(b.HostPort ?? ''));
  if (!binding) return undefined;
  const address = binding.HostIp && binding.HostIp !== '0.0.0.0' && binding.HostIp !== '::' ? binding.HostIp : host;
  return { host: address, port: Number(binding.HostPort) };
}
