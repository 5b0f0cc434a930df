import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { alive, atExit, portNear, privateDir, signalGroup, spawnDetached, tail, terminate, waitUntil } from './private-process.js';

/** Debian puts nginx in /usr/sbin, which a non-root PATH may lack (scripts/install-nginx.sh installs it). */
function nginxBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    if (dir && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  }
  throw new Error('nginx not found: run "bash scripts/install-nginx.sh" (scripts/install.sh does when apt-get is available)');
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/**
 * The shared registry behind a private nginx of one test: TLS with a certificate of a CA made here
 * (for 127.0.0.1 only: https://localhost:<port> is a host name mismatch) and HTTP basic auth, as a Confluent Cloud or a secured on-premises
 * registry would ask. Its own config, pid, logs and temp dirs in a temp dir and its own port (18443
 * when free); the system's nginx service is not touched. `otherCaFile` is a CA that signed nothing
 * here, for the untrusted-certificate case.
 */
export class SecureRegistry {
  readonly dir = privateDir('nginx');
  readonly user = 'pgcdc';
  readonly password = `pw-${process.pid}-${Date.now().toString(36)}`;
  port = 0;
  private pid: number | undefined;
  private readonly unregister = atExit(() => this.cleanupSync());

  /** `upstream`: the plain registry's ccompat URL (http://host:port/apis/ccompat/v7). */
  constructor(private readonly upstream: string) {}

  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  get otherCaFile(): string {
    return join(this.dir, 'other-ca.pem');
  }

  get accessLog(): string {
    return join(this.dir, 'access.log');
  }

  /** The registry URL through the proxy (same path as upstream). */
  get url(): string {
    return `https://127.0.0.1:${this.port}${new URL(this.upstream).pathname.replace(/\/+$/, '')}`;
  }

  async start(): Promise<void> {
    const d = this.dir;
    this.port = await portNear(18443);
    for (const ca of ['ca', 'other-ca']) {
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.pem`, '-days', '2', '-subj', `/CN=pgcdc test ${ca}`], d);
    }
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], d);
    writeFileSync(join(d, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext'], d);
    const hash = openssl(['passwd', '-apr1', this.password], d).trim();
    writeFileSync(join(d, 'htpasswd'), `${this.user}:${hash}\n`);
    const up = new URL(this.upstream);
    const conf = [
      // as root, nginx's workers would run as nobody and could not read this 0700 temp dir
      ...(process.getuid?.() === 0 ? ['user root;'] : []),
      'daemon off;', 'worker_processes 1;', `pid ${d}/nginx.pid;`, `error_log ${d}/error.log warn;`,
      'events { worker_connections 64; }',
      'http {',
      `  access_log ${d}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${d}/${t}_temp;`),
      '  server {',
      `    listen 127.0.0.1:${this.port} ssl;`,
      `    ssl_certificate ${d}/server.pem;`,
      `    ssl_certificate_key ${d}/server.key;`,
      '    auth_basic "pgcdc test registry";',
      `    auth_basic_user_file ${d}/htpasswd;`,
      `    location / { proxy_pass http://${up.host}; proxy_set_header Host ${up.host}; proxy_set_header Authorization ""; }`,
      '  }',
      '}',
    ].join('\n');
    writeFileSync(join(d, 'nginx.conf'), `${conf}\n`);
    const log = join(d, 'nginx.out');
    this.pid = spawnDetached(nginxBinary(), ['-p', d, '-c', join(d, 'nginx.conf'), '-e', join(d, 'error.log')], log, d);
    await waitUntil(() => this.answers(), `private nginx at https://127.0.0.1:${this.port} to answer`, 30_000,
      () => (alive(this.pid) ? null : `exited during start-up:\n${tail(log)}\n${tail(join(d, 'error.log'))}`));
  }

  /** Up when it answers 401 to a request without credentials (TLS checked with our CA). */
  private answers(): Promise<boolean> {
    return new Promise((done) => {
      // node:https, not fetch: fetch takes no CA
      const req = httpsRequest(`https://127.0.0.1:${this.port}/`, { ca: readFileSync(this.caFile), timeout: 2000 }, (res) => {
        res.resume();
        done(res.statusCode === 401);
      });
      req.on('error', () => done(false));
      req.end();
    });
  }

  async stop(): Promise<void> {
    if (this.pid && alive(this.pid)) await terminate(this.pid, 5_000);
    this.pid = undefined;
    this.cleanupSync();
  }

  private cleanupSync(): void {
    if (this.pid) signalGroup(this.pid, 'SIGKILL');
    this.pid = undefined;
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
  }
}
