import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestServices } from './services.js';
import { NODE_FLAGS } from '../../src/node-flags.js';

const CLI = resolve(new URL('../../src/cli.js', import.meta.url).pathname);

/** pgcdc running as a separate process (`pgcdc run <file>`), so a test can kill -9 it. */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  output = '';

  constructor(private readonly services: TestServices, private readonly connector: Record<string, unknown>, private readonly offsetTopic: string, private readonly env: Record<string, string> = {}) {}

  start(): void {
    const dir = mkdtempSync(join(tmpdir(), 'pgcdc-test-'));
    const file = join(dir, 'connector.json');
    const { name, ...config } = this.connector;
    writeFileSync(file, JSON.stringify({ name, config }));
    this.child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'run', file], {
      env: { ...process.env, PGCDC_KAFKA_BROKERS: this.services.kafkaBrokers.join(','), PGCDC_OFFSET_TOPIC: this.offsetTopic, PGCDC_LOG_LEVEL: 'info', PGCDC_EXIT_ON_UNHANDLED: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    // the connector file is read at start; its folder goes when the process exits (or is killed)
    this.child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code (null when killed by a signal) if the process has exited, else undefined. */
  async exitCode(): Promise<number | null | undefined> {
    await new Promise((r) => setTimeout(r, 50));
    const child = this.child;
    if (!child) return undefined;
    return child.exitCode !== null || child.signalCode !== null ? child.exitCode : undefined;
  }

  /** Sends the signal and waits for the exit; returns the exit code (null when killed by a signal). */
  async kill(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.child = null;
    return code;
  }
}
