import { isIP } from 'node:net';
import { z } from 'zod';

/** A DNS-1123 label: an external is reached by this name from the apps' namespace. */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS name of one or more labels (`nas.lan`, `db.example.com`). */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/** The name of a service outside the cluster: a DNS label, as the Service that stands for it is named. */
export const ExternalName = z
  .string()
  .max(63, 'an external name has at most 63 characters')
  .regex(LABEL, 'an external name is a DNS label: lowercase letters, digits and -, such as nas or printer');

/** An IPv4 or IPv6 address, or a host name (which becomes an ExternalName Service). */
export const ExternalAddress = z
  .string()
  .trim()
  .toLowerCase()
  .refine((value) => isIP(value) !== 0 || (HOSTNAME.test(value) && !/^[0-9.]+$/.test(value)), {
    message: 'an address is an IPv4 or IPv6 address (192.168.1.20, fd00::20) or a host name (nas.lan)',
  });

export const ExternalProtocol = z.enum(['TCP', 'UDP']);

/** A machine or service outside the cluster that apps may call, by name. */
export const External = z
  .object({
    name: ExternalName,
    address: ExternalAddress,
    port: z.coerce.number().int('a port is a whole number').min(1, 'a port is between 1 and 65535').max(65535, 'a port is between 1 and 65535'),
    protocol: ExternalProtocol.default('TCP'),
  })
  .strict();
export type External = z.output<typeof External>;
export type ExternalInput = z.input<typeof External>;

/**
 * How an address is reached: an IP address is pinned (EndpointSlice, NetworkPolicy ipBlock), a host
 * name is only a DNS alias (ExternalName Service), which a NetworkPolicy cannot pin.
 * @example addressKind('192.168.1.20') // 'IPv4'
 */
export function addressKind(address: string): 'IPv4' | 'IPv6' | 'hostname' {
  const family = isIP(address);
  return family === 4 ? 'IPv4' : family === 6 ? 'IPv6' : 'hostname';
}
