import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { LogicalReplicationService } from 'pg-logical-replication';
import { decodePgoutput } from '../decoding/pgoutput-decoder.js';
import type { PgoutputMessage } from '../decoding/messages.js';
import { classifyPostgresError } from '../errors/classify-postgres.js';
import { formatLsn, parseLsn, type Lsn } from './lsn.js';
import { pgoutputOptions } from './pgoutput-options.js';
import { standbyStatusUpdate, unixMicrosNow } from './standby-status.js';

export interface ReplicationStreamOptions {
  slotName: string;
  publicationName: string;
  /** how often the confirmed position is sent even when the server does not ask (status.update.interval.ms) */
  statusIntervalMs: number;
  /** server_version_num: from 14 on, logical decoding messages are streamed too (pgoutput-options.ts) */
  serverVersionNum: number;
}

/** Called synchronously for every message, in WAL order. It must not throw; it queues and returns. */
export type ReplicationHandler = (lsn: Lsn, message: PgoutputMessage) => void;

/**
 * The replication loop: streams a slot with pgoutput and knows nothing about records. It hands each
 * decoded message to a handler, tells the server only the position given to `confirm` (never what
 * was merely received), and can be paused for back-pressure. pg-logical-replication provides the
 * connection and framing; its automatic acknowledgement is switched off because it confirms what
 * was received, not what Kafka has acknowledged.
 */
export class ReplicationStream extends EventEmitter {
  private readonly service: LogicalReplicationService;
  private confirmed: Lsn = 0n;
  /** the last position the server reported in a keepalive: everything before it has been sent to us */
  private serverPosition: Lsn = 0n;
  private statusTimer?: NodeJS.Timeout;
  private stopping = false;
  /** fails the current run; unset between runs */
  private failRun?: (err: unknown) => void;

  constructor(config: pg.ClientConfig, private readonly opts: ReplicationStreamOptions) {
    super();
    this.service = new LogicalReplicationService(config, { acknowledge: { auto: false, timeoutSeconds: 0 } });
    // Never removed: the library re-emits its pg client's 'error' events, and a dead connection
    // reports one more ("Connection terminated unexpectedly") after the query already failed. An
    // 'error' event without a listener throws, which ended the whole worker process.
    this.service.on('error', (err: Error) => {
      const fail = this.failRun;
      if (fail) fail(classifyPostgresError(err, `replication from slot "${this.opts.slotName}"`, 'replication'));
      // else: the run is over and already reported its failure; this is the closed connection's echo
    });
  }

  get keepalivePosition(): Lsn {
    return this.serverPosition;
  }

  /** Streams from `startLsn` until stop() or an error; rejects with a classified PgcdcError. */
  async run(startLsn: Lsn, handler: ReplicationHandler): Promise<void> {
    if (this.stopping) return;
    this.confirmed = startLsn;
    let failure: unknown;
    let failStream: ((err: unknown) => void) | undefined;
    const failed = new Promise<never>((_, reject) => (failStream = reject));
    failed.catch(() => {});
    this.failRun = failStream;

    const onData = (lsnText: string, message: PgoutputMessage) => {
      if (failure) return;
      try {
        handler(parseLsn(lsnText), message);
      } catch (err) {
        failure = err;
        failStream!(err);
      }
    };
    const onHeartbeat = (lsnText: string, _ts: number, shouldRespond: boolean) => {
      const lsn = parseLsn(lsnText);
      if (lsn > this.serverPosition) this.serverPosition = lsn;
      this.emit('keepalive', lsn);
      if (shouldRespond) this.sendStatus();
    };
    // A stop() that came before the library had a client would be lost: its replication start
    // clears the library's stop flag. Stop again once replication has started.
    const onStart = () => {
      if (this.stopping) void this.service.stop().catch(() => {});
    };
    this.service.on('data', onData);
    this.service.on('heartbeat', onHeartbeat);
    this.service.on('start', onStart);

    const plugin = {
      name: 'pgoutput',
      parse: (buf: Buffer) => decodePgoutput(buf),
      start: (client: pg.Client, slot: string, lsn: string) =>
        client.query(
          `START_REPLICATION SLOT "${slot}" LOGICAL ${lsn} (${pgoutputOptions(this.opts.publicationName, this.opts.serverVersionNum)})`,
        ),
    };
    this.statusTimer = setInterval(() => this.sendStatus(), this.opts.statusIntervalMs);
    try {
      const streaming = this.service.subscribe(plugin as never, this.opts.slotName, formatLsn(startLsn));
      streaming.catch(() => {}); // when `failed` wins the race, a later rejection here is the same failure
      await Promise.race([streaming, failed]);
    } catch (err) {
      if (this.stopping && !failure) return;
      throw classifyPostgresError(err, `replication from slot "${this.opts.slotName}"`, 'replication');
    } finally {
      clearInterval(this.statusTimer);
      this.failRun = undefined;
      this.service.off('data', onData);
      this.service.off('heartbeat', onHeartbeat);
      this.service.off('start', onStart);
      // A failed query leaves the library's client open on a dead socket: close it now rather
      // than whenever the caller gets to stop() (its late events are harmless, see the constructor).
      if (!this.stopping) await this.service.stop().catch(() => {});
    }
  }

  /**
   * Records that every change up to `lsn` is durable downstream and tells the server, which may then
   * recycle the WAL before it. `lsn` is a transaction's commit end (or a keepalive position).
   */
  confirm(lsn: Lsn): void {
    if (lsn <= this.confirmed) return;
    this.confirmed = lsn;
    this.sendStatus();
  }

  get confirmedLsn(): Lsn {
    return this.confirmed;
  }

  /** Sends a status update asking for a reply: the walsender answers with a keepalive (its position). */
  requestKeepalive(): void {
    this.sendStatus(true);
  }

  /** Stops reading from the socket; the server blocks once the TCP buffers are full. */
  pause(): void {
    this.socket()?.pause();
  }

  resume(): void {
    this.socket()?.resume();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.statusTimer);
    this.sendStatus();
    await this.service.stop().catch(() => {});
    // Listeners stay until run() ends: a stop() before replication started is only carried out by
    // the 'start' listener (removing it here left such a stream running and stop() hanging).
  }

  /**
   * Sends our own standby status update rather than the library's acknowledge(), whose reply_time
   * is wrong (see standby-status.ts). The flushed position is exactly `confirmed`.
   */
  private sendStatus(replyRequested = false): void {
    if (this.confirmed === 0n || this.service.isStop()) return;
    const connection = (this.service as unknown as { _connection?: { sendCopyFromChunk(chunk: Buffer): void } | null })._connection;
    try {
      connection?.sendCopyFromChunk(standbyStatusUpdate(this.confirmed, unixMicrosNow(), replyRequested));
    } catch {
      // a connection that is going away: the run reports its failure, the next run confirms again
    }
  }

  private socket(): { pause(): void; resume(): void } | undefined {
    // The library does not expose its socket; flow control needs it (see its own flowControl mode).
    return (this.service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } })._connection?.stream;
  }
}
