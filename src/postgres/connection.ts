import pg from 'pg';
import { attemptOrder, sslOption, triesNext, type Encryption, type TlsSettings } from './connect-options.js';

export interface DatabaseSettings extends TlsSettings {
  host: string;
  port: number;
  user: string;
  password: string | null;
  dbname: string;
  /** connect.timeout.ms (default 10 s) */
  connectTimeoutMs?: number;
}

/**
 * Session settings shared by the replication connection and the snapshot connections. pgoutput
 * writes values with the walsender session's output functions, so fixing these makes every value's
 * text form (and so its converted bytes) the same whether it came from the WAL or from a SELECT.
 */
export const SESSION_OPTIONS = '-c DateStyle=ISO -c IntervalStyle=iso_8601 -c TimeZone=UTC -c extra_float_digits=3 -c bytea_output=hex';

/** Returns every column as PostgreSQL's text, untouched: conversion is the type table's job. */
export const rawTextTypes = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** Carries the settings a config was built from, so that `connect` can fall back (sslmode allow/prefer). */
const SOURCE = Symbol('pgcdc.database');

/**
 * The encryption that last worked per settings object: later connections (the replication one,
 * which pg-logical-replication opens itself, snapshot workers) start with it instead of failing over
 * again. A new configuration is a new object, so it negotiates afresh.
 */
const negotiated = new WeakMap<DatabaseSettings, Encryption>();

function firstAttempt(db: DatabaseSettings): Encryption {
  return negotiated.get(db) ?? attemptOrder(db.sslmode)[0]!;
}

/** Throws a PgcdcError naming the key when a TLS file (database.sslrootcert...) cannot be used. */
export function clientConfig(db: DatabaseSettings, extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password ?? undefined,
    database: db.dbname,
    ssl: sslOption(db, firstAttempt(db)),
    options: SESSION_OPTIONS,
    application_name: 'pgcdc',
    connectionTimeoutMillis: db.connectTimeoutMs ?? 10_000,
    ...extra,
    // a symbol key survives `{ ...config }` and node-postgres ignores it
    [SOURCE]: db,
  } as pg.ClientConfig;
}

/** A client whose query results are raw text, for snapshot reads and catalog lookups that convert values. */
export function rawTextClientConfig(db: DatabaseSettings): pg.ClientConfig {
  return clientConfig(db, { types: rawTextTypes });
}

/**
 * Opens a client; for sslmode allow/prefer a refused first attempt is retried with the other
 * encryption on a new client (a pg.Client connects once). `onError` replaces the default no-op
 * listener: an idle client whose server goes away emits 'error', which would otherwise crash the process.
 */
export async function connect(config: pg.ClientConfig, onError: (err: Error) => void = () => {}): Promise<pg.Client> {
  const db = (config as { [SOURCE]?: DatabaseSettings })[SOURCE];
  const first = db ? firstAttempt(db) : undefined;
  const order = db ? [first!, ...attemptOrder(db.sslmode).filter((e) => e !== first)] : [undefined];
  for (let i = 0; ; i++) {
    const encryption = order[i];
    // ssl is rebuilt per attempt: the config may predate the negotiation (snapshot workers' config)
    const client = new pg.Client(db && encryption ? { ...config, ssl: sslOption(db, encryption) } : config);
    client.on('error', onError);
    try {
      await client.connect();
      if (db && encryption) negotiated.set(db, encryption);
      return client;
    } catch (err) {
      await client.end().catch(() => {});
      if (!db || !encryption || i + 1 >= order.length || !triesNext(db.sslmode, encryption, err)) throw err;
    }
  }
}
