/**
 * Kafka Connect's offset endpoints for a connector. pgcdc has one source partition per connector,
 * `{"server": "<topic.prefix>"}`, stored under Kafka Connect's key layout in the offset topic.
 * Offsets may only change while the connector is STOPPED: a running one would overwrite them.
 */
import { KafkaOffsetStore } from '../offsets/offset-store.js';
import { fromStored, toStored } from '../offsets/source-offset.js';
import { WorkerError } from './errors.js';
import type { ManagedConnector } from './managed-connector.js';
import type { Worker } from './worker.js';

export interface ConnectorOffset {
  partition: { server: string };
  offset: Record<string, unknown> | null;
}

/** topic.prefix of the connector: the validated one, else as stored (the config may not resolve now). */
export function topicPrefixOf(managed: ManagedConnector): string {
  return managed.runConfig?.topicPrefix ?? String(managed.definition.config['topic.prefix'] ?? '');
}

function keyOf(managed: ManagedConnector): string {
  return KafkaOffsetStore.key(managed.name, topicPrefixOf(managed));
}

/** Offset keys holding an LSN (pgcdc stores them as decimal strings to stay exact beyond 2^53). */
const LSN_KEYS = ['lsn', 'lsn_proc', 'lsn_commit', 'pgcdc_flush_lsn'];

/**
 * The offset as Debezium shows it: LSNs as JSON numbers (Kafka Connect stores Java longs). An LSN
 * beyond 2^53 (8 PiB of WAL) cannot be a JSON number exactly and stays a decimal string.
 */
export function shownOffset(stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  for (const key of LSN_KEYS) {
    const v = out[key];
    if (typeof v === 'string' && /^\d+$/.test(v) && BigInt(v) <= BigInt(Number.MAX_SAFE_INTEGER)) out[key] = Number(v);
  }
  return out;
}

export async function readOffsets(worker: Worker, name: string): Promise<{ offsets: ConnectorOffset[] }> {
  const managed = worker.get(name);
  const stored = await worker.deps.offsetStore.read(keyOf(managed));
  return { offsets: stored ? [{ partition: { server: topicPrefixOf(managed) }, offset: shownOffset(stored) }] : [] };
}

function requireStopped(managed: ManagedConnector): void {
  if (managed.target !== 'STOPPED') {
    throw new WorkerError(
      400,
      `Connectors must be in the STOPPED state before their offsets can be modified. This can be done for the specified connector by issuing a 'PUT' request to the '/connectors/${managed.name}/stop' endpoint`,
    );
  }
}

/** Checks a PATCH body's entries: the partition must be this connector's, the offset one pgcdc can resume from. */
function checkEntries(managed: ManagedConnector, entries: unknown): ConnectorOffset[] {
  if (!Array.isArray(entries) || entries.length === 0) throw new WorkerError(400, 'The request body must be {"offsets": [{"partition": {...}, "offset": {...}}]} with at least one entry');
  const server = topicPrefixOf(managed);
  const problems: string[] = [];
  const checked: ConnectorOffset[] = [];
  entries.forEach((entry: unknown, i) => {
    const e = entry as { partition?: unknown; offset?: unknown };
    const partition = e && typeof e === 'object' ? e.partition : undefined;
    if (!partition || typeof partition !== 'object' || (partition as { server?: unknown }).server !== server || Object.keys(partition).length !== 1) {
      problems.push(`offsets[${i}].partition must be {"server": "${server}"} (this connector's only source partition)`);
      return;
    }
    if (e.offset !== null && (typeof e.offset !== 'object' || Array.isArray(e.offset) || e.offset === undefined)) {
      problems.push(`offsets[${i}].offset must be an object or null`);
      return;
    }
    let offset: Record<string, unknown> | null = null;
    if (e.offset !== null) {
      const given = e.offset as Record<string, unknown>;
      // JSON numbers are exact only up to 2^53: a larger LSN must come as a decimal string.
      const inexact = LSN_KEYS.filter((k) => typeof given[k] === 'number' && !Number.isSafeInteger(given[k]));
      if (inexact.length > 0) {
        problems.push(`offsets[${i}].offset.${inexact[0]} is beyond 2^53 or not an integer: give LSNs that large as decimal strings`);
        return;
      }
      try {
        // Stored in pgcdc's own form (Debezium's offset JSON is accepted: its commit counts as delivered whole).
        offset = { ...toStored(fromStored(given)) };
      } catch (err) {
        problems.push(`offsets[${i}].offset is not a usable PostgreSQL offset: ${(err as Error).message}`);
        return;
      }
    }
    checked.push({ partition: { server }, offset });
  });
  if (problems.length > 0) throw new WorkerError(400, `Invalid offsets:\n${problems.join('\n')}`);
  return checked;
}

export function alterOffsets(worker: Worker, name: string, entries: unknown): Promise<{ message: string }> {
  return worker.withConnector(name, async (managed) => {
    requireStopped(managed);
    for (const entry of checkEntries(managed, entries)) await worker.deps.offsetStore.write(keyOf(managed), entry.offset);
    worker.deps.log.info({ connector: name }, 'connector offsets altered');
    return { message: 'The offsets for this connector have been altered successfully' };
  });
}

export function resetOffsets(worker: Worker, name: string): Promise<{ message: string }> {
  return worker.withConnector(name, async (managed) => {
    requireStopped(managed);
    await worker.deps.offsetStore.write(keyOf(managed), null);
    worker.deps.log.info({ connector: name }, 'connector offsets reset');
    return { message: 'The offsets for this connector have been reset successfully' };
  });
}

/** Topics of the connector: those named `<topic.prefix>.…` in the cluster (pgcdc names every topic so). */
export async function connectorTopics(worker: Worker, name: string): Promise<Record<string, { topics: string[] }>> {
  const managed = worker.get(name);
  const prefix = `${topicPrefixOf(managed)}.`;
  const topics = (await worker.deps.kafka.listTopics()).filter((t) => t.startsWith(prefix)).sort();
  return { [name]: { topics } };
}
