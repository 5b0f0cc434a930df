/**
 * Last line of defence for a process hosting connectors: an unhandled rejection or uncaught
 * exception (an 'error' event nobody listens to, a forgotten promise) is a pgcdc bug. By default it
 * is logged loudly (level fatal, `guard: "unhandled"`) and the process keeps running, because
 * ending it would take down every connector of the worker over one of them. With
 * PGCDC_EXIT_ON_UNHANDLED=1 (tests, strict deployments) the process exits 70 instead, so the bug
 * cannot pass unnoticed.
 */
import type { Logger } from 'pino';
import { SettingsError } from './settings.js';

export const UNHANDLED_EXIT_CODE = 70;

export function exitOnUnhandled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.PGCDC_EXIT_ON_UNHANDLED;
  if (v === undefined || v === '' || v === '0') return false;
  if (v === '1') return true;
  throw new SettingsError(`PGCDC_EXIT_ON_UNHANDLED=${JSON.stringify(v)} must be 0 or 1`);
}

export function installProcessGuard(log: Logger, exit = exitOnUnhandled()): void {
  const report = (what: string, err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    log.fatal({ guard: 'unhandled', err: e.message, stack: e.stack, exiting: exit },
      `${what}: a bug in pgcdc; ${exit ? `exiting ${UNHANDLED_EXIT_CODE} (PGCDC_EXIT_ON_UNHANDLED=1)` : 'the process keeps running'}`);
    if (exit) process.exit(UNHANDLED_EXIT_CODE);
  };
  process.on('unhandledRejection', (reason) => report('unhandled rejection', reason));
  process.on('uncaughtException', (err) => report('uncaught exception', err));
}
