import pg from 'pg';
import { PgcdcError } from './pgcdc-error.js';

/**
 * What the caller was doing when PostgreSQL refused: the remedy for a missing privilege (42501)
 * depends on it, and the caller knows it better than the server's wording says.
 */
export type PgOperation =
  | 'connect' // opening a connection (catalog, snapshot or replication)
  | 'publication' // CREATE/ALTER PUBLICATION ... FOR TABLE / empty publication
  | 'publication-all-tables' // CREATE PUBLICATION ... FOR ALL TABLES
  | 'slot' // creating a replication slot
  | 'replication' // START_REPLICATION on a replication connection
  | 'read'; // SELECT from captured tables or the catalog (snapshots, relation lookups)

/** Socket-level errno codes: the connection failed or dropped, nothing about the request was wrong. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_DESTROYED',
]);

/**
 * Errors node-postgres (8.x, lib/client.js) creates itself without any code: its connection timeout
 * (`connectionTimeoutMillis`, set from connect.timeout.ms), the end of the socket, and use of a
 * client whose connection broke. They are matched as pg's exact wording, never a server message.
 */
const PG_CONNECTION_ERRORS = new Set([
  'timeout expired',
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Query read timeout',
  'Client was closed and is not queryable',
  'Client has encountered a connection error and is not queryable',
]);

const RETRIES = 'pgcdc retries with backoff';
const REACH = `check that PostgreSQL is running and reachable at database.hostname/database.port; ${RETRIES}`;

/** SQLSTATEs (or classes) that are transient: the same request can succeed later. */
function transientRemedy(code: string): string | undefined {
  if (code.startsWith('08')) return REACH; // connection exception
  if (code === '57P01' || code === '57P02' || code === '57P05') return `the server ended the session (shutdown, restart, pg_terminate_backend or idle timeout); ${RETRIES}`;
  if (code === '57P03') return `the server is starting up or in recovery and does not accept connections yet; ${RETRIES}`;
  if (code === '57014') return `a statement was cancelled (statement_timeout or pg_cancel_backend); ${RETRIES}`;
  if (code === '53300') return `too many connections or walsenders (max_connections / max_wal_senders); free some or raise the limit; ${RETRIES}`;
  if (code === '53400') return `a server limit is reached (all replication slots in use?): drop unused slots or raise max_replication_slots; ${RETRIES}`;
  if (code.startsWith('53')) return `the server is short of resources (disk, memory); ${RETRIES}`;
  if (code === '55006') return `the slot is still in use by a previous walsender, which goes away once that backend exits; ${RETRIES}`;
  if (code === '40001' || code === '40P01') return `serialization failure or deadlock; ${RETRIES}`;
  return undefined;
}

/** A missing privilege: what to grant depends on what the connector was doing. */
function privilegeRemedy(op: PgOperation | undefined): string {
  switch (op) {
    case 'publication':
      return 'creating or altering a publication needs CREATE on the database and ownership of every listed table: ' +
        'GRANT CREATE ON DATABASE <db> TO <user> and make <user> own the captured tables (or a member of their owner role), ' +
        'or create the publication as the owner and set publication.autocreate.mode=disabled';
    case 'publication-all-tables':
      return 'a FOR ALL TABLES publication can only be created by a superuser: create it as one, ' +
        'or use publication.autocreate.mode=filtered (needs CREATE on the database and table ownership)';
    case 'slot':
    case 'replication':
      return 'replication needs the REPLICATION attribute: ALTER ROLE <user> REPLICATION';
    case 'read':
      return 'reading the captured tables needs SELECT on them and USAGE on their schemas: GRANT SELECT ON <table> TO <user>, GRANT USAGE ON SCHEMA <schema> TO <user>';
    default:
      return 'the connector user lacks a privilege: it needs REPLICATION, SELECT on the captured tables, and for publication.autocreate.mode=filtered CREATE on the database and ownership of the tables';
  }
}

/**
 * Classifies an error thrown by `pg` (or the socket under it) into a PgcdcError, by the error's type
 * and code: a server error (pg.DatabaseError) by SQLSTATE; a socket error by errno code; pg's own
 * connection errors, which carry no code, by their fixed wording. Every connection-level failure is
 * retriable; what retrying cannot fix is permanent, with a remedy.
 */
export function classifyPostgresError(err: unknown, context: string, op?: PgOperation): PgcdcError {
  if (err instanceof PgcdcError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; syscall?: unknown };
  const text = typeof e.message === 'string' ? e.message : String(err);
  const msg = `${context}: ${text}`;
  const code = typeof e.code === 'string' ? e.code : '';
  const make = (kind: ConstructorParameters<typeof PgcdcError>[0], remedy: string, retriable?: boolean) => new PgcdcError(kind, msg, { cause: err, remedy, retriable });

  if (err instanceof pg.DatabaseError) {
    const transient = transientRemedy(code);
    if (transient) return make('source-connection', transient, true);
    if (code.startsWith('28')) return make('source-auth', op === 'replication' || op === 'slot'
      ? 'check database.user/database.password and that pg_hba.conf allows this user replication connections to the database'
      : 'check database.user and database.password, and that pg_hba.conf allows this user to connect to the database');
    if (code === '42501') return make('source-auth', privilegeRemedy(op));
    if (code === '3D000') return make('source-state', 'the database does not exist: check database.dbname');
    if (code === '57P04') return make('source-state', 'the database was dropped while the connector ran');
    if (code === '55000') return make('source-state', 'the server is not set up for logical decoding as needed (wal_level=logical, then restart PostgreSQL) or the object is not in a usable state; see the message');
    if (code === '42704' || code === '42P01' || code === '3F000') return make('source-state', 'the named object does not exist; fix the configuration or recreate it');
    return make('internal', 'unexpected PostgreSQL error; see the message', false);
  }
  if (SOCKET_CODES.has(code) || (typeof e.syscall === 'string' && code.startsWith('E'))) {
    return make('source-connection', code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `check database.hostname (the name did not resolve); ${RETRIES}` : REACH, true);
  }
  if (PG_CONNECTION_ERRORS.has(text)) {
    const remedy = text === 'timeout expired'
      ? `no connection within connect.timeout.ms: check that PostgreSQL is reachable and answering at database.hostname/database.port; ${RETRIES}`
      : REACH;
    return make('source-connection', remedy, true);
  }
  const tls = tlsRemedy(code, text);
  if (tls) return make('config', tls, false);
  return make('internal', 'unexpected error; see the message', false);
}

/** TLS failures (Node's certificate codes, node-postgres's SSLRequest refusal): which key to fix. */
function tlsRemedy(code: string, text: string): string | undefined {
  if (text === 'The server does not support SSL connections') {
    return 'the server has TLS off (ssl=off) but database.sslmode asks for TLS: enable ssl on the server, or use sslmode=prefer or disable';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return 'the server certificate does not name database.hostname (sslmode=verify-full checks it): connect by a name the certificate lists, or use sslmode=verify-ca';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'the server certificate is outside its validity period: renew it on the server';
  if (/CERT|SIGNATURE|ISSUER/.test(code)) {
    return 'the server certificate is not signed by a CA in database.sslrootcert: set database.sslrootcert to the PEM file of the CA that issued the server certificate (database.sslmode=require encrypts without this check)';
  }
  if (/SSL|TLS/.test(code) || /SSL|TLS/.test(text)) return 'TLS failed: check database.sslmode, database.sslrootcert, database.sslcert and database.sslkey';
  return undefined;
}
