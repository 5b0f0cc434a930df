import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { RUN_ID } from './connector.js';
import type { TestServices } from './services.js';
import { NODE_FLAGS } from '../../src/node-flags.js';

const CLI = resolve(new URL('../../src/cli.js', import.meta.url).pathname);
/** No REST call of the tests takes this long unless something hangs. */
const REQUEST_TIMEOUT_MS = 45_000;

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** parsed JSON, or null when the body is empty or not JSON */
  body: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** sent as is (with content-type application/json unless headers say otherwise) */
  raw?: string;
}

/**
 * A free TCP port on the loopback interface, from 18083 up to below Linux's ephemeral range (32768+):
 * a port there can be taken by any outgoing connection between this check and the listen.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 18083 + Math.floor(Math.random() * 14_000);
    const free = await new Promise<boolean>((done) => {
      const server = createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found');
}

/**
 * `pgcdc worker` as a child process on a free port, with config and offset topics of its own. Keeps
 * everything the process printed and every response body it sent, so a test can assert that a
 * secret appears in none of them. `restart()` starts it again on the same port and topics.
 */
export class WorkerHttp {
  private child: ChildProcess | null = null;
  private exit: Promise<number | null> = Promise.resolve(null);
  port = 0;
  output = '';
  readonly responses: string[] = [];
  readonly configTopic: string;
  readonly offsetTopic: string;

  constructor(
    private readonly services: TestServices,
    label: string,
    private readonly options: { env?: Record<string, string>; args?: string[]; authHeader?: string; tlsCa?: string } = {},
  ) {
    this.configTopic = `pgcdc-test-configs-${label}-${RUN_ID}`;
    this.offsetTopic = `pgcdc-test-offsets-${label}-${RUN_ID}`;
  }

  get url(): string {
    return `${this.options.tlsCa ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  get workerId(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Spawns the worker without waiting for it (see `ready`). */
  spawn(args: string[] = this.options.args ?? []): void {
    const env = {
      ...process.env,
      PGCDC_KAFKA_BROKERS: this.services.kafkaBrokers.join(','),
      PGCDC_CONFIG_TOPIC: this.configTopic,
      PGCDC_OFFSET_TOPIC: this.offsetTopic,
      PGCDC_REST_PORT: String(this.port),
      PGCDC_LOG_LEVEL: 'debug',
      // an unhandled error or rejection ends the worker (exit 70): no test passes over one
      PGCDC_EXIT_ON_UNHANDLED: '1',
      ...this.options.env,
    };
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, 'worker', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exit = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  /** Starts the worker and waits until GET / answers 200. */
  async start(args?: string[]): Promise<void> {
    // freePort closes the port before the worker binds it: another process can take it in between.
    // A first start that lost that race tries another port (a restart keeps its port).
    const fresh = this.port === 0;
    for (let attempt = 1; ; attempt++) {
      if (fresh) this.port = await freePort();
      const from = this.output.length;
      try {
        return await this.startOnce(args);
      } catch (err) {
        if (!fresh || attempt >= 3 || !this.output.slice(from).includes('EADDRINUSE')) throw err;
      }
    }
  }

  private async startOnce(args?: string[]): Promise<void> {
    this.spawn(args);
    const deadline = Date.now() + 30_000;
    let exited = false;
    void this.exit.then(() => (exited = true));
    while (Date.now() < deadline) {
      if (exited) throw new Error(`worker exited during start-up:\n${this.output.slice(-4000)}`);
      try {
        const res = await this.send('GET', '/', this.authHeaders());
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`worker did not answer within 30 s:\n${this.output.slice(-4000)}`);
  }

  private authHeaders(): Record<string, string> {
    return this.options.authHeader ? { authorization: this.options.authHeader } : {};
  }

  async request(method: string, path: string, json?: unknown, options: RequestOptions = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...this.authHeaders(), ...options.headers };
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (json !== undefined) body = JSON.stringify(json);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    let res: { status: number; headers: Headers; text: string };
    try {
      res = await this.send(method, path, headers, body);
    } catch (err) {
      // A hung or dropped request: show what the worker was doing.
      throw new Error(`${method} ${path}: ${(err as Error).message}\nworker log tail:\n${this.output.slice(-6000)}`);
    }
    const text = res.text;
    this.responses.push(text);
    let parsed: any = null;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  /** fetch, or node:https with the test CA when the worker serves TLS (fetch cannot take a CA). */
  private async send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Headers; text: string }> {
    if (!this.options.tlsCa) {
      const res = await fetch(`${this.url}${path}`, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      return { status: res.status, headers: res.headers, text: await res.text() };
    }
    return new Promise((done, fail) => {
      const req = httpsRequest(`${this.url}${path}`, { method, headers, ca: this.options.tlsCa, timeout: REQUEST_TIMEOUT_MS }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          done({ status: res.statusCode ?? 0, headers: h, text });
        });
      });
      req.on('error', fail);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.end(body);
    });
  }

  /** Sends the signal and resolves with the exit code and how long the exit took. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return { code: child?.exitCode ?? null, ms: 0 };
    const started = Date.now();
    child.kill(signal);
    const code = await this.exit;
    this.child = null;
    return { code, ms: Date.now() - started };
  }

  /** Waits for the process to exit by itself (start-up refused). */
  async exited(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`worker still running after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The PID of the running process (undefined when none runs). */
  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  /** Whether a process was started and has not exited (a frozen one counts as running). */
  get running(): boolean {
    const child = this.child;
    return child !== null && child.exitCode === null && child.signalCode === null;
  }

  /** Sends a signal without waiting for anything (SIGKILL: see stop('SIGKILL') to wait for the exit). */
  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** Freezes the process (SIGSTOP): it sends nothing, heartbeats included, until resume(). */
  pause(): void {
    this.kill('SIGSTOP');
    this.frozen = this.running;
  }

  /** Between pause() and resume(). */
  frozen = false;

  /** Wakes a process frozen by pause() (SIGCONT). */
  resume(): void {
    this.kill('SIGCONT');
    this.frozen = false;
  }

  /**
   * For clean-up: wakes the process (it may be frozen), SIGTERM, and SIGKILL if it has not exited
   * within `graceMs`. Never throws.
   */
  async stopOrKill(graceMs = 20_000): Promise<void> {
    if (!this.running) return;
    this.resume();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), graceMs)));
    const stopped = this.stop('SIGTERM').catch(() => null);
    const outcome = await Promise.race([stopped, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.child?.kill('SIGKILL');
      await stopped;
    }
  }

  async restart(args?: string[]): Promise<void> {
    await this.stop();
    await this.start(args);
  }
}
