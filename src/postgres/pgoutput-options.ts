/**
 * The options pgcdc starts pgoutput with, as Debezium's PgOutputMessageDecoder.defaultOptions:
 * protocol version 1, the publication, and from PostgreSQL 14 on `messages 'true'`, so logical
 * decoding messages (pg_logical_emit_message) are streamed: transactional ones inside their
 * transaction, non-transactional ones as they are written. Nothing else of the stream changes.
 */
export const MESSAGES_MIN_SERVER_VERSION = 140000;

export function pgoutputOptions(publicationName: string, serverVersionNum: number): string {
  const options = [`proto_version '1'`, `publication_names '${publicationName.replace(/'/g, "''")}'`];
  if (serverVersionNum >= MESSAGES_MIN_SERVER_VERSION) options.push(`messages 'true'`);
  return options.join(', ');
}
