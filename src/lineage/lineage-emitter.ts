/**
 * A connector's OpenLineage runs: one run (a new runId) per run of the connector, START when it
 * begins, RUNNING when streaming starts, after a snapshot completes (every snapshotted table as
 * input, its topic as output) and when a table's shape is registered or waits for a decision, then
 * FAIL (with the error) or COMPLETE. Each call builds the event and hands it to the bounded delivery
 * queue: nothing here waits for, or fails because of, the lineage receiver.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConnectorConfig, LineageSettings } from '../config/connector-config.js';
import type { ConnectorMetrics } from '../metrics/connector-metrics.js';
import type { TableSchema } from '../events/table-schema.js';
import type { TypeCatalog } from '../types/catalog.js';
import { BUILTIN_TYPE_NAMES } from '../types/oids.js';
import { PGCDC_VERSION } from '../version.js';
import { redactorFor, secretValues } from '../config/secrets.js';
import { buildRunEvent, inputName, inputNamespace, kafkaNamespace, producerUri, type DatasetSpec, type RunEventType } from './event-builder.js';
import { avroFields, columnFields } from './schema-fields.js';
import { DeliveryQueue } from './delivery-queue.js';
import { httpDeliver, shownUrl } from './http-transport.js';
import { fileDeliver } from './file-transport.js';

export type ShapeState = 'registered' | 'pending';

export class LineageEmitter {
  private runId = randomUUID();
  private readonly queue: DeliveryQueue;
  private readonly kafka: string;
  /** hides the config's secrets (resolved ones included) in error messages */
  private readonly redact: (text: string) => string;

  constructor(
    private readonly config: ConnectorConfig,
    private readonly settings: LineageSettings,
    brokers: readonly string[],
    metrics: ConnectorMetrics,
    log: Logger,
  ) {
    this.redact = redactorFor(secretValues(config.raw));
    this.kafka = settings.kafkaAddress ?? brokers[0] ?? 'unknown:unknown';
    const counters = { sent: () => void metrics.lineageSent++, dropped: () => void metrics.lineageDropped++ };
    const deliver = settings.transport === 'file'
      ? fileDeliver(settings.fileLocation!)
      : httpDeliver(settings.url!, settings.endpoint, settings.token, settings.timeoutMs);
    const where = settings.transport === 'file' ? 'file' : shownUrl(settings.url!, settings.endpoint);
    this.queue = new DeliveryQueue(deliver, where, counters, log);
  }

  /** null when openlineage.integration.enabled is false. */
  static fromConfig(config: ConnectorConfig, brokers: readonly string[], metrics: ConnectorMetrics, log: Logger): LineageEmitter | null {
    return config.lineage ? new LineageEmitter(config, config.lineage, brokers, metrics, log) : null;
  }

  /** A run begins: a new runId, START. */
  started(): void {
    this.runId = randomUUID();
    this.emit('START');
  }

  streaming(): void {
    this.emit('RUNNING');
  }

  /** A table's shape was registered (input columns, output registered value schema) or waits for a decision (input only). */
  tableShape(table: TableSchema, state: ShapeState, types: TypeCatalog): void {
    this.emit('RUNNING', [this.input(table, types)], state === 'registered' ? [this.output(table)] : []);
  }

  snapshotCompleted(tables: readonly TableSchema[], types: TypeCatalog): void {
    this.emit('RUNNING', tables.map((t) => this.input(t, types)), tables.map((t) => this.output(t)));
  }

  /** The run failed; the reason is shown with the config's secrets hidden. */
  failed(reason: string): void {
    this.emit('FAIL', [], [], this.redact(reason));
  }

  completed(): void {
    this.emit('COMPLETE');
  }

  close(): void {
    this.queue.close();
  }

  private input(t: TableSchema, types: TypeCatalog): DatasetSpec {
    const db = this.config.database;
    const typeName = (oid: number) => types.get(oid)?.name ?? BUILTIN_TYPE_NAMES.get(oid) ?? String(oid);
    return {
      namespace: inputNamespace(db.host, db.port),
      name: inputName(db.dbname, t.schema, t.table),
      fields: columnFields(t.columns.map((c) => ({ name: c.name, typeName: typeName(c.typeOid) }))),
    };
  }

  private output(t: TableSchema): DatasetSpec {
    return { namespace: kafkaNamespace(this.kafka), name: t.topic, fields: avroFields(t.envelopeSchema) };
  }

  private emit(eventType: RunEventType, inputs: DatasetSpec[] = [], outputs: DatasetSpec[] = [], error?: string): void {
    const s = this.settings;
    this.queue.offer(buildRunEvent({
      eventType,
      eventTime: new Date(),
      runId: this.runId,
      job: { namespace: s.jobNamespace, topicPrefix: this.config.topicPrefix, description: s.jobDescription, tags: s.tags, owners: s.owners },
      producer: producerUri(PGCDC_VERSION),
      version: PGCDC_VERSION,
      config: this.config.raw,
      inputs,
      outputs,
      ...(error !== undefined ? { error } : {}),
    }));
  }
}
