import type pg from 'pg';
import type { ConnectorConfig } from '../config/index.js';
import { readPublication } from './publication.js';
import { readSlot } from './slot.js';

/**
 * What a connector that will not run on leaves on PostgreSQL (its slot, which retains WAL, and a
 * publication pgcdc created) and the statements that remove them; null when nothing is left.
 * Never dropped automatically: the slot may hold changes an offset still needs after a fix.
 */
export async function describeLeftovers(client: pg.Client, cfg: ConnectorConfig): Promise<string | null> {
  const slot = await readSlot(client, cfg.slotName);
  const publication = await readPublication(client, cfg.publicationName);
  const own = publication?.ownedByPgcdc ? cfg.publicationName : null;
  if (!slot && !own) return null;
  const left = [slot ? `replication slot "${slot.name}" (${slot.active ? 'active' : 'inactive'}, retains WAL)` : null, own ? `publication "${own}" (created by pgcdc)` : null].filter(Boolean);
  const sql = [slot ? `SELECT pg_drop_replication_slot('${slot.name}');` : null, own ? `DROP PUBLICATION "${own}";` : null].filter(Boolean);
  return `left on PostgreSQL ${cfg.database.host}:${cfg.database.port}/${cfg.database.dbname}: ${left.join(' and ')}; if the connector will not run again, remove them with: ${sql.join(' ')}`;
}
