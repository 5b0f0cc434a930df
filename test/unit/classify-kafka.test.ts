/**
 * classifyKafkaError on @platformatic/kafka's error shapes (pgcdc's Kafka client): retriable connection/leader/timeout failures, permanent broker answers, oversized records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultipleErrors, NetworkError, ProtocolError, TimeoutError, UserError } from '@platformatic/kafka';
import { classifyKafkaError } from '../../src/errors/classify-kafka.js';

const afterRetries = (...errors: Error[]) => new MultipleErrors('Producing messages failed.', [new MultipleErrors(`produce failed ${errors.length} times.`, errors)]);

test('connection, leadership and timeouts are retriable, and the message says why', () => {
  const refused = new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' }) });
  const closed = new NetworkError('Connection closed', { cause: new Error('socket closed by peer') });
  for (const err of [afterRetries(refused, refused), afterRetries(closed), new ProtocolError('NOT_LEADER_OR_FOLLOWER'), new ProtocolError('NOT_ENOUGH_REPLICAS'), new TimeoutError('Request timed out', { canRetry: true }) /* as the connection raises it */, afterRetries(new ProtocolError('LEADER_NOT_AVAILABLE'), refused)]) {
    const c = classifyKafkaError(err, 'producing 1 record');
    assert.equal(c.kind, 'sink-transient', `${err.message}: ${c.message}`);
    assert.equal(c.retriable, true);
  }
  assert.match(classifyKafkaError(afterRetries(refused), 'producing').message, /Producing messages failed\. \(Connection to 127\.0\.0\.1:9092 failed\.: connect ECONNREFUSED/);
});

test('a permanent broker answer or a usage error is permanent, even among retriable ones', () => {
  const refused = new NetworkError('Connection to 127.0.0.1:9092 failed.');
  for (const err of [new ProtocolError('TOPIC_AUTHORIZATION_FAILED'), afterRetries(refused, new ProtocolError('INVALID_REQUIRED_ACKS')), new UserError('Unknown topic t.'), new Error('something else')]) {
    const c = classifyKafkaError(err, 'producing');
    assert.equal(c.kind, 'sink-permanent', `${err.message}`);
    assert.equal(c.retriable, false);
  }
});

test('MESSAGE_TOO_LARGE is permanent and names the topic and size', () => {
  const produce = { topics: ['db.public.docs'], records: 1, bytes: 1_500_012, keyBytes: 12, valueBytes: 1_500_000 };
  for (const err of [afterRetries(new ProtocolError('MESSAGE_TOO_LARGE')), new ProtocolError('MESSAGE_TOO_LARGE')]) {
    const c = classifyKafkaError(err, 'producing 1 record', produce);
    assert.equal(c.kind, 'sink-permanent');
    assert.match(c.message, /one record of 1,500,012 bytes \(key 12, value 1,500,000\) to topic "db\.public\.docs"/);
    assert.match(c.remedy ?? '', /max\.message\.bytes/);
  }
});

test('exactly-once: a transaction the broker no longer accepts is retriable (the restart fences and aborts it)', () => {
  for (const type of ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE', 'OUT_OF_ORDER_SEQUENCE_NUMBER']) {
    const c = classifyKafkaError(afterRetries(new ProtocolError(type)), 'committing the Kafka transaction');
    assert.equal(c.kind, 'sink-transient', type);
    assert.equal(c.retriable, true);
    assert.match(c.remedy ?? '', /restarts from the last committed offset/);
  }
});
