import { readFileSync } from 'node:fs';
import pg from 'pg';

export interface DatabaseSettings {
  host: string;
  port: number;
  user: string;
  password: string | null;
  dbname: string;
  sslmode: 'disable' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
  /** path of the CA certificate file for verify-ca / verify-full */
  sslrootcert?: string | null;
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

export function clientConfig(db: DatabaseSettings, extra: Partial<pg.ClientConfig> = {}): pg.ClientConfig {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password ?? undefined,
    database: db.dbname,
    ssl: sslOption(db),
    options: SESSION_OPTIONS,
    application_name: 'pgcdc',
    connectionTimeoutMillis: db.connectTimeoutMs ?? 10_000,
    ...extra,
  };
}

/** A client whose query results are raw text, for snapshot reads and catalog lookups that convert values. */
export function rawTextClientConfig(db: DatabaseSettings): pg.ClientConfig {
  return clientConfig(db, { types: rawTextTypes });
}

// node-postgres has no "prefer" (try TLS, fall back to plain); pgcdc treats it as plain, as libpq
// does against a server without TLS. "require" encrypts without checking the certificate, as libpq.
function sslOption(db: DatabaseSettings): pg.ClientConfig['ssl'] {
  switch (db.sslmode) {
    case 'disable':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true, ca: db.sslrootcert ? readFileSync(db.sslrootcert, 'utf8') : undefined, checkServerIdentity: db.sslmode === 'verify-ca' ? () => undefined : undefined };
  }
}

export async function connect(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  // An idle client whose server goes away emits 'error'; without a listener that would crash the process.
  client.on('error', () => {});
  await client.connect();
  return client;
}
