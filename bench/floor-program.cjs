// Part of `npm run bench:build` (not Slipway): the least a Node program can do to publish an app
// image again under a new tag, to show where the floor of a one-process-per-build command lies on
// this machine. It reads and hashes the app's files, asks the registry for the base tag and for the
// image's manifest at once, and puts the manifest under the new tag: no build of an unchanged app
// can ask less of the registry, and it has none of Slipway's checks, caches, options or error handling.
//
// node floor-program.cjs <host:port> <base repo> <base tag> <repo> <tag> <manifest file> <app dir>
'use strict';
require('node:module').enableCompileCache?.();
const http = require('node:http');
const { createHash } = require('node:crypto');
const { lstatSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const [host, baseRepo, baseTag, repo, tag, manifestFile, appDir] = process.argv.slice(2);
const [hostname, port] = host.split(':');
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const agent = new http.Agent({ keepAlive: true });

function send(method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = { accept: MANIFEST, ...(body ? { 'content-type': MANIFEST, 'content-length': body.length } : {}) };
    const request = http.request({ hostname, port, path, method, agent, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function hashTree(dir, hash) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (lstatSync(path).isDirectory()) hashTree(path, hash);
    else hash.update(readFileSync(path));
  }
}

(async () => {
  const base = send('HEAD', `/v2/${baseRepo}/manifests/${baseTag}`);
  hashTree(appDir, createHash('sha256'));
  const manifest = readFileSync(manifestFile);
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const [baseStatus, imageStatus] = await Promise.all([base, send('HEAD', `/v2/${repo}/manifests/${digest}`)]);
  const putStatus = await send('PUT', `/v2/${repo}/manifests/${tag}`, manifest);
  if (baseStatus !== 200 || imageStatus !== 200 || putStatus !== 201) throw new Error(`unexpected answers: ${baseStatus} ${imageStatus} ${putStatus}`);
  agent.destroy();
})();
