import { appendFileSync, chownSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { alive, asPostgres, atExit, portNear, privateDir, signalGroup, tail, waitUntil } from './private-process.js';

const BIN = process.env.PGCDC_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL 15 cluster of one test's own (initdb into a temp dir, run as the `postgres` OS user,
 * port 55432 when free, trust auth, wal_level=logical), so a test can shut it down or crash it
 * without touching the machine's cluster that every other test uses.
 */
export class PrivatePostgres {
  readonly dir = privateDir('postgres');
  port = 0;
  private initialized = false;
  private readonly unregister = atExit(() => this.cleanupSync());

  /** `prepare` runs once after initdb, before the first start (extra files, settings, pg_hba.conf). */
  constructor(private readonly prepare?: (data: string, port: number) => void, private readonly preferredPort = 55432) {}

  get data(): string {
    return join(this.dir, 'data');
  }

  get log(): string {
    return join(this.dir, 'postgres.log');
  }

  /** Connection settings as TestServices.pg has them. */
  get connection(): { host: string; port: number; user: string; password: string; database: string } {
    return { host: '127.0.0.1', port: this.port, user: 'postgres', password: '', database: 'postgres' };
  }

  /** The postmaster's pid from postmaster.pid, when it runs. */
  get pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return alive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async start(): Promise<void> {
    if (!this.initialized) await this.init();
    if (this.pid) return;
    // pg_ctl -w waits for crash recovery too; postgres logs into our dir.
    asPostgres(`${BIN}/pg_ctl`, ['start', '-w', '-t', '120', '-D', this.data, '-l', this.log]);
    await waitUntil(() => this.answers(), `private PostgreSQL on port ${this.port} to accept connections`, 60_000);
  }

  /** `fast`: clients are disconnected, a shutdown checkpoint is written. `immediate`: no checkpoint, crash recovery at the next start. */
  async stop(mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!this.pid) return;
    asPostgres(`${BIN}/pg_ctl`, ['stop', '-w', '-t', '60', '-m', mode, '-D', this.data]);
  }

  /** SIGKILL of the postmaster: its backends notice and exit; the next start runs crash recovery. */
  async kill(): Promise<void> {
    const pid = this.pid;
    if (!pid) return;
    const children = this.childrenOf(pid);
    process.kill(pid, 'SIGKILL');
    await waitUntil(() => !alive(pid), `postmaster ${pid} to exit`, 10_000);
    // backends exit once they notice the postmaster is gone; the next start refuses while they live
    await waitUntil(() => children.every((c) => !alive(c)), 'orphaned backends to exit', 30_000);
  }

  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async cleanup(): Promise<void> {
    this.cleanupSync();
  }

  async answers(): Promise<boolean> {
    const client = new pg.Client({ ...this.connection, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  }

  private childrenOf(pid: number): number[] {
    try {
      return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    } catch {
      return []; // pgrep exits 1 when there are none
    }
  }

  private async init(): Promise<void> {
    this.port = await portNear(this.preferredPort);
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(this.dir, uid, gid);
    asPostgres(`${BIN}/initdb`, ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
    appendFileSync(
      join(this.data, 'postgresql.conf'),
      [
        '',
        '# pgcdc private test cluster',
        `port = ${this.port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${this.dir}'`,
        'wal_level = logical',
        'max_replication_slots = 10',
        'max_wal_senders = 10',
        'shared_buffers = 64MB',
        '',
      ].join('\n'),
    );
    this.prepare?.(this.data, this.port);
    this.initialized = true;
  }

  private cleanupSync(): void {
    if (this.initialized && existsSync(join(this.data, 'postmaster.pid'))) {
      try {
        asPostgres(`${BIN}/pg_ctl`, ['stop', '-w', '-t', '30', '-m', 'immediate', '-D', this.data], 40_000);
      } catch {
        const pid = this.pid;
        if (pid) signalGroup(pid, 'SIGKILL');
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister?.();
  }

  /** Last lines of the server log, for failure messages. */
  logTail(): string {
    return tail(this.log);
  }
}
