/**
 * SIGTERM/SIGINT handling for a pgcdc process, installed before anything starts: without a handler
 * a signal during start-up killed the process on the spot, without draining what had started.
 * Start-up registers a stop step for each part as it starts; a signal runs them in reverse order,
 * then exits (0 unless a step failed; 1 when they take longer than the shutdown timeout).
 * While start-up is `held`, a signal is only noted and carried out at `release()`, so a start-up
 * step never runs concurrently with the stops (start-up then skips its remaining steps).
 */
import type { Logger } from 'pino';
import { takeEarlySignals } from './early-signals.js';

interface Step {
  name: string;
  run: () => Promise<unknown> | unknown;
}

export interface ShutdownOptions {
  timeoutMs: number;
  /** the exit code after every step succeeded (standalone mode: 1 when a connector FAILED) */
  exitCode?: () => number;
  /** what is being stopped, for the log lines ("worker", "connectors") */
  what: string;
  exit?: (code: number) => void;
}

export class Shutdown {
  private readonly steps: Step[] = [];
  private signal: string | null = null;
  private held = true;
  private running = false;
  private readonly exit: (code: number) => void;

  constructor(private readonly log: Logger, private readonly opts: ShutdownOptions) {
    this.exit = opts.exit ?? ((code) => process.exit(code));
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => this.onSignal(s));
    for (const s of takeEarlySignals()) this.onSignal(s);
  }

  /** Registers how to stop something that has started; steps run last-registered first. */
  add(name: string, run: Step['run']): void {
    this.steps.push({ name, run });
  }

  /** A signal has come: start-up should not start anything more. */
  get requested(): boolean {
    return this.signal !== null;
  }

  /** Start-up is over, or may be interrupted from now on: a pending signal is carried out now. */
  release(): void {
    this.held = false;
    if (this.signal) void this.stopAll();
  }

  private onSignal(signal: string): void {
    if (this.signal) return;
    this.signal = signal;
    this.log.info({ signal, timeoutMs: this.opts.timeoutMs, duringStartup: this.held }, `stopping the ${this.opts.what}: draining connectors`);
    const timer = setTimeout(() => {
      const message = `pgcdc: the ${this.opts.what} did not stop within ${this.opts.timeoutMs} ms after ${signal}; exiting without a complete drain (offsets stored so far are kept, so the next start repeats at most the undrained events)`;
      this.log.error({ signal, timeoutMs: this.opts.timeoutMs }, message);
      process.stderr.write(`${message}\n`, () => this.exit(1));
    }, this.opts.timeoutMs);
    if (!this.held) void this.stopAll();
  }

  private async stopAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let failed = false;
    for (const step of [...this.steps].reverse()) {
      try {
        await step.run();
      } catch (err) {
        failed = true;
        this.log.error({ step: step.name, err: (err as Error).message }, `error while stopping the ${this.opts.what}`);
      }
    }
    this.log.info(`pgcdc ${this.opts.what} stopped`);
    this.exit(failed ? 1 : (this.opts.exitCode?.() ?? 0));
  }
}
