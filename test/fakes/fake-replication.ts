/**
 * A replication connection without PostgreSQL: the test feeds pgoutput bytes (test/fakes/pgoutput-bytes.ts),
 * decoded by the real decoder, to the handler StreamingSource registered, and sees pause/resume
 * (back-pressure) and keepalives as the real ReplicationStream would produce them.
 */
import { EventEmitter } from 'node:events';
import { decodePgoutput } from '../../src/decoding/pgoutput-decoder.js';
import type { ReplicationHandler } from '../../src/postgres/replication-stream.js';
import type { StreamingInput } from '../../src/connector/streaming-source.js';
import type { Lsn } from '../../src/postgres/lsn.js';

export class FakeReplication extends EventEmitter implements StreamingInput {
  keepalivePosition: Lsn = 0n;
  startLsn: Lsn | null = null;
  paused = false;
  /** every pause() and resume() call, in order */
  readonly flow: ('pause' | 'resume')[] = [];
  stopped = false;
  private handler?: ReplicationHandler;
  private end?: () => void;

  run(startLsn: Lsn, handler: ReplicationHandler): Promise<void> {
    this.startLsn = startLsn;
    this.handler = handler;
    return new Promise((resolve) => (this.end = resolve));
  }

  /** Delivers one message at `lsn`, as the server would send it (even while paused: the socket's buffer). */
  feed(lsn: Lsn, message: Buffer): void {
    if (!this.handler) throw new Error('feed before run');
    this.handler(lsn, decodePgoutput(message));
  }

  /** A server keepalive: everything before `lsn` was sent. */
  keepalive(lsn: Lsn): void {
    this.keepalivePosition = lsn;
    this.emit('keepalive');
  }

  requestKeepalive(): void {}

  pause(): void {
    this.paused = true;
    this.flow.push('pause');
  }

  resume(): void {
    this.paused = false;
    this.flow.push('resume');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.end?.();
  }
}
