/**
 * Errors a worker operation answers with; the REST layer turns them into Kafka Connect's
 * `{"error_code": <status>, "message": "..."}` bodies. Messages never carry secret values.
 */
import type { ConfigIssue } from '../config/index.js';

export class WorkerError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Extra fields for the response body (pgcdc extensions such as the list of config errors). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (name: string) => new WorkerError(404, `Connector ${name} not found`);

export const alreadyExists = (name: string) => new WorkerError(409, `Connector ${name} already exists`);

/** Kafka Connect's wording for an invalid config, plus `errors`/`warnings` naming each key. */
export function invalidConfig(errors: ConfigIssue[], warnings: ConfigIssue[]): WorkerError {
  const message =
    `Connector configuration is invalid and contains the following ${errors.length} error(s):\n` +
    errors.map((e) => e.message).join('\n') +
    '\nYou can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`';
  return new WorkerError(400, message, { errors, warnings });
}

/** Cluster mode: an operation that only the worker running the connector can do, and none does (a rebalance is under way). */
export const notRunningHere = (name: string) => new WorkerError(409, `Connector ${name} is not running on this worker and no worker of the cluster runs it now (a rebalance is in progress); try again shortly`);
