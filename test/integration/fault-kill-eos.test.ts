// Guarantee (issue 17): under exactly.once.support=required, kill -9 of the worker at random moments
// (streaming, inside a large transaction's delivery, while a Kafka transaction is open, right after
// one committed; transaction.boundary=poll and =interval across restarts) leaves a read_committed
// consumer with every change exactly once: no change read twice, none resent after a kill, one
// tombstone right after each delete, and the reference loader's copy built from exactly those records
// equals the source. The long version with 20 kills is scripts/chaos.ts --eos-kills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { runChaos } from '../harness/chaos-run.js';

const SEED = 20261202;

test(`exactly-once, kill -9 at random moments (seed ${SEED}): a read_committed consumer reads every change once`, async () => {
  const services = await testServices();
  const result = await runChaos(services, { name: 'pgcdc_it_fault_kill_eos', seed: SEED, kills: 4, maxSeconds: 120, bigTxRows: 20_000, exactlyOnce: true, log: (l) => console.log(l) });
  console.log(`chaos result ${JSON.stringify(result)}`);
  assert.equal(result.kills, 4, 'every planned kill happened');
  assert.deepEqual(result.killMoments, { streaming: 1, 'large transaction': 1, 'open transaction': 1, 'after commit': 1 }, 'one kill at each moment');
  assert.deepEqual(result.duplicateDetails, [], 'no change read twice');
  assert.equal(result.duplicates, 0);
  assert.equal(result.resentEvents, 0, 'nothing resent after a kill');
  assert.deepEqual(result.tombstoneProblems, [], 'one tombstone right after each delete');
  assert.ok(result.events > result.smallTransactions, `the changes were read back (${result.events} events)`);
  assert.ok(result.smallTransactions > 50, `writes went on throughout (${result.smallTransactions} small transactions)`);
});
