import { z } from 'zod';

/** A host name an app may call, or a pattern `*.example.com` for every name under a domain. */
export const EGRESS_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

export const EgressHost = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(EGRESS_HOST, 'a host name such as api.example.com, or *.example.com for every name under a domain');

/**
 * How apps may reach host names outside the cluster. A Kubernetes NetworkPolicy only knows
 * addresses, so host names need a CNI that follows DNS: `cilium` renders a CiliumNetworkPolicy with
 * `toFQDNs`; `none` (the default) allows no host names and refuses an app that asks for one.
 * `hosts` are allowed to every app.
 */
export const Egress = z
  .object({
    mechanism: z.enum(['none', 'cilium']).default('none'),
    hosts: z.array(EgressHost).default([]),
  })
  .strict()
  // Refused here rather than at every app's render: without a mechanism no host name can be allowed.
  .refine((egress) => egress.mechanism !== 'none' || egress.hosts.length === 0, {
    message: 'host names can only be allowed through an egress mechanism that follows DNS: set mechanism: cilium, or remove hosts',
    path: ['hosts'],
  });
