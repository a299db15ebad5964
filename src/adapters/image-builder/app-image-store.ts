import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { OciLayoutStore } from '../oci/index.ts';

/**
 * Without a registry, every app's images live in one OCI layout (`$SLIPWAY_HOME/images`): blobs are
 * written once and shared (the base image is stored a single time), and each image is a tag
 * `<app>_<tag>` in its `index.json`. '_' never occurs in an app name, so a tag names exactly one app.
 * @example appImageTag('notes', '3f9c0a1b2c3d') // 'notes_3f9c0a1b2c3d'
 */
export function appImageTag(app: string, tag: string): string {
  return `${app}_${tag}`;
}

/**
 * Forgets an app's images in the shared layout: its tags go (their blobs stay, other apps share
 * them), and so does the layout of its own that Slipway kept under `<store>/<app>` before the store was shared.
 * @example await forgetAppImages('/home/me/.slipway/images', 'notes') // ['notes_3f9c0a1b2c3d']
 */
export async function forgetAppImages(storeDir: string, app: string): Promise<string[]> {
  const removed = await new OciLayoutStore(storeDir).untag((tag) => tag.startsWith(`${app}_`));
  const legacy = join(storeDir, app);
  if (existsSync(join(legacy, 'oci-layout'))) await rm(legacy, { recursive: true, force: true });
  return removed;
}
