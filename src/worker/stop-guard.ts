/**
 * Waits until a Connector can be stopped without the stop being lost.
 *
 * Why: below this layer, a stop requested while the replication stream is being set up is lost.
 * StreamingSource.stop() before run(), or ReplicationStream.stop() before pg-logical-replication's
 * subscribe() has created its client, finds nothing to close; the subscription then starts
 * (replicationStart resets the library's stop flag) and streams on, so Connector.stop() never
 * resolves. Reproduced: Connector.start() then stop() within ~40 ms hangs every time; with
 * snapshot.mode=initial, a stop right as the snapshot hands over to streaming hangs too.
 * Until ReplicationStream.run() ends a subscription that starts after stop() was called, and the
 * Connector checks its stop request between its phases, a stop here waits for a safe moment:
 *  - the first run is past set-up (no longer UNASSIGNED);
 *  - RUNNING in a snapshot (the snapshot source stops cleanly), or with the replication stream
 *    established (the library's client exists and replication has started).
 * Other states (FAILED, RESTARTING between retries, PAUSED/STOPPED) have no stream being set up.
 * Known gap: with snapshot.mode=initial_only a finished connector stays RUNNING without a stream,
 * so its stop waits HANDOVER_WAIT_MS.
 */
import type { Connector } from '../connector/connector.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Longest wait for the first run's set-up (it can wait on open transactions to create the slot). */
const SETUP_WAIT_MS = 30_000;
/**
 * Longest wait while RUNNING before a snapshot source or the stream exists: normally milliseconds,
 * but creating a slot waits for transactions open anywhere in the cluster.
 */
const HANDOVER_WAIT_MS = 30_000;
/** When the stream's state cannot be read, how long after it appears it is taken as established. */
const FALLBACK_GRACE_MS = 500;

/**
 * Whether replication is established on the connector's stream: true/false, or undefined when the
 * objects below do not have the expected shape (then a grace period is used instead).
 */
function streamEstablished(c: Connector): boolean | undefined {
  const service = (c.streaming as unknown as { stream?: { service?: { isStop?: () => boolean } } } | null)?.stream?.service;
  if (typeof service?.isStop !== 'function') return undefined;
  // pg-logical-replication: isStop() is true until replicationStart, false while streaming.
  return !service.isStop();
}

export async function untilSafeToStop(c: Connector): Promise<void> {
  const started = Date.now();
  while (c.state === 'UNASSIGNED' && Date.now() - started < SETUP_WAIT_MS) await sleep(20);
  const handover = Date.now();
  let seenStreamingAt: number | null = null;
  while (c.state === 'RUNNING' && Date.now() - handover < HANDOVER_WAIT_MS) {
    if (c.snapshotProgress?.running) return;
    if (c.streaming) {
      const established = streamEstablished(c);
      if (established === true) return;
      seenStreamingAt ??= Date.now();
      if (established === undefined && Date.now() - seenStreamingAt >= FALLBACK_GRACE_MS) return;
    }
    await sleep(20);
  }
}
