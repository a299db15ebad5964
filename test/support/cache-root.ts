import { tmpdir } from 'node:os';

/**
 * Where the caches tests share across runs live (base images, the podman probe, schemas): the
 * machine's temporary folder, not the run's own one that the global setup removes at the end, so a
 * second run reuses what the first one built.
 */
export const TEST_CACHE_ROOT = process.env.SLIPWAY_TEST_CACHE_ROOT ?? tmpdir();
