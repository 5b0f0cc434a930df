/**
 * Every failure pgcdc reports is a PgcdcError of a known kind. Driver errors are classified once,
 * where they enter (see classify-*.ts), so the rest of the code only asks `retriable` and shows
 * `remedy` to the person who has to act.
 */
export type ErrorKind =
  | 'config' // the connector's configuration is wrong
  | 'source-connection' // PostgreSQL unreachable or connection lost
  | 'source-auth' // PostgreSQL refused the credentials or lacks a privilege
  | 'source-state' // slot/publication/table missing or not usable as configured
  | 'offset-mismatch' // the stored offset and the slot disagree: resuming could skip data
  | 'sink-transient' // Kafka or the registry is unavailable for now
  | 'sink-permanent' // Kafka or the registry refused something that will not change by retrying
  | 'schema-incompatible' // the registry rejected a new schema version
  | 'conversion' // a value could not be represented in Avro
  | 'internal';

export class PgcdcError extends Error {
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  /** what the user can do about it, shown in status and logs */
  readonly remedy?: string;

  constructor(kind: ErrorKind, message: string, opts: { retriable?: boolean; remedy?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PgcdcError';
    this.kind = kind;
    this.retriable = opts.retriable ?? (kind === 'source-connection' || kind === 'sink-transient');
    this.remedy = opts.remedy;
  }

  /** One line for logs and the status trace: message plus remedy. */
  describe(): string {
    return this.remedy ? `${this.message} (${this.remedy})` : this.message;
  }
}

export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
