/**
 * Debezium's heartbeat record (io.debezium.heartbeat.HeartbeatImpl, schemas from SchemaFactory):
 * topic `<topic.heartbeat.prefix>.<topic.prefix>`, key `io.debezium.connector.common.ServerNameKey`
 * {serverName: topic.prefix}, value `io.debezium.connector.common.Heartbeat` {ts_ms: now}, both as
 * the Confluent Avro converter writes Connect structs of version 1. Pure: no I/O.
 */
export const HEARTBEAT_KEY_SCHEMA = {
  type: 'record',
  name: 'ServerNameKey',
  namespace: 'io.debezium.connector.common',
  fields: [{ name: 'serverName', type: 'string' }],
  'connect.version': 1,
  'connect.name': 'io.debezium.connector.common.ServerNameKey',
};

export const HEARTBEAT_VALUE_SCHEMA = {
  type: 'record',
  name: 'Heartbeat',
  namespace: 'io.debezium.connector.common',
  fields: [{ name: 'ts_ms', type: 'long' }],
  'connect.version': 1,
  'connect.name': 'io.debezium.connector.common.Heartbeat',
};

/** HeartbeatImpl writes every heartbeat to partition 0 of the topic. */
export const HEARTBEAT_PARTITION = 0;

/** Debezium's AbstractTopicNamingStrategy.heartbeatTopic(): prefix and topic.prefix joined by ".". */
export function heartbeatTopic(heartbeatPrefix: string, topicPrefix: string): string {
  return `${heartbeatPrefix}.${topicPrefix}`;
}

export function heartbeatKey(serverName: string): { serverName: string } {
  return { serverName };
}

export function heartbeatValue(nowMs: number): { ts_ms: number } {
  return { ts_ms: nowMs };
}
