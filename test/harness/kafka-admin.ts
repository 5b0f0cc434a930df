import { Admin } from '@platformatic/kafka';
import { clientOptions } from '../../src/kafka/platformatic-topics.js';

/** A Kafka admin client for a test's own checks and clean-up, closed after `fn`. */
export async function withKafkaAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(clientOptions({ brokers, clientId: 'pgcdc-test' }, 'admin'));
  try {
    return await fn(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}
