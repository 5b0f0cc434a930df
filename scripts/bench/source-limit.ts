/**
 * Source limits: how fast PostgreSQL itself hands out the data, with no connector in the way.
 * Streaming: pg_recvlogical drains the same WAL through the same publication (pgoutput) to /dev/null.
 * Snapshot: psql \copy reads the same table to /dev/null over one connection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { log, mb, now, readCpu, readProc, round, sleep, waitExit } from './common.js';
import { DB, PUB, SLOTS, TABLE, pgConfig, walsenderPid } from './database.js';
import type { BenchOptions } from './options.js';

export interface LimitResult {
  tool: string;
  seconds: number;
  perS: number;
  cpuS: number | null;
  peakRssMb: number | null;
  serverCpuS: number | null; // walsender / backend
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

function bin(name: string): string {
  const p = `${PG_BIN}/${name}`;
  return existsSync(p) ? p : name;
}

/** Samples a child's CPU and peak RSS (and one server backend's CPU) until it exits. */
async function watchChild(child: ChildProcess, timeoutMs: number, serverPid: () => Promise<number | undefined>) {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = waitExit(child, timeoutMs);
  let done = false;
  void exited.then(() => (done = true));
  let cpu: number | null = null;
  let hwm = 0;
  let sPid: number | undefined;
  let sCpu: number | null = null;
  while (!done) {
    const p = readProc(child.pid);
    if (p) {
      cpu = p.cpuS;
      hwm = Math.max(hwm, p.hwmKb);
    }
    sPid ??= await serverPid().catch(() => undefined);
    sCpu = readCpu(sPid) ?? sCpu;
    await Promise.race([sleep(50), exited]);
  }
  const r = await exited;
  if (r.timedOut) child.kill('SIGKILL');
  return { ...r, stderr, cpu, hwm, sCpu };
}

export async function recvlogicalLimit(o: BenchOptions, changes: number, endLsn: string): Promise<LimitResult> {
  const args = ['-h', o.pg.host, '-p', String(o.pg.port), '-U', o.pg.user, '-d', DB, '--slot', SLOTS.recvlogical, '--start', '--no-loop',
    '-o', 'proto_version=1', '-o', `publication_names=${PUB}`, '-f', '/dev/null', '--endpos', endLsn, '-s', '1'];
  log(`pg_recvlogical draining ${changes.toLocaleString('en-US')} changes up to ${endLsn}`);
  const mon = new pg.Client(pgConfig(o, 'postgres'));
  await mon.connect();
  try {
    const t0 = now();
    const child = spawn(bin('pg_recvlogical'), args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PGPASSWORD: o.pg.password } });
    const r = await watchChild(child, o.timeoutS * 1000, () => walsenderPid(mon, SLOTS.recvlogical));
    const seconds = (now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`pg_recvlogical exited with ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim()}`);
    return { tool: 'pg_recvlogical', seconds: round(seconds, 2), perS: Math.round(changes / seconds), cpuS: r.cpu, peakRssMb: mb(r.hwm), serverCpuS: r.sCpu };
  } finally {
    await mon.end().catch(() => {});
  }
}

export async function copyLimit(o: BenchOptions, rows: number): Promise<LimitResult> {
  log(`psql \\copy of ${rows.toLocaleString('en-US')} rows to /dev/null`);
  const mon = new pg.Client(pgConfig(o, 'postgres'));
  await mon.connect();
  try {
    const t0 = now();
    const child = spawn(bin('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', o.pg.host, '-p', String(o.pg.port), '-U', o.pg.user, '-d', DB,
      '-c', `\\copy (SELECT * FROM ${TABLE}) TO '/dev/null'`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PGPASSWORD: o.pg.password } });
    const backend = async () => (await mon.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'psql'`, [DB])).rows[0]?.pid as number | undefined;
    const r = await watchChild(child, o.timeoutS * 1000, backend);
    const seconds = (now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`psql \\copy exited with ${r.code}: ${r.stderr.trim()}`);
    return { tool: 'psql \\copy', seconds: round(seconds, 2), perS: Math.round(rows / seconds), cpuS: r.cpu, peakRssMb: mb(r.hwm), serverCpuS: r.sCpu };
  } finally {
    await mon.end().catch(() => {});
  }
}
