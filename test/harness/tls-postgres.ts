import { appendFileSync, chmodSync, chownSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PrivatePostgres } from './private-postgres.js';
import { privateDir } from './private-process.js';

/** The role that may log in only with a client certificate (its CN) over TLS. */
export const CERT_USER = 'pgcdc_cert';
export const CLIENT_KEY_PASSPHRASE = 'client-key-pass';

export interface TestCertificates {
  dir: string;
  /** CA that signed the server and client certificates */
  ca: string;
  /** a CA that signed nothing the server presents */
  otherCa: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** clientKey encrypted with CLIENT_KEY_PASSPHRASE */
  clientKeyEncrypted: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A self-signed CA, a server certificate for localhost/127.0.0.1 and a client certificate, made with openssl. */
export function makeCertificates(): TestCertificates {
  const dir = privateDir('tls');
  const p = (f: string) => join(dir, f);
  const ca = (name: string) => openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
  ca('ca');
  ca('other-ca');
  writeFileSync(p('server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${CERT_USER}`, '-keyout', 'client.key', '-out', 'client.csr'], dir);
  openssl(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'client.crt'], dir);
  openssl(['pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${CLIENT_KEY_PASSPHRASE}`, '-out', 'client-encrypted.key'], dir);
  return {
    dir, ca: p('ca.crt'), otherCa: p('other-ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'),
    clientCert: p('client.crt'), clientKey: p('client.key'), clientKeyEncrypted: p('client-encrypted.key'),
  };
}

/**
 * A private PostgreSQL 15 cluster with ssl=on (the certificates above), wal_level=logical, trust
 * for plain and TLS connections from 127.0.0.1, and CERT_USER admitted only over TLS with its
 * client certificate (pg_hba.conf `cert`), for normal and replication connections alike.
 */
export class TlsPostgres {
  readonly certs = makeCertificates();
  readonly server = new PrivatePostgres((data) => this.configure(data), 55433);

  private configure(data: string): void {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    for (const [from, to] of [[this.certs.serverCert, 'server.crt'], [this.certs.serverKey, 'server.key'], [this.certs.ca, 'root.crt']] as const) {
      copyFileSync(from, join(data, to));
      chownSync(join(data, to), uid, gid);
      chmodSync(join(data, to), 0o600); // postgres refuses a key others can read
    }
    appendFileSync(join(data, 'postgresql.conf'), ["ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "ssl_ca_file = 'root.crt'", 'log_connections = on', ''].join('\n'));
    writeFileSync(join(data, 'pg_hba.conf'), [
      'local all all trust',
      'local replication all trust',
      `hostssl all ${CERT_USER} 127.0.0.1/32 cert`,
      `hostssl replication ${CERT_USER} 127.0.0.1/32 cert`,
      `host all ${CERT_USER} 127.0.0.1/32 reject`,
      `host replication ${CERT_USER} 127.0.0.1/32 reject`,
      'host all all 127.0.0.1/32 trust',
      'host replication all 127.0.0.1/32 trust',
      '',
    ].join('\n'));
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  async cleanup(): Promise<void> {
    await this.server.cleanup();
    rmSync(this.certs.dir, { recursive: true, force: true });
  }
}
