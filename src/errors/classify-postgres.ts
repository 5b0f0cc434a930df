import { PgcdcError } from './pgcdc-error.js';

/**
 * Classifies an error thrown by `pg` (or the socket under it) into a PgcdcError. SQLSTATE classes:
 * 08 connection exception, 28 invalid authorization, 57P0x operator intervention (shutdown/terminate),
 * 53 insufficient resources, 42501 insufficient privilege, 42704/42P01 undefined object/table.
 */
export function classifyPostgresError(err: unknown, context: string): PgcdcError {
  if (err instanceof PgcdcError) return err;
  const e = err as { code?: string; message?: string };
  const code = e?.code ?? '';
  const msg = `${context}: ${e?.message ?? String(err)}`;
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code) || /Connection terminated|connection timeout/i.test(msg)) {
    return new PgcdcError('source-connection', msg, { cause: err, remedy: 'check that PostgreSQL is running and reachable; pgcdc retries' });
  }
  if (code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || code === '55006' || code === '40001') {
    // 55006: the slot is still active on a previous walsender; it goes away once that backend exits.
    return new PgcdcError('source-connection', msg, { cause: err, remedy: 'transient database condition; pgcdc retries' });
  }
  if (code.startsWith('28')) {
    return new PgcdcError('source-auth', msg, { cause: err, remedy: 'check database.user and database.password' });
  }
  if (code === '42501') {
    return new PgcdcError('source-auth', msg, { cause: err, remedy: 'grant the connector user REPLICATION and SELECT on the captured tables' });
  }
  if (code === '42704' || code === '42P01' || code === '3D000') {
    return new PgcdcError('source-state', msg, { cause: err, remedy: 'the named object does not exist; fix the configuration or recreate it' });
  }
  return new PgcdcError('internal', msg, { cause: err, retriable: false });
}
