import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { classifyPostgresError, type PgOperation } from '../../src/errors/classify-postgres.js';
import { PgcdcError } from '../../src/errors/pgcdc-error.js';

/** A server error as node-postgres builds it from an ErrorResponse. */
function serverError(code: string, message: string): pg.DatabaseError {
  const e = new pg.DatabaseError(message, message.length, 'error');
  e.code = code;
  e.severity = 'ERROR';
  return e;
}

/** The error pg's own connection timeout produces: a server that accepts and never answers. */
async function realTimeoutError(): Promise<unknown> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'x', connectionTimeoutMillis: 100 });
  try {
    await client.connect();
    throw new Error('connected to a server that never answers');
  } catch (err) {
    return err;
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
}

/** ECONNREFUSED as the socket reports it: a port nobody listens on. */
async function realRefusedError(): Promise<unknown> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'x', database: 'x' });
  return client.connect().then(() => null, (err) => err);
}

const sysError = (code: string, syscall = 'read') => Object.assign(new Error(`${syscall} ${code}`), { code, errno: -1, syscall });

interface Row {
  what: string;
  err: unknown;
  op?: PgOperation;
  kind: PgcdcError['kind'];
  retriable: boolean;
  remedy: RegExp;
}

test('PostgreSQL errors: kind, retriable and remedy by type and code', async () => {
  const timeout = await realTimeoutError();
  assert.equal((timeout as Error).message, 'timeout expired', 'pg 8 reports its connection timeout so (no code)');
  const refused = await realRefusedError();
  const rows: Row[] = [
    { what: "pg's connection timeout", err: timeout, op: 'connect', kind: 'source-connection', retriable: true, remedy: /connect\.timeout\.ms/ },
    { what: 'ECONNREFUSED (real socket)', err: refused, op: 'connect', kind: 'source-connection', retriable: true, remedy: /reachable/ },
    { what: 'ECONNRESET', err: sysError('ECONNRESET'), kind: 'source-connection', retriable: true, remedy: /reachable/ },
    { what: 'EPIPE', err: sysError('EPIPE', 'write'), kind: 'source-connection', retriable: true, remedy: /reachable/ },
    { what: 'ENOTFOUND', err: sysError('ENOTFOUND', 'getaddrinfo'), kind: 'source-connection', retriable: true, remedy: /database\.hostname/ },
    { what: 'unknown errno on a socket call', err: sysError('ENOBUFS', 'write'), kind: 'source-connection', retriable: true, remedy: /reachable/ },
    { what: 'Connection terminated unexpectedly', err: new Error('Connection terminated unexpectedly'), kind: 'source-connection', retriable: true, remedy: /retries/ },
    { what: 'Connection terminated', err: new Error('Connection terminated'), kind: 'source-connection', retriable: true, remedy: /retries/ },
    { what: '57P01 admin shutdown / pg_terminate_backend', err: serverError('57P01', 'terminating connection due to administrator command'), op: 'replication', kind: 'source-connection', retriable: true, remedy: /pg_terminate_backend/ },
    { what: '57P02 crash shutdown', err: serverError('57P02', 'terminating connection because of crash of another server process'), kind: 'source-connection', retriable: true, remedy: /retries/ },
    { what: '57P03 cannot connect now', err: serverError('57P03', 'the database system is starting up'), op: 'connect', kind: 'source-connection', retriable: true, remedy: /starting up/ },
    { what: '08006 connection failure', err: serverError('08006', 'connection failure'), kind: 'source-connection', retriable: true, remedy: /reachable/ },
    { what: '08P01 protocol violation', err: serverError('08P01', 'protocol violation'), kind: 'source-connection', retriable: true, remedy: /retries/ },
    { what: '53300 too many connections', err: serverError('53300', 'sorry, too many clients already'), op: 'connect', kind: 'source-connection', retriable: true, remedy: /max_connections/ },
    { what: '53400 all slots in use', err: serverError('53400', 'all replication slots are in use'), op: 'slot', kind: 'source-connection', retriable: true, remedy: /max_replication_slots/ },
    { what: '55006 slot active elsewhere', err: serverError('55006', 'replication slot "s" is active for PID 42'), op: 'replication', kind: 'source-connection', retriable: true, remedy: /previous walsender/ },
    { what: '28P01 bad password', err: serverError('28P01', 'password authentication failed for user "cdc"'), op: 'connect', kind: 'source-auth', retriable: false, remedy: /database\.password/ },
    { what: '28000 no pg_hba entry (replication)', err: serverError('28000', 'no pg_hba.conf entry for replication connection'), op: 'replication', kind: 'source-auth', retriable: false, remedy: /pg_hba\.conf.*replication/ },
    { what: '42501 must be owner (ALTER/CREATE PUBLICATION)', err: serverError('42501', 'must be owner of table orders'), op: 'publication', kind: 'source-auth', retriable: false, remedy: /own the captured tables/ },
    { what: '42501 permission denied for database (CREATE PUBLICATION)', err: serverError('42501', 'permission denied for database inventory'), op: 'publication', kind: 'source-auth', retriable: false, remedy: /GRANT CREATE ON DATABASE/ },
    { what: '42501 FOR ALL TABLES', err: serverError('42501', 'must be superuser to create FOR ALL TABLES publication'), op: 'publication-all-tables', kind: 'source-auth', retriable: false, remedy: /superuser/ },
    { what: '42501 replication slots', err: serverError('42501', 'permission denied to use replication slots'), op: 'slot', kind: 'source-auth', retriable: false, remedy: /ALTER ROLE <user> REPLICATION/ },
    { what: '42501 SELECT on a table (snapshot)', err: serverError('42501', 'permission denied for table orders'), op: 'read', kind: 'source-auth', retriable: false, remedy: /GRANT SELECT ON/ },
    { what: '3D000 database missing', err: serverError('3D000', 'database "nope" does not exist'), op: 'connect', kind: 'source-state', retriable: false, remedy: /database\.dbname/ },
    { what: '42704 slot missing', err: serverError('42704', 'replication slot "s" does not exist'), op: 'replication', kind: 'source-state', retriable: false, remedy: /does not exist/ },
    { what: '55000 wal_level', err: serverError('55000', 'logical decoding requires wal_level >= logical'), op: 'slot', kind: 'source-state', retriable: false, remedy: /wal_level=logical/ },
    { what: '57P04 database dropped', err: serverError('57P04', 'database dropped'), kind: 'source-state', retriable: false, remedy: /dropped/ },
    { what: 'TLS certificate error', err: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), op: 'connect', kind: 'config', retriable: false, remedy: /sslmode/ },
    { what: 'XX000 internal', err: serverError('XX000', 'something odd'), kind: 'internal', retriable: false, remedy: /unexpected/ },
    { what: 'a TypeError (a pgcdc bug)', err: new TypeError('x is not a function'), kind: 'internal', retriable: false, remedy: /unexpected/ },
  ];
  for (const row of rows) {
    const e = classifyPostgresError(row.err, 'doing something', row.op);
    assert.ok(e instanceof PgcdcError, row.what);
    assert.equal(e.kind, row.kind, `${row.what}: kind`);
    assert.equal(e.retriable, row.retriable, `${row.what}: retriable`);
    assert.match(e.remedy ?? '', row.remedy, `${row.what}: remedy "${e.remedy}"`);
    assert.ok(e.message.startsWith('doing something: '), `${row.what}: message keeps the context`);
  }
});

test('"grant SELECT" is never the remedy for a publication or slot privilege', () => {
  for (const op of ['publication', 'publication-all-tables', 'slot'] as const) {
    const e = classifyPostgresError(serverError('42501', 'must be owner of table t'), 'x', op);
    assert.doesNotMatch(e.remedy ?? '', /GRANT SELECT/i, op);
  }
});

test('a PgcdcError passes through unchanged', () => {
  const original = new PgcdcError('offset-mismatch', 'm');
  assert.equal(classifyPostgresError(original, 'x'), original);
});
