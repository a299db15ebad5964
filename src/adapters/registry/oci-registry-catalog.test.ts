import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type RegistryServer } from '../../../test/support/registry-server.ts';
import { pushTinyImage } from '../../../test/support/tiny-image.ts';
import { OciRegistry, type RegistryLogger } from './oci-registry.ts';
import { RegistryError } from './registry-error.ts';

let registry: RegistryServer;

beforeAll(async () => {
  registry = await startRegistry({ mode: 'plain' });
});
afterAll(async () => {
  await registry?.stop();
});

function requestLog(): RegistryLogger & { urls: string[] } {
  const urls: string[] = [];
  return { urls, debug: (object, message) => void (message === 'registry request' && urls.push((object as { url: string }).url)), warn: () => {} };
}

describe('OciRegistry catalog, tag lists and manifest delete against docker-registry', () => {
  it('lists every repository and tag, following the pages the registry links', async () => {
    const log = requestLog();
    const oci = new OciRegistry({ insecureRegistries: [registry.host], pageSize: 2, logger: log });
    for (const app of ['alpha', 'beta', 'gamma']) await pushTinyImage(oci, registry.host, `list/${app}`, 'v1.0.0-aaaaaaa-prod', app);
    await pushTinyImage(oci, registry.host, 'list/alpha', 'v1.1.0-bbbbbbb-prod', 'alpha 2');
    await pushTinyImage(oci, registry.host, 'list/alpha', 'v1.2.0-ccccccc-prod', 'alpha 3');

    expect(await oci.listRepositories(registry.host)).toEqual(['list/alpha', 'list/beta', 'list/gamma']);
    expect((await oci.listTags(registry.host, 'list/alpha')).sort()).toEqual(['v1.0.0-aaaaaaa-prod', 'v1.1.0-bbbbbbb-prod', 'v1.2.0-ccccccc-prod']);
    // Three repositories at two a page: two catalog pages.
    expect(log.urls.filter((url) => url.endsWith('/v2/_catalog'))).toHaveLength(2);
    expect(await oci.listTags(registry.host, 'list/nothing-here')).toEqual([]);
    oci.close();
  });

  it('deletes a manifest by digest, its tags with it, and says false when it is already gone', async () => {
    const oci = new OciRegistry({ insecureRegistries: [registry.host] });
    const keep = await pushTinyImage(oci, registry.host, 'del/app', 'v1.0.0-aaaaaaa-prod', 'keep');
    const drop = await pushTinyImage(oci, registry.host, 'del/app', 'v1.1.0-bbbbbbb-prod', 'drop');
    expect(await oci.deleteManifest(registry.host, 'del/app', drop)).toBe(true);
    expect(await oci.listTags(registry.host, 'del/app')).toEqual(['v1.0.0-aaaaaaa-prod']);
    expect(await oci.headManifest(registry.host, 'del/app', drop)).toBeUndefined();
    expect((await oci.headManifest(registry.host, 'del/app', keep))?.digest).toBe(keep);
    expect(await oci.deleteManifest(registry.host, 'del/app', drop)).toBe(false);
    oci.close();
  });

  it('reports a registry that refuses deletes with its status and code', async () => {
    const keeping = await startRegistry({ mode: 'plain', deleteEnabled: false });
    try {
      const oci = new OciRegistry({ insecureRegistries: [keeping.host] });
      const digest = await pushTinyImage(oci, keeping.host, 'del/app', 'v1.0.0-aaaaaaa-prod', 'kept');
      const error = await oci.deleteManifest(keeping.host, 'del/app', digest).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).status).toBe(405);
      expect((error as RegistryError).codes).toEqual(['UNSUPPORTED']);
      expect(await oci.listTags(keeping.host, 'del/app')).toEqual(['v1.0.0-aaaaaaa-prod']);
      oci.close();
    } finally {
      await keeping.stop();
    }
  });
});
