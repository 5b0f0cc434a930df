import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// The Node release is pinned once (scripts/node/node.lock); engines, @types/node and the Docker image
// must name the same line, or the image, the types and the scripts drift apart.
const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const lock = read('scripts/node/node.lock');
const field = (key: string) => lock.split('\n').find((l) => l.startsWith(`${key} `))?.split(' ').slice(1);
const version = field('version')?.[0] ?? '';
const major = Number(version.split('.')[0]);

test('the lock pins one exact Node release of an LTS line, with a sha512 tarball per platform', () => {
  assert.match(version, /^\d+\.\d+\.\d+$/);
  assert.equal(major % 2, 0, 'LTS lines have even majors');
  for (const platform of ['linux-x64', 'linux-arm64']) {
    const [url, integrity] = field(platform) ?? [];
    assert.equal(url, `https://registry.npmjs.org/node-${platform}/-/node-${platform}-${version}.tgz`);
    assert.match(integrity ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/, `${platform} integrity`);
  }
});

test('the tests themselves run on the pinned major or newer', () => {
  assert.ok(Number(process.versions.node.split('.')[0]) >= major, `running on Node ${process.versions.node}, pinned ${version}`);
});

test('engines, @types/node and the Docker image name the pinned release', () => {
  const pkg = JSON.parse(read('package.json'));
  assert.equal(pkg.engines.node, `>=${major}`);
  assert.equal(Number(pkg.devDependencies['@types/node'].split('.')[0]), major);
  const docker = read('docker/Dockerfile');
  assert.match(docker, new RegExp(`^ARG NODE_VERSION=${version.replace(/\./g, '\\.')}$`, 'm'));
  const froms = docker.split('\n').filter((l) => l.startsWith('FROM '));
  assert.ok(froms.length >= 2 && froms.every((l) => l.startsWith('FROM node:${NODE_VERSION}-')), froms.join(' | '));
});

test('the bin shebang and the Docker entrypoint start the worker with the V8 flags of src/node-flags.ts', async () => {
  const { NODE_FLAGS } = await import('../../src/node-flags.js');
  assert.ok(NODE_FLAGS.length > 0);
  assert.equal(read('src/cli.ts').split('\n')[0], `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
  const entry = read('docker/Dockerfile').split('\n').find((l) => l.startsWith('ENTRYPOINT'));
  assert.equal(entry, `ENTRYPOINT ${JSON.stringify(['node', ...NODE_FLAGS, 'dist/src/cli.js'])}`.replace(/","/g, '", "'));
});
