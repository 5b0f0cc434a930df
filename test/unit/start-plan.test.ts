import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideStart, type StartSettings } from '../../src/connector/start-plan.js';
import type { SnapshotMode } from '../../src/config/connector-config.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';
import { toStored, type SourceOffset } from '../../src/offsets/source-offset.js';
import type { SlotState } from '../../src/postgres/slot.js';
import { toStoredSnapshot } from '../../src/snapshot/snapshot-state.js';

const settings = (mode: SnapshotMode): StartSettings => ({ name: 'inventory-connector', slotName: 'pgcdc_slot', snapshot: { mode } });
const slot = (confirmedFlushLsn: bigint | null): SlotState => ({ name: 'pgcdc_slot', plugin: 'pgoutput', database: 'inventory', active: false, activePid: null, restartLsn: confirmedFlushLsn, confirmedFlushLsn, walStatus: 'reserved' });
const offset: SourceOffset = { commitLsn: 0x1_0000_0100n, txChanges: 3, complete: false, lsn: 0x1_0000_00f0n, flushLsn: 0x1_0000_0050n, txId: 42, tsUsec: 1_700_000_000_000_000 };
const stored = toStored(offset) as unknown as Record<string, unknown>;
const MODES: SnapshotMode[] = ['initial', 'initial_only', 'no_data', 'always', 'when_needed'];

const mismatch = (re: RegExp) => (e: unknown) => e instanceof PgcdcError && e.kind === 'offset-mismatch' && !e.retriable && re.test(e.message);

test('no stored offset: a snapshot per snapshot.mode, in a new slot when there is none', () => {
  for (const mode of MODES) {
    const expected = mode === 'no_data' ? 'none' : 'new-slot';
    assert.deepEqual(decideStart(settings(mode), undefined, undefined), { snapshot: expected, offset: null, slot: undefined, interrupted: null }, mode);
    const existing = slot(0x500n);
    assert.deepEqual(decideStart(settings(mode), existing, undefined), { snapshot: mode === 'no_data' ? 'none' : 'existing-slot', offset: null, slot: existing, interrupted: null }, `${mode}, slot exists`);
  }
});

test('stored offset and a slot at or behind it: resume from the offset exactly (mid-transaction position kept)', () => {
  for (const confirmed of [null, offset.flushLsn, offset.flushLsn - 1n]) {
    const s = slot(confirmed);
    for (const mode of ['initial', 'no_data', 'when_needed', 'initial_only'] as const) {
      assert.deepEqual(decideStart(settings(mode), s, stored), { snapshot: 'none', offset, slot: s, interrupted: null }, `${mode}, slot at ${confirmed}`);
    }
    // always: snapshot again in a new snapshot, then stream from the offset
    assert.deepEqual(decideStart(settings('always'), s, stored), { snapshot: 'existing-slot', offset, slot: s, interrupted: null });
  }
});

test('a Debezium offset (no pgcdc fields) resumes after its commit, delivered whole', () => {
  const plan = decideStart(settings('initial'), slot(0x100n), { lsn: 0x200, lsn_proc: 0x200, lsn_commit: 0x200, txId: 9, ts_usec: 5 });
  assert.equal(plan.snapshot, 'none');
  assert.deepEqual(plan.offset, { commitLsn: 0x200n, lsn: 0x200n, txChanges: 0, complete: true, flushLsn: 0x200n, txId: 9, tsUsec: 5 });
});

test('slot missing with a stored offset: refused naming slot and connector, unless when_needed (new snapshot)', () => {
  for (const mode of ['initial', 'initial_only', 'no_data', 'always'] as const) {
    assert.throws(() => decideStart(settings(mode), undefined, stored), mismatch(/replication slot "pgcdc_slot" does not exist, but connector "inventory-connector" has a stored offset/), mode);
  }
  assert.deepEqual(decideStart(settings('when_needed'), undefined, stored), { snapshot: 'new-slot', offset: null, slot: undefined, interrupted: null });
});

test('slot confirmed past the stored offset (recreated or advanced): refused, unless when_needed', () => {
  const ahead = slot(offset.flushLsn + 1n);
  assert.throws(() => decideStart(settings('initial'), ahead, stored), mismatch(/confirmed up to 1\/51, past the stored offset 1\/50/));
  assert.deepEqual(decideStart(settings('when_needed'), ahead, stored), { snapshot: 'existing-slot', offset: null, slot: ahead, interrupted: null });
});

test('an interrupted snapshot resumes (whatever the mode); without its slot it is refused', () => {
  const snap = toStoredSnapshot({ lsn: 0x300n, chunks: [], done: new Set(), stream: null, filenodes: {} });
  const s = slot(0x300n);
  for (const mode of MODES) {
    const plan = decideStart(settings(mode), s, snap);
    assert.equal(plan.snapshot, 'resume', mode);
    assert.equal(plan.offset, null);
    assert.equal(plan.interrupted?.lsn, 0x300n);
  }
  assert.throws(() => decideStart(settings('when_needed'), undefined, snap), mismatch(/an interrupted snapshot \(streaming was to start at 0\/300\)/));
});

test('a completed snapshot record streams from its position, its transaction not taken as delivered whole', () => {
  const done = { ...toStoredSnapshot({ lsn: 0x300n, chunks: [], done: new Set(), stream: null, filenodes: {} }), snapshot_completed: true };
  const plan = decideStart(settings('initial'), slot(0x300n), done);
  assert.equal(plan.snapshot, 'none');
  assert.equal(plan.offset?.commitLsn, 0x300n);
  assert.equal(plan.offset?.complete, false);
});
