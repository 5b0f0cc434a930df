import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';
import type { SslMode } from '../config/connector-config.js';
import { PgcdcError } from '../errors/pgcdc-error.js';

/**
 * database.sslmode as libpq (and so Debezium's pgjdbc) reads it. node-postgres's `ssl` option is
 * all-or-nothing, so the modes that may fall back (allow, prefer) are a list of attempts; the caller
 * opens a new client per attempt (connection.ts `connect`).
 */

export interface TlsSettings {
  sslmode: SslMode;
  /** PEM file of the CA certificate(s) (database.sslrootcert) */
  sslrootcert?: string | null;
  /** PEM file of the client certificate (database.sslcert) */
  sslcert?: string | null;
  /** PEM file of the client's private key (database.sslkey) */
  sslkey?: string | null;
  /** passphrase of an encrypted database.sslkey (database.sslpassword) */
  sslpassword?: string | null;
}

export type Encryption = 'plain' | 'tls';

/** The encryption of each attempt, in order. */
export function attemptOrder(mode: SslMode): Encryption[] {
  switch (mode) {
    case 'disable':
      return ['plain'];
    case 'allow':
      return ['plain', 'tls'];
    case 'prefer':
      return ['tls', 'plain'];
    default:
      return ['tls'];
  }
}

/**
 * Whether a failed attempt may be retried with the other encryption. prefer: the server answered
 * the SSLRequest with "no" (node-postgres's exact wording). allow: the server refused the plain
 * connection during authentication (pg_hba.conf has only hostssl for it), as libpq retries with TLS.
 */
export function triesNext(mode: SslMode, tried: Encryption, err: unknown): boolean {
  const e = err as { message?: unknown; code?: unknown } | null;
  if (mode === 'prefer' && tried === 'tls') return e?.message === 'The server does not support SSL connections';
  if (mode === 'allow' && tried === 'plain') return typeof e?.code === 'string' && e.code.startsWith('28');
  return false;
}

/** The TLS options of a TLS attempt; reads the PEM files now (errors name the key). */
export function tlsOptions(s: TlsSettings): ConnectionOptions {
  const ca = s.sslrootcert ? certificates('database.sslrootcert', s.sslrootcert) : undefined;
  // libpq: require with a root certificate checks the chain, as verify-ca does.
  const checkChain = s.sslmode === 'verify-ca' || s.sslmode === 'verify-full' || (s.sslmode === 'require' && ca !== undefined);
  if (checkChain && ca === undefined) {
    throw new PgcdcError('config', `database.sslmode=${s.sslmode} checks the server certificate against a CA, but database.sslrootcert is not set`, {
      remedy: 'set database.sslrootcert to the PEM file of the CA that signed the server certificate',
    });
  }
  const options: ConnectionOptions = { rejectUnauthorized: checkChain };
  if (checkChain) options.ca = ca;
  // verify-ca checks the chain only; verify-full also the host name (Node's default check).
  if (!checkChain || s.sslmode !== 'verify-full') options.checkServerIdentity = () => undefined;
  if (s.sslcert || s.sslkey) {
    if (!s.sslcert || !s.sslkey) {
      throw new PgcdcError('config', `a client certificate needs both database.sslcert and database.sslkey; only ${s.sslcert ? 'database.sslcert' : 'database.sslkey'} is set`, {
        remedy: 'set both database.sslcert and database.sslkey, or neither',
      });
    }
    options.cert = certificates('database.sslcert', s.sslcert);
    // Decrypted here so that a wrong passphrase is a clear error, and non-enumerable (node-postgres
    // reads `key` explicitly) so that the key never shows when a config object is printed.
    Object.defineProperty(options, 'key', { value: privateKey(s.sslkey, s.sslpassword ?? null), enumerable: false, writable: true, configurable: true });
  }
  return options;
}

/** node-postgres's `ssl` value for one attempt: a fresh object each time (pg mutates it). */
export function sslOption(s: TlsSettings, encryption: Encryption): pg.ClientConfig['ssl'] {
  if (encryption === 'plain') return false;
  // Never spread this object: that would drop the non-enumerable key.
  return tlsOptions(s) as pg.ClientConfig['ssl'];
}

const isPem = (b: Buffer) => b.toString('latin1').includes('-----BEGIN ');

/** PEM certificate(s), or one DER certificate (pgjdbc accepts both) converted to PEM. */
function certificates(key: string, path: string): string {
  const data = readKeyFile(key, path);
  if (isPem(data)) return data.toString('utf8');
  try {
    return new X509Certificate(data).toString();
  } catch {
    throw new PgcdcError('config', `${key}: the file it names holds no PEM or DER X.509 certificate`, { remedy: `set ${key} to a PEM (or DER) certificate file` });
  }
}

/** A PEM key (PKCS#1, PKCS#8, SEC1), or a PKCS#8 DER one (pgjdbc's .pk8), decrypted, as PKCS#8 PEM. */
function privateKey(path: string, passphrase: string | null): string {
  const data = readKeyFile('database.sslkey', path);
  const pem = isPem(data);
  try {
    const input = pem ? { key: data, format: 'pem' as const } : { key: data, format: 'der' as const, type: 'pkcs8' as const };
    return createPrivateKey({ ...input, ...(passphrase ? { passphrase } : {}) }).export({ format: 'pem', type: 'pkcs8' }).toString();
  } catch (err) {
    const encrypted = pem ? /ENCRYPTED/.test(data.toString('latin1')) : undefined;
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const why = encrypted === true
      ? passphrase ? 'database.sslpassword does not decrypt it' : 'it is encrypted and database.sslpassword is not set'
      : encrypted === false
        ? `it is not a PEM private key (${code})`
        : passphrase ? `it is not a PKCS#8 DER key that database.sslpassword decrypts (${code})` : `it is not a PKCS#8 DER key, or it is encrypted and database.sslpassword is not set (${code})`;
    throw new PgcdcError('config', `database.sslkey: the key cannot be used: ${why}`, {
      remedy: encrypted !== false ? 'set database.sslpassword to the passphrase of database.sslkey, and database.sslkey to the private key of database.sslcert' : 'set database.sslkey to the private key (PEM or PKCS#8 DER) of database.sslcert',
    });
  }
}

function readKeyFile(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    // database.sslkey's path is treated as a secret (secrets.ts), so no path is ever repeated here
    throw new PgcdcError('config', `${key}: the file it names ${why}`, { remedy: `set ${key} to a file the worker can read` });
  }
}
