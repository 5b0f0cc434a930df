import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Plumbing shared by the private services a fault test starts for itself (private-kafka.ts,
 * private-registry.ts, private-postgres.ts): temp dirs, detached processes, readiness waits and
 * cleanup that runs however the test process ends. Every temp dir is named
 * `pgcdc-private-<test pid>-…` and every command line carries it, so leftovers of a test process
 * that was itself killed -9 are found and ended by the next run (reapOrphans), and nothing else is.
 */

export const PRIVATE_PREFIX = 'pgcdc-private-';

/** A temp dir owned by this test process. */
export function privateDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `${PRIVATE_PREFIX}${process.pid}-${label}-`));
}

type Cleanup = () => void;
const cleanups = new Set<Cleanup>();
let hooked = false;

/**
 * Registers a synchronous cleanup that runs at exit, also on SIGINT/SIGTERM (the test runner's
 * timeout) and on an uncaught failure. Returns a function that unregisters it.
 */
export function atExit(fn: Cleanup): () => void {
  if (!hooked) {
    hooked = true;
    process.on('exit', runCleanups);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        runCleanups();
        process.exit(130);
      });
    }
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function runCleanups(): void {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // best effort: the next cleanup must still run
    }
  }
}

/** The preferred port when it is free, else a free one from the OS. */
export async function portNear(preferred: number): Promise<number> {
  if (await isFree(preferred)) return preferred;
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Signals a whole process group (the service and anything it forked); a gone group is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number, gaveUp?: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = gaveUp?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A process started detached (own process group) with its output appended to `logFile`. */
export function spawnDetached(command: string, args: string[], logFile: string, cwd: string): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${command}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** SIGTERM, then SIGKILL when the process has not exited after `graceMs`. Resolves once it is gone. */
export async function terminate(pid: number, graceMs: number): Promise<'stopped' | 'killed'> {
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!alive(pid)) return 'stopped';
  signalGroup(pid, 'SIGKILL');
  await waitUntil(() => !alive(pid), `pid ${pid} to exit after SIGKILL`, 10_000);
  return 'killed';
}

/** Last lines of a log, for failure messages. */
export function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

/**
 * Ends processes and removes temp dirs left by private services of test processes that no longer
 * run (a test process killed -9 cannot clean up). Only command lines naming a
 * `pgcdc-private-<pid>-` dir whose <pid> is dead are touched.
 */
export function reapOrphans(): void {
  const pattern = new RegExp(`${PRIVATE_PREFIX}(\\d+)-`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const owner = pattern.exec(cmdline)?.[1];
    if (owner && !alive(Number(owner))) signalGroup(Number(entry), 'SIGKILL');
  }
  for (const name of readdirSync(tmpdir())) {
    const owner = pattern.exec(name)?.[1];
    if (owner && !alive(Number(owner))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

/** Runs a command as the `postgres` OS user (PostgreSQL refuses to run as root). */
export function asPostgres(command: string, args: string[], timeoutMs = 120_000): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}
