import { z } from 'zod';

/** Who may open an app: everyone (`public`), or only the people an access provider lets in (`private`). */
export const AppAccess = z.enum(['public', 'private']);
export type AppAccess = z.infer<typeof AppAccess>;

/** What guards private apps: Cloudflare Access in front of the hostname, or an oauth2-proxy sidecar in the pod. */
export type AccessProvider = 'cloudflare' | 'oauth2-proxy';

/** How Slipway decides who may open an app: the access of apps whose run names none, and who guards private ones. */
export interface AccessRules {
  default: AppAccess;
  provider?: AccessProvider;
}
