import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MODULE = fileURLToPath(new URL('../../src/worker/known-warnings.js', import.meta.url));

test('only the negative-timeout warning of kafkajs is dropped; other warnings still print', () => {
  const script = `const { dropKnownWarnings } = await import(${JSON.stringify(MODULE)}); dropKnownWarnings(); setTimeout(() => {}, -5); process.emitWarning('still shown', 'OtherWarning');`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /TimeoutNegativeWarning/);
  assert.match(run.stderr, /OtherWarning: still shown/);
  const plain = spawnSync(process.execPath, ['-e', 'setTimeout(() => {}, -5)'], { encoding: 'utf8' });
  if (Number(process.versions.node.split('.')[0]) >= 23) assert.match(plain.stderr, /TimeoutNegativeWarning/, 'without the filter Node warns');
});
