import type pg from 'pg';
import type { ConnectorConfig } from '../config/index.js';
import { PgcdcError } from '../errors/pgcdc-error.js';
import { describeOffset, fromStored, type SourceOffset } from '../offsets/source-offset.js';
import { formatLsn } from '../postgres/lsn.js';
import { readSlot, type SlotState } from '../postgres/slot.js';
import { fromStoredSnapshot, type SnapshotState } from '../snapshot/snapshot-state.js';

/**
 * How a run begins, decided once from the stored offset, the slot and snapshot.mode:
 *  - `none`: stream from the offset (or the slot's position);
 *  - `new-slot`: create the slot exporting its snapshot, read the tables in it, stream from its
 *    consistent point (no gap, no overlap);
 *  - `existing-slot`: the slot exists, so its snapshot is gone: read the tables in a new snapshot,
 *    then stream from the offset or slot position, which is older (duplicates, no gap);
 *  - `resume`: a snapshot was interrupted: read its unfinished chunks in a new snapshot, then stream
 *    from the snapshot's start (duplicates, no gap).
 */
export interface StartPlan {
  snapshot: 'none' | 'new-slot' | 'existing-slot' | 'resume';
  offset: SourceOffset | null;
  slot: SlotState | undefined;
  interrupted: SnapshotState | null;
}

export async function planStart(client: pg.Client, config: ConnectorConfig, stored: Record<string, unknown> | undefined): Promise<StartPlan> {
  return decideStart(config, await readSlot(client, config.slotName), stored);
}

/** The settings the start decision reads. */
export type StartSettings = Pick<ConnectorConfig, 'name' | 'slotName'> & { snapshot: Pick<ConnectorConfig['snapshot'], 'mode'> };

/** The decision alone, from the slot as read and the stored offset: no I/O (unit-tested). */
export function decideStart(config: StartSettings, slot: SlotState | undefined, stored: Record<string, unknown> | undefined): StartPlan {
  const mode = config.snapshot.mode;
  const interrupted = stored ? fromStoredSnapshot(stored) : null;
  if (interrupted) {
    if (!slot) throw slotMissing(config, `an interrupted snapshot (streaming was to start at ${formatLsn(interrupted.lsn)})`);
    return { snapshot: 'resume', offset: null, slot, interrupted };
  }
  const offset = stored && stored.pgcdc_snapshot === undefined ? fromStored(stored) : stored ? fromStored({ ...stored, pgcdc_tx_complete: false }) : null;
  if (offset) {
    const problem = slotProblem(config, slot, offset);
    if (problem) {
      // when_needed: an unusable offset means "take a new snapshot" rather than fail.
      if (mode !== 'when_needed') throw problem;
      return { snapshot: slot ? 'existing-slot' : 'new-slot', offset: null, slot, interrupted: null };
    }
    return { snapshot: mode === 'always' ? 'existing-slot' : 'none', offset, slot, interrupted: null };
  }
  if (mode === 'no_data') return { snapshot: 'none', offset: null, slot, interrupted: null };
  return { snapshot: slot ? 'existing-slot' : 'new-slot', offset: null, slot, interrupted: null };
}

/**
 * A missing slot (dropped, or never created for this offset) or a slot confirmed past the offset
 * would silently skip changes: that is an error unless snapshot.mode=when_needed.
 */
function slotProblem(config: StartSettings, slot: SlotState | undefined, offset: SourceOffset): PgcdcError | null {
  if (!slot) return slotMissing(config, `a stored offset (${describeOffset(offset)})`);
  if (slot.confirmedFlushLsn !== null && slot.confirmedFlushLsn > offset.flushLsn) {
    return new PgcdcError('offset-mismatch', `replication slot "${config.slotName}" is confirmed up to ${formatLsn(slot.confirmedFlushLsn)}, past the stored offset ${formatLsn(offset.flushLsn)}: the slot was recreated or advanced, and resuming would skip the changes in between`, {
      retriable: false,
      remedy: 'reset the connector offsets to accept the gap, or set snapshot.mode=when_needed to take a new snapshot',
    });
  }
  return null;
}

function slotMissing(config: StartSettings, what: string): PgcdcError {
  return new PgcdcError('offset-mismatch', `replication slot "${config.slotName}" does not exist, but connector "${config.name}" has ${what}: changes made after it may be gone`, {
    retriable: false,
    remedy: 'if losing those changes is acceptable, delete the connector offsets (DELETE /connectors/{name}/offsets) or set snapshot.mode=when_needed, and restart',
  });
}
