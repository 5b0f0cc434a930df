/**
 * A pgoutput change → its change events, per captured table (a truncate names several), handed to
 * `emit` one table at a time in one reused buffer, so the streaming loop allocates no array per
 * change. Tables the registry does not capture are skipped; a change before its Relation message
 * is an error.
 */
import type { PgoutputMessage } from '../decoding/messages.js';
import type { ChangeEventBuilder, ChangeRecord, TxContext } from '../events/change-events.js';
import type { Lsn } from '../postgres/lsn.js';
import type { StreamBarrier, StreamingTables } from './streaming-ports.js';
import type { RegisteredTable } from './table-registry.js';

export type ChangeMessage = Extract<PgoutputMessage, { tag: 'insert' | 'update' | 'delete' | 'truncate' }>;

export class ChangeFanout {
  private readonly out: ChangeRecord[] = [];

  constructor(
    private readonly tables: StreamingTables,
    private readonly events: ChangeEventBuilder,
  ) {}

  /** `barrier` (null while replaying delivered changes) sees each update before its events are built. */
  build(lsn: Lsn, m: ChangeMessage, tx: TxContext, barrier: Pick<StreamBarrier, 'observe'> | null, emit: (t: RegisteredTable, records: ChangeRecord[]) => void): void {
    const out = this.out;
    out.length = 0;
    if (m.tag === 'truncate') {
      for (const oid of m.relationOids) {
        const t = this.tables.get(oid);
        if (t) {
          this.events.truncate(t.schema, tx, lsn, out);
          emit(t, out);
          out.length = 0;
        }
      }
    } else {
      const t = this.tables.get(m.relationOid);
      if (t === undefined) throw new Error(`change for relation ${m.relationOid} before its Relation message`);
      if (t !== null) {
        if (m.tag === 'insert') this.events.insert(t.schema, m.newTuple, tx, lsn, out);
        else if (m.tag === 'update') {
          barrier?.observe(m);
          this.events.update(t.schema, m.keyTuple, m.oldTuple, m.newTuple, tx, lsn, out);
        } else this.events.delete(t.schema, m.keyTuple, m.oldTuple, tx, lsn, out);
        emit(t, out);
      }
    }
    out.length = 0;
  }
}
