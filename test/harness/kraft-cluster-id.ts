import { randomBytes } from 'node:crypto';

/**
 * A KRaft cluster id as `kafka-storage random-uuid` makes it: 16 random bytes in URL-safe base64,
 * never starting with "-" (Kafka's Uuid.randomUuid draws again then, since the command line would
 * read such an id as an option: `format -t -59DM...` fails).
 */
export function kraftClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
