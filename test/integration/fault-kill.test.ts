// Guarantee: kill -9 of the worker at random moments, while small transactions keep committing and
// in the middle of delivering large transactions, loses nothing (the copy rebuilt from the topics by
// the reference loader equals the source), re-sends only events after the offset stored at the
// kill, and confirmed_flush_lsn never passes the stored offset's flush LSN (sampled after every
// kill). The long version with many kills is scripts/chaos.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testServices } from '../harness/services.js';
import { runChaos } from '../harness/chaos-run.js';

const SEED = 20261122;

test(`kill -9 at random moments (seed ${SEED}): no loss, resends only after the stored offset, slot never ahead`, async () => {
  const services = await testServices();
  const result = await runChaos(services, { name: 'pgcdc_it_fault_kill', seed: SEED, kills: 4, maxSeconds: 90, bigTxRows: 20_000, log: (l) => console.log(l) });
  console.log(`chaos result ${JSON.stringify(result)}`);
  assert.equal(result.kills, 4, 'every planned kill happened');
  assert.ok(result.smallTransactions > 50, `writes went on throughout (${result.smallTransactions} small transactions)`);
});
