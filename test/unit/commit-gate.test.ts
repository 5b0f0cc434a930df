import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommitGate } from '../../src/snapshot/commit-gate.js';

const tick = () => new Promise((r) => setImmediate(r));

test('a commit waits for the chunks being sent and holds new chunks back until it is done', async () => {
  const gate = new CommitGate();
  const log: string[] = [];
  await gate.enter();
  await gate.enter();
  const commit = gate.exclusive(async () => {
    log.push('commit');
  });
  let entered = false;
  const late = gate.enter().then(() => {
    entered = true;
    log.push('late chunk');
  });
  await tick();
  assert.deepEqual(log, [], 'two chunks still being sent');
  gate.leave();
  await tick();
  assert.deepEqual(log, [], 'one chunk still being sent');
  gate.leave();
  await commit;
  await late;
  assert.ok(entered);
  assert.deepEqual(log, ['commit', 'late chunk']);
});

test('commits asked for while one waits share it; a failed commit lets chunks go on and rejects its callers', async () => {
  const gate = new CommitGate();
  await gate.enter();
  let runs = 0;
  const a = gate.exclusive(async () => {
    runs++;
    throw new Error('broker gone');
  });
  const b = gate.exclusive(async () => {
    runs += 10;
  });
  assert.equal(a, b, 'the second call shares the waiting commit');
  gate.leave();
  await assert.rejects(a, /broker gone/);
  assert.equal(runs, 1);
  await gate.enter();
  gate.leave();
  await gate.exclusive(async () => {
    runs++;
  });
  assert.equal(runs, 2, 'the next commit runs');
});

test('with no chunk in progress a commit runs at once', async () => {
  const gate = new CommitGate();
  let ran = false;
  await gate.exclusive(async () => {
    ran = true;
  });
  assert.ok(ran);
});
